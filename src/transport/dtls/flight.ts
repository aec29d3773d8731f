/**
 * A flight of handshake messages as datagrams (RFC 6347 4.1.1, 4.2.3): a message that
 * does not fit goes in fragments, records are packed into datagrams of at most `mtu` bytes.
 */
import { HANDSHAKE_HEADER } from './handshake-message.js';
import { RECORD_HEADER } from './record.js';

/** the default datagram size: below the IPv6 minimum MTU with headroom (RFC 7252 4.6) */
export const FLIGHT_MTU = 1152;

/** The fragment of a whole handshake message `m` from `offset`, `length` bytes of its body. */
function fragment(m: Buffer, offset: number, length: number): Buffer {
  const h = Buffer.from(m.subarray(0, HANDSHAKE_HEADER));
  h.writeUIntBE(offset, 6, 3);
  h.writeUIntBE(length, 9, 3);
  return Buffer.concat([h, m.subarray(HANDSHAKE_HEADER + offset, HANDSHAKE_HEADER + offset + length)]);
}

/** Seals each message (or fragment) with `seal` and packs the records into datagrams. */
export function flightDatagrams(messages: readonly Buffer[], seal: (handshake: Buffer) => Buffer, mtu = FLIGHT_MTU): Buffer[] {
  const room = mtu - RECORD_HEADER - HANDSHAKE_HEADER;
  const records: Buffer[] = [];
  for (const m of messages) {
    const length = m.length - HANDSHAKE_HEADER;
    if (length <= room) records.push(seal(m));
    else for (let off = 0; off < length; off += room) records.push(seal(fragment(m, off, Math.min(room, length - off))));
  }
  const datagrams: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 0;
  for (const r of records) {
    if (size + r.length > mtu && current.length > 0) {
      datagrams.push(Buffer.concat(current));
      current = [];
      size = 0;
    }
    current.push(r);
    size += r.length;
  }
  if (current.length > 0) datagrams.push(Buffer.concat(current));
  return datagrams;
}
