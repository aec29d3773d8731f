/**
 * The listening socket on a host without IPv6: "::" falls back to IPv4 with a log line.
 * This host has IPv6, so the bind that fails is the test's; the fallback socket is real.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { bindListener } from '../../../../src/transport/coap/udp-listen.js';
import type { SocketType } from '../../../../src/transport/coap/udp-listen.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`bind ${code}`), { code });
}

/** Binds real sockets, except that `failing` addresses fail with `code`. */
function binder(failing: string, code: string): { bind: (type: SocketType, address: string) => Promise<Socket>; calls: string[] } {
  const calls: string[] = [];
  const bind = (type: SocketType, address: string): Promise<Socket> => {
    calls.push(`${type} ${address}`);
    if (address === failing) return Promise.reject(errno(code));
    return new Promise((resolve, reject) => {
      const s = createSocket(type);
      s.once('error', reject);
      s.bind(0, address, () => resolve(s));
    });
  };
  return { bind, calls };
}

function logger(): { warn: (m: string, f?: Record<string, unknown>) => void; debug: () => void; lines: string[] } {
  const lines: string[] = [];
  return { warn: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`), debug: () => {}, lines };
}

for (const code of ['EAFNOSUPPORT', 'EADDRNOTAVAIL']) {
  void test(`"::" on a host without IPv6 (${code}) listens on 0.0.0.0 and says so`, async () => {
    const { bind, calls } = binder('::', code);
    const log = logger();
    const s = await bindListener(bind, '::', log);
    try {
      assert.deepEqual(calls, ['udp6 ::', 'udp4 0.0.0.0']);
      assert.equal(s.address().family, 'IPv4');
      assert.equal(s.address().address, '0.0.0.0');
      assert.equal(log.lines.length, 1);
      assert.match(log.lines[0]!, /no IPv6 on this host: listening on IPv4 only/);
      assert.match(log.lines[0]!, new RegExp(code));
    } finally {
      s.close();
    }
  });
}

void test('other failures, or another address than "::", are not hidden by a fallback', async () => {
  const log = logger();
  await assert.rejects(bindListener(binder('::', 'EADDRINUSE').bind, '::', log), { code: 'EADDRINUSE' });
  await assert.rejects(bindListener(binder('::1', 'EAFNOSUPPORT').bind, '::1', log), { code: 'EAFNOSUPPORT' });
  await assert.rejects(bindListener(binder('127.0.0.9', 'EADDRNOTAVAIL').bind, '127.0.0.9', log), { code: 'EADDRNOTAVAIL' });
  assert.equal(log.lines.length, 0);
});

void test('an IPv4 address binds an IPv4 socket, "::" an IPv6 one where the host has IPv6', async () => {
  const log = logger();
  const { bind, calls } = binder('none', 'EINVAL');
  const a = await bindListener(bind, '127.0.0.1', log);
  const b = await bindListener(bind, '::', log);
  try {
    assert.deepEqual(calls, ['udp4 127.0.0.1', 'udp6 ::']);
    assert.equal(a.address().family, 'IPv4');
    assert.equal(b.address().family, 'IPv6');
  } finally {
    a.close();
    b.close();
  }
});
