/**
 * Sockets for a fleet that talks to the gateway over DTLS: one socket per client, each with
 * its own PSK session (identity = the client's endpoint name, key = benchPsk(identity)),
 * set up before the fleet registers, at most `window` handshakes at a time. Datagrams from
 * the gateway reach the fleet decrypted; what the fleet sends is sealed by the slot.
 */
import { bindSlots, type Slot } from '../fleet/sockets.js';
import { HandshakeRunner, type HandshakeCounters } from './handshake-runner.js';
import type { PskClient } from './psk-client.js';

export interface DtlsSlotOptions {
  /** the gateway's DTLS address and port */
  host: string;
  port: number;
  /** the PSK identity of socket k */
  identityOf(k: number): string;
  /** cipher suite (default TLS_PSK_WITH_AES_128_CCM_8) */
  suite?: number;
  /** handshakes in flight at once (default 64) */
  window?: number;
}

/**
 * Binds `count` sockets and runs a handshake on each; resolves when every one ended.
 * Throws (after closing the sockets) when any handshake failed: a client without a session
 * could not register.
 */
export async function bindDtlsSlots(
  count: number,
  addresses: readonly string[],
  o: DtlsSlotOptions,
  onMessage: (k: number, plaintext: Buffer) => void,
  onError: () => void,
): Promise<{ slots: Slot[]; handshakes: HandshakeCounters }> {
  const sessions: (PskClient | undefined)[] = [];
  let runner: HandshakeRunner | undefined;
  const slots = await bindSlots(
    count,
    addresses,
    (k, buf) => {
      if (runner?.receive(k, buf)) return;
      const s = sessions[k];
      if (s) for (const plain of s.open(buf)) onMessage(k, plain);
    },
    onError,
  );
  let next = 0;
  let ended = 0;
  let done = (): void => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const r = new HandshakeRunner(
    slots.map((s) => s.sock),
    o.host,
    o.port,
    (k, ok, client) => {
      if (ok) sessions[k] = client;
      ended++;
      if (next < count) r.start(next, o.identityOf(next++));
      else if (ended === count) done();
    },
    o.suite,
  );
  runner = r;
  const window = Math.min(count, o.window ?? 64);
  for (; next < window; ) r.start(next, o.identityOf(next++));
  if (count === 0) done();
  await all;
  r.stop();
  runner = undefined;
  const handshakes = r.counters;
  if (handshakes.completed < count) {
    await Promise.all(slots.map((s) => new Promise<void>((res) => s.sock.close(() => res()))));
    throw new Error(`DTLS fleet: ${count - handshakes.completed} of ${count} handshakes failed (${JSON.stringify(handshakes.reasons)})`);
  }
  slots.forEach((s, k) => {
    const session = sessions[k]!;
    s.seal = (plain) => session.seal(plain);
  });
  return { slots, handshakes };
}
