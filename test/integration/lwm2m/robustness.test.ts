/**
 * Robustness: 10,000 random and mutated datagrams (seeded, so a failure replays) hit the
 * server from other sockets while a registered client keeps working. The process stays
 * up and the client's reads succeed before, during and after.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { generate } from 'coap-packet';
import type { Packet } from 'coap-packet';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture, sleep } from './fixture.js';

const TOTAL = 10_000;
const SEED = 0x1f2e3d4c;

/** mulberry32: a small seeded PRNG */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let k = 0; k < n; k++) b[k] = this.int(256);
    return b;
  }
  text(n: number): string {
    const chars = 'abcXYZ019 =;,<>/"\'%&?.:-_\u00e9\u2603\u0000';
    let s = '';
    for (let k = 0; k < n; k++) s += chars[this.int(chars.length)];
    return s;
  }
}

const o = (name: string, value: string | number | Buffer): { name: string; value: Buffer } => ({
  name,
  value: typeof value === 'string' ? Buffer.from(value) : typeof value === 'number' ? uintBuf(value) : value,
});

function uintBuf(n: number): Buffer {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.from(out);
}

const BAD_QUERIES = ['lt=-1', 'lt=99999999999', 'lt=', 'lt', 'lwm2m=1.3', 'lwm2m=abc', 'lwm2m', 'b=XYZ', 'b=', 'b', 'sms', 'Q=1', '=', '', 'ep', 'ep=', '&&', 'pid=\u0000'];
const BAD_LINKS = ['</3/0>,<', '</>;ct=abc', '<//3//0>', '</3>;ver=99999999999.1', '<', ',,,', '</3/0>;;;;', '</65536/0>', '</a/b>', '</>;rt="oma.lwm2m', '</x>;rt="oma.lwm2m",</x/3/0>', '</3/0>,</3/0>,</3/0>'];

/** A well-formed registration-ish request with bad parts. */
function badRegistration(g: Gen, n: number): Packet {
  const query: string[] = [];
  if (g.chance(0.8)) query.push(`ep=fz-${n}-${g.text(g.int(8))}`);
  for (let k = g.int(4); k > 0; k--) query.push(g.pick(BAD_QUERIES));
  if (g.chance(0.3)) query.push(`lt=${g.int(1000)}`, 'lwm2m=1.1');
  const payload = g.chance(0.5) ? Buffer.from(g.pick(BAD_LINKS)) : g.chance(0.5) ? Buffer.from(g.text(g.int(60))) : g.bytes(g.int(80));
  const options = [o('Uri-Path', 'rd'), ...query.map((q) => o('Uri-Query', q))];
  if (g.chance(0.8)) options.push(o('Content-Format', g.pick([40, 40, 0, 42, 110, 9999, 65535])));
  return { confirmable: g.chance(0.7), code: g.pick(['POST', 'POST', 'PUT', 'GET']), messageId: g.int(65536), token: g.bytes(g.int(9)), options, payload };
}

/** Other requests and responses the server may meet. */
function otherMessage(g: Gen): Packet {
  const token = g.bytes(g.int(9));
  const messageId = g.int(65536);
  switch (g.int(9)) {
    case 0:
      return { confirmable: true, code: '0.00', messageId }; // ping
    case 1:
      return { ack: true, code: '0.00', messageId };
    case 2:
      return { reset: true, code: '0.00', messageId };
    case 3: // a notification nobody asked for
      return { confirmable: g.chance(0.5), code: '2.05', messageId, token, options: [o('Observe', g.int(1 << 24)), o('Content-Format', 0)], payload: Buffer.from('1') };
    case 4: // Update / De-register of unknown registrations
      return { confirmable: true, code: g.pick(['POST', 'DELETE', 'PUT']), messageId, token, options: [o('Uri-Path', 'rd'), o('Uri-Path', g.text(12))] };
    case 5: // Send with a random body
      return {
        confirmable: true,
        code: 'POST',
        messageId,
        token,
        options: [o('Uri-Path', 'dp'), o('Content-Format', g.pick([110, 112, 11544, 0, 60]))],
        payload: g.bytes(g.int(200)),
      };
    case 6: // block-wise registration with odd block numbers
      return {
        confirmable: true,
        code: 'POST',
        messageId,
        token,
        options: [o('Uri-Path', 'rd'), o('Uri-Query', `ep=fzb-${g.int(100)}`), o('Block1', g.int(1 << 20)), o('Size1', g.int(1 << 24))],
        payload: g.bytes(g.pick([16, 32, 64, 100, 1024])),
      };
    case 7: // unknown options, critical and elective
      return { confirmable: true, code: 'GET', messageId, token, options: [o('Uri-Path', g.pick(['rd', 'bs', 'dp', '3', 'x'])), { name: String(g.pick([9, 13, 25, 65001, 2049])), value: g.bytes(g.int(5)) }] };
    default: // bootstrap and other paths
      return { confirmable: g.chance(0.5), code: g.pick(['GET', 'POST', 'FETCH', 'iPATCH', 'PATCH']), messageId, token, options: [o('Uri-Path', g.pick(['bs', 'bspack', '.well-known', 'rd', 'dp']))], payload: g.bytes(g.int(20)) };
  }
}

function mutate(g: Gen, b: Buffer): Buffer {
  const out = Buffer.from(b);
  switch (g.int(4)) {
    case 0: // flip bytes
      for (let k = 1 + g.int(3); k > 0 && out.length > 0; k--) out[g.int(out.length)] = g.int(256);
      return out;
    case 1: // truncate
      return out.subarray(0, g.int(out.length + 1));
    case 2: // append garbage
      return Buffer.concat([out, g.bytes(1 + g.int(40))]);
    default: // splice a chunk out
      if (out.length < 6) return out;
      return Buffer.concat([out.subarray(0, 4 + g.int(out.length - 4)), out.subarray(4 + g.int(out.length - 4))]);
  }
}

function datagram(g: Gen, n: number): Buffer {
  const kind = g.int(100);
  if (kind < 25) return g.bytes(g.int(300)); // garbage
  if (kind < 40) {
    // a CoAP-looking header with random flags, token length and code
    const head = Buffer.from([0x40 | g.int(64), g.int(256), g.int(256), g.int(256)]);
    return Buffer.concat([head, g.bytes(g.int(60))]);
  }
  const packet = kind < 70 ? badRegistration(g, n) : otherMessage(g);
  let buf: Buffer;
  try {
    buf = generate(packet, 2000);
  } catch {
    return g.bytes(10);
  }
  return kind < 85 ? mutate(g, buf) : buf;
}

describe('robustness over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const senders: Socket[] = [];
  const ep = 'robust-main';

  before(async () => {
    fx = await Fixture.start();
    ({ client } = await fx.registered({ endpoint: ep, version: '1.1', contentFormats: [CF.SENML_CBOR] }));
    for (let k = 0; k < 4; k++) {
      const s = createSocket('udp4');
      s.on('message', () => {});
      s.on('error', () => {});
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
      senders.push(s);
    }
  });
  after(async () => {
    await Promise.all(senders.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await fx.stop();
  });

  const readOk = async (path: string): Promise<void> => {
    const r = await fx.server.read(ep, path, { format: CF.TEXT });
    assert.equal(r.code, '2.05', `read ${path}: ${JSON.stringify(r.error)}`);
    assert.equal((r.node as { value?: unknown }).value, client.value(path));
  };

  it(`survives ${TOTAL} random and mutated datagrams while the client keeps working`, async () => {
    await readOk('/3/0/0');
    const g = new Gen(SEED);
    let sent = 0;
    let fuzzing = true;
    const reads: string[] = [];
    const reader = (async () => {
      for (let k = 0; fuzzing; k++) {
        const path = k % 2 ? '/3/0/9' : '/3303/0/5700';
        await readOk(path);
        reads.push(path);
        await sleep(20);
      }
    })();
    try {
      // at least TOTAL datagrams, and on until three reads have completed inside the storm
      // (a loaded machine may run the storm faster than the reads)
      while (sent < TOTAL || (reads.length < 3 && sent < 5 * TOTAL)) {
        for (let k = 0; k < 100; k++, sent++) {
          senders[sent % senders.length]!.send(datagram(g, sent), fx.port, '127.0.0.1');
        }
        await sleep(2);
      }
      await sleep(200);
    } finally {
      fuzzing = false;
    }
    await reader;
    assert.ok(sent >= TOTAL, `${sent} datagrams sent`);
    assert.ok(reads.length >= 3, `${reads.length} reads during the storm`);

    // after: reads, an Update, a notification and a new registration still work
    await readOk('/3/0/1');
    await readOk('/3303/0/5700');
    assert.equal((await client.update()).code, '2.04');
    const obs = await fx.server.observe(ep, '/3/0/9');
    assert.equal(obs.code, '2.05');
    const next = fx.event('notification', (e) => e.observation.id === obs.observationId);
    await client.set('/3/0/9', 12);
    await next;
    // the storm's Register attempts came from 127.0.0.1 too and emptied that address's
    // bucket (registerRatePerAddress, 100/s): a real client waits out the 4.29's Max-Age
    await sleep(1100);
    const { registration } = await fx.registered({ endpoint: 'robust-late', version: '1.2' });
    assert.equal(registration.endpoint, 'robust-late');
    assert.equal(fx.server.getRegistration(ep)?.peer.port, client.port);
  });
});
