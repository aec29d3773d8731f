/**
 * Datagrams between the front (the main thread's UDP socket) and a shard, packed into one
 * ArrayBuffer per turn of the event loop and transferred, not copied, by postMessage: one
 * message per shard and turn instead of one per datagram. An entry is the peer's port
 * (u16), its address (u8 length, then latin1), the datagram's length (u16) and its bytes.
 * Both ends are this process; the reader still checks every length against the buffer.
 */

const INITIAL = 64 * 1024;
/** a UDP payload is at most 65,507 bytes (IPv4) / 65,527 (IPv6 without jumbograms) */
const MAX_DATAGRAM = 0xffff;
const MAX_ADDRESS = 255;

export class BatchWriter {
  private buf = Buffer.allocUnsafeSlow(INITIAL);
  private used = 0;

  get empty(): boolean {
    return this.used === 0;
  }

  /** False (and nothing added) when the datagram or the address is longer than an entry holds. */
  add(address: string, port: number, data: Uint8Array): boolean {
    if (data.length > MAX_DATAGRAM || address.length > MAX_ADDRESS) return false;
    const need = 5 + address.length + data.length;
    if (this.used + need > this.buf.length) this.grow(this.used + need);
    const b = this.buf;
    let o = this.used;
    b.writeUInt16BE(port, o);
    b[o + 2] = address.length;
    b.write(address, o + 3, address.length, 'latin1');
    o += 3 + address.length;
    b.writeUInt16BE(data.length, o);
    b.set(data, o + 2);
    this.used = o + 2 + data.length;
    return true;
  }

  /** The entries so far in a buffer of their own (to transfer); the writer starts empty again. */
  take(): ArrayBuffer {
    const out = new ArrayBuffer(this.used);
    new Uint8Array(out).set(this.buf.subarray(0, this.used));
    this.used = 0;
    if (this.buf.length > 4 * INITIAL) this.buf = Buffer.allocUnsafeSlow(INITIAL); // a burst does not keep its buffer
    return out;
  }

  private grow(min: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(min, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}

/** Calls `each` for every entry of a batch; stops at the first entry that does not fit (returns false then). */
export function readBatch(batch: ArrayBuffer, each: (address: string, port: number, data: Buffer) => void): boolean {
  const b = Buffer.from(batch);
  let o = 0;
  while (o < b.length) {
    if (o + 3 > b.length) return false;
    const port = b.readUInt16BE(o);
    const alen = b[o + 2]!;
    if (o + 3 + alen + 2 > b.length) return false;
    const address = b.toString('latin1', o + 3, o + 3 + alen);
    o += 3 + alen;
    const dlen = b.readUInt16BE(o);
    if (o + 2 + dlen > b.length) return false;
    each(address, port, b.subarray(o + 2, o + 2 + dlen));
    o += 2 + dlen;
  }
  return true;
}
