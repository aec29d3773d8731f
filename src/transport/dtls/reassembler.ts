/**
 * Reassembles one fragmented handshake message (RFC 6347 4.2.3) at a time, for the
 * message_seq expected next; messages longer than `maxLength` are refused.
 */
import type { HandshakeFragment } from './handshake-message.js';

export interface Reassembled {
  msgType: number;
  messageSeq: number;
  body: Buffer;
}

export class Reassembler {
  private seq = -1;
  private msgType = 0;
  private buf: Buffer | undefined;
  private have: Uint8Array | undefined;
  private missing = 0;

  constructor(private readonly maxLength = 4096) {}

  /** The whole message once its last missing byte arrived; undefined meanwhile or for a fragment that does not fit. */
  add(f: HandshakeFragment): Reassembled | undefined {
    if (f.length > this.maxLength) return undefined;
    if (f.fragmentOffset === 0 && f.body.length === f.length) {
      this.reset();
      return { msgType: f.msgType, messageSeq: f.messageSeq, body: f.body };
    }
    if (this.seq !== f.messageSeq || !this.buf || this.buf.length !== f.length || this.msgType !== f.msgType) {
      this.seq = f.messageSeq;
      this.msgType = f.msgType;
      this.buf = Buffer.alloc(f.length);
      this.have = new Uint8Array(f.length);
      this.missing = f.length;
    }
    const have = this.have!;
    for (let i = 0; i < f.body.length; i++) {
      const at = f.fragmentOffset + i;
      if (have[at] === 0) {
        have[at] = 1;
        this.missing--;
      }
    }
    f.body.copy(this.buf, f.fragmentOffset);
    if (this.missing > 0) return undefined;
    const out = { msgType: this.msgType, messageSeq: this.seq, body: this.buf };
    this.reset();
    return out;
  }

  reset(): void {
    this.seq = -1;
    this.buf = undefined;
    this.have = undefined;
    this.missing = 0;
  }
}
