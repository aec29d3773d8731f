/**
 * One peer's record layer after the hello exchange: write sequence numbers per epoch,
 * AES-128-CCM_8 protection once keys are set, the anti-replay window of each read epoch.
 */
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

export class RecordChannel {
  private writeEpoch = 0;
  private readonly writeSeq = [0, 0];
  private cipher: RecordCipher | undefined;
  private readonly windows = [new ReplayWindow(), new ReplayWindow()];

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
    return serializeRecord({ type, version: DTLS_1_2, epoch, seq, fragment: this.cipher!.seal(epoch, seq, type, DTLS_1_2, plaintext) });
  }

  /**
   * The plaintext of a received record, or undefined when it is a replay, belongs to an
   * epoch without keys, or does not authenticate. Only an accepted record enters the window.
   */
  open(r: DtlsRecord): Buffer | undefined {
    if (r.epoch > 1) return undefined;
    const w = this.windows[r.epoch]!;
    if (!w.check(r.seq)) return undefined;
    let plain: Buffer | undefined = r.fragment;
    if (r.epoch === 1) {
      plain = this.cipher?.open(1, r.seq, r.type, r.version, r.fragment);
    }
    if (plain) w.accept(r.seq);
    return plain;
  }

  alert(level: number, description: number): Buffer {
    return this.seal(ContentType.alert, Buffer.from([level, description]));
  }
}
