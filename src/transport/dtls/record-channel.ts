/**
 * One peer's record layer after the hello exchange: write sequence numbers per epoch,
 * AES-128-CCM_8 protection once keys are set, the anti-replay window of each read epoch,
 * and the connection IDs once negotiated (RFC 9146): protected records to the peer carry
 * its ID (tls12_cid) when it asked for a non-empty one; protected records from the peer
 * must carry ours when we issued one.
 */
import { innerPlaintext, parseInnerPlaintext } from './cid-record.js';
import type { KeyBlock } from './prf.js';
import { recordCipher } from './record-cipher.js';
import type { RecordCipher } from './record-cipher.js';
import { ContentType, DTLS_1_2, MAX_SEQ, serializeRecord } from './record.js';
import type { DtlsRecord } from './record.js';
import { ReplayWindow } from './replay-window.js';

export const AlertLevel = { warning: 1, fatal: 2 } as const;
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateExpired: 45,
  unknownCa: 48,
  illegalParameter: 47,
  decodeError: 50,
  decryptError: 51,
  internalError: 80,
  unknownPskIdentity: 115,
} as const;

/** A record that authenticated: its real content type (the inner one of a tls12_cid record) and content. */
export interface OpenedRecord {
  type: number;
  data: Buffer;
  /** newer than every record accepted before in its epoch (RFC 9146 6: only such a record may move the peer) */
  newest: boolean;
}

export class RecordChannel {
  private writeEpoch = 0;
  private readonly writeSeq = [0, 0];
  private cipher: RecordCipher | undefined;
  private readonly windows = [new ReplayWindow(), new ReplayWindow()];
  /** the ID the peer puts in its protected records (issued by this server) */
  private readCid: Buffer | undefined;
  /** the ID this side puts in its protected records (asked for by the peer) */
  private writeCid: Buffer | undefined;

  /** epoch-0 records start at this sequence number (RFC 6347 4.2.1: after the HelloVerifyRequest's) */
  constructor(firstSeq: number) {
    this.writeSeq[0] = firstSeq;
  }

  get hasKeys(): boolean {
    return this.cipher !== undefined;
  }

  setKeys(suite: number, keys: KeyBlock): void {
    this.cipher = recordCipher(suite, keys);
  }

  /** The negotiated connection IDs: `own` expected in the peer's protected records, `peer` written in ours (empty: none). */
  setConnectionIds(own: Buffer, peer: Buffer): void {
    this.readCid = own.length > 0 ? own : undefined;
    this.writeCid = peer.length > 0 ? peer : undefined;
  }

  /** after our ChangeCipherSpec: what we send is protected from here on */
  switchWriteEpoch(): void {
    this.writeEpoch = 1;
  }

  /** One record of `type` in the current write epoch, protected in epoch 1. */
  seal(type: number, plaintext: Buffer, epoch = this.writeEpoch): Buffer {
    const seq = this.writeSeq[epoch]!;
    if (seq >= MAX_SEQ) throw new RangeError('dtls: sequence numbers exhausted');
    this.writeSeq[epoch] = seq + 1;
    if (epoch === 0) return serializeRecord({ type, version: DTLS_1_2, epoch, seq, fragment: plaintext });
    const cid = this.writeCid;
    if (!cid) return serializeRecord({ type, version: DTLS_1_2, epoch, seq, fragment: this.cipher!.seal(epoch, seq, type, DTLS_1_2, plaintext) });
    const fragment = this.cipher!.seal(epoch, seq, ContentType.tls12Cid, DTLS_1_2, innerPlaintext(type, plaintext), cid);
    return serializeRecord({ type: ContentType.tls12Cid, version: DTLS_1_2, epoch, seq, cid, fragment });
  }

  /**
   * A received record once authenticated, or undefined when it is a replay, belongs to an
   * epoch without keys, does not authenticate, or lacks (or carries a wrong) connection ID.
   * Only an accepted record enters the window.
   */
  open(r: DtlsRecord): OpenedRecord | undefined {
    if (r.epoch > 1) return undefined;
    const w = this.windows[r.epoch]!;
    if (!w.check(r.seq)) return undefined;
    const newest = r.seq > w.highest;
    if (r.epoch === 0) {
      if (r.type === ContentType.tls12Cid) return undefined; // plaintext never carries a CID (RFC 9146 3)
      w.accept(r.seq);
      return { type: r.type, data: r.fragment, newest };
    }
    let opened: OpenedRecord | undefined;
    if (r.type === ContentType.tls12Cid) {
      if (!this.readCid || !r.cid?.equals(this.readCid)) return undefined;
      const inner = this.cipher?.open(1, r.seq, r.type, r.version, r.fragment, this.readCid);
      const parsed = inner && parseInnerPlaintext(inner);
      if (parsed) opened = { type: parsed.type, data: parsed.content, newest };
    } else if (!this.readCid) {
      // with an ID issued, a protected record without it is dropped (RFC 9146 3)
      const data = this.cipher?.open(1, r.seq, r.type, r.version, r.fragment);
      if (data) opened = { type: r.type, data, newest };
    }
    if (opened) w.accept(r.seq);
    return opened;
  }

  alert(level: number, description: number): Buffer {
    return this.seal(ContentType.alert, Buffer.from([level, description]));
  }
}
