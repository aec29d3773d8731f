/**
 * The CoAP socket's receive buffer: grown to the size asked for (as far as the kernel
 * allows), left alone with 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { RecordingHandler, startTransport } from './helpers.js';

/** The system's default receive buffer of a UDP socket. */
async function systemDefault(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const size = s.getRecvBufferSize();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return size;
}

/** Linux's cap on SO_RCVBUF; 0 where it cannot be read. */
function rmemMax(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

test('the receive buffer grows to recvBufferSize (capped by the kernel); 0 keeps the default', async () => {
  const base = await systemDefault();
  const big = await startTransport(new RecordingHandler(), { recvBufferSize: base * 4 });
  const plain = await startTransport(new RecordingHandler(), { recvBufferSize: 0 });
  try {
    const grown = big.transport.receiveBufferSize() ?? 0;
    // the kernel may cap the size (Linux: net.core.rmem_max) but never goes below the default
    assert.ok(grown >= base, `${grown} >= ${base}`);
    if (rmemMax() > base) assert.ok(grown > base, `grown beyond the default ${base} (got ${grown})`);
    assert.equal(plain.transport.receiveBufferSize(), base);
  } finally {
    await big.transport.stop();
    await plain.transport.stop();
  }
  assert.equal(big.transport.receiveBufferSize(), undefined);
});
