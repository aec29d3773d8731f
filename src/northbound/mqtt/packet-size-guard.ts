/**
 * A maximum MQTT packet size for the embedded broker. aedes' parser (mqtt-packet) keeps
 * every byte of a packet until the packet is whole, whatever length its header announces,
 * so a client announcing a 200 MB PUBLISH makes it buffer 200 MB. This guard reads the
 * packet framing (fixed header byte, Remaining Length) of every chunk before the parser
 * gets it: as soon as a header announces a packet larger than the limit (or a malformed
 * length), the chunk is not handed on and the connection is closed (MQTT 3.1.1 has no
 * other answer to a packet the server will not take).
 */
import type { Client } from 'aedes';

/** Follows the packet boundaries of one byte stream; false once a packet is too large. */
export class PacketFraming {
  /** bytes of the current packet's body still to come (after its header) */
  private remaining = 0;
  /** 0: expecting a fixed header byte; 1..4: reading the Remaining Length, that many bytes read */
  private lengthBytes = 0;
  private inHeader = false;
  private length = 0;
  private multiplier = 1;
  private failed = false;

  constructor(private readonly max: number) {}

  /** Takes the next chunk; false when a packet in it (or begun before) is over the limit. */
  feed(chunk: Uint8Array): boolean {
    if (this.failed) return false;
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        continue;
      }
      if (!this.inHeader) {
        // the fixed header's first byte (packet type and flags)
        this.inHeader = true;
        this.lengthBytes = 0;
        this.length = 0;
        this.multiplier = 1;
        i++;
        continue;
      }
      const b = chunk[i++]!;
      this.lengthBytes++;
      this.length += (b & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (b & 0x80) {
        if (this.lengthBytes >= 4) return this.fail(); // malformed Remaining Length
        continue;
      }
      this.inHeader = false;
      if (1 + this.lengthBytes + this.length > this.max) return this.fail();
      this.remaining = this.length;
    }
    return true;
  }

  private fail(): false {
    this.failed = true;
    return false;
  }
}

interface ParserHolder {
  _parser?: { parse?: (buf: Buffer) => number };
  conn?: { destroy(e?: Error): void };
}

/** Puts the guard in front of a client's parser (call right after `aedes.handle`). */
export function limitPacketSize(client: Client, max: number, onRefused?: () => void): void {
  const c = client as unknown as ParserHolder;
  const parser = c._parser;
  const parse = parser?.parse;
  if (!parser || typeof parse !== 'function') throw new Error('aedes client without a parser: cannot bound the packet size');
  const framing = new PacketFraming(max);
  parser.parse = (buf: Buffer): number => {
    if (framing.feed(buf)) return parse.call(parser, buf);
    onRefused?.();
    c.conn?.destroy();
    return 0;
  };
}
