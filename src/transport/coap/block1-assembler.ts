/**
 * Reassembles request bodies that devices send in Block1 blocks (RFC 7959 section 2.5),
 * per peer and request target, bounded in size (each body and all bodies together), in
 * number and in time.
 */
import { systemClock, type Clock, type TimerHandle } from '../../lwm2m/clock.js';
import type { BlockValue } from './block.js';
import { blockSize } from './block.js';

export type Block1Result =
  | { kind: 'continue'; block: BlockValue }
  | { kind: 'complete'; payload: Buffer; block: BlockValue }
  /** 4.08: a block arrived with no transfer to continue, or out of order */
  | { kind: 'incomplete' }
  /** 4.13 with Size1 = maxBodySize */
  | { kind: 'tooLarge' };

interface Assembly {
  parts: Buffer[];
  received: number;
  timer: TimerHandle;
}

export interface Block1AssemblerOptions {
  maxBodySize: number;
  /** the largest block size this side accepts (SZX) */
  szx: number;
  /** a transfer not finished within this time is dropped */
  transferTimeoutMs: number;
  /** transfers in progress at once; the oldest is dropped beyond it (default 1000) */
  maxTransfers?: number;
  /** the clock of the transfer timeouts (default: the system's) */
  timers?: Pick<Clock, 'setTimer'>;
  /**
   * bytes held by all transfers in progress together (default 16 MiB, at least
   * maxBodySize); the oldest other transfers are dropped to make room (their next block gets 4.08)
   */
  maxTotalBytes?: number;
}

export class Block1Assembler {
  private readonly assemblies = new Map<string, Assembly>();
  private readonly maxTotalBytes: number;
  private total = 0;

  constructor(private readonly opts: Block1AssemblerOptions) {
    this.maxTotalBytes = Math.max(opts.maxTotalBytes ?? 16 * 1024 * 1024, opts.maxBodySize);
  }

  /**
   * One block of a request body. `size1` is the total the device announced, if it did.
   * Blocks are placed by offset (NUM * size), so a device may switch to smaller blocks.
   */
  accept(key: string, block: BlockValue, payload: Buffer, size1: number | undefined): Block1Result {
    if (size1 !== undefined && size1 > this.opts.maxBodySize) {
      this.drop(key);
      return { kind: 'tooLarge' };
    }
    const offset = block.num * blockSize(block.szx);
    let a = this.assemblies.get(key);
    if (offset === 0) {
      this.drop(key);
      a = undefined;
    }
    if (!a) {
      if (offset !== 0) return { kind: 'incomplete' };
      a = { parts: [], received: 0, timer: (this.opts.timers ?? systemClock).setTimer(this.opts.transferTimeoutMs, () => this.drop(key)) };
      this.assemblies.set(key, a);
      while (this.assemblies.size > (this.opts.maxTransfers ?? 1000)) {
        const oldest = this.assemblies.keys().next();
        if (oldest.done) break;
        this.drop(oldest.value);
      }
    }
    if (offset > a.received) {
      this.drop(key);
      return { kind: 'incomplete' };
    }
    if (offset < a.received) {
      // a block sent again under a new message id: keep what came before it
      const kept = Buffer.concat(a.parts, a.received).subarray(0, offset);
      a.parts = [kept];
      this.total -= a.received - offset;
      a.received = offset;
    }
    if (a.received + payload.length > this.opts.maxBodySize) {
      this.drop(key);
      return { kind: 'tooLarge' };
    }
    this.makeRoom(key, payload.length);
    a.parts.push(payload);
    a.received += payload.length;
    this.total += payload.length;
    if (block.more) {
      // ask for blocks no larger than ours from now on (2.3)
      return { kind: 'continue', block: { num: block.num, more: true, szx: Math.min(block.szx, this.opts.szx) } };
    }
    const body = Buffer.concat(a.parts, a.received);
    this.drop(key);
    return { kind: 'complete', payload: body, block: { num: block.num, more: false, szx: block.szx } };
  }

  /** Drops the oldest transfers other than `key` until `bytes` more fit in maxTotalBytes. */
  private makeRoom(key: string, bytes: number): void {
    if (this.total + bytes <= this.maxTotalBytes) return;
    for (const other of this.assemblies.keys()) {
      if (other === key) continue;
      this.drop(other);
      if (this.total + bytes <= this.maxTotalBytes) return;
    }
  }

  private drop(key: string): void {
    const a = this.assemblies.get(key);
    if (!a) return;
    a.timer.cancel();
    this.total -= a.received;
    this.assemblies.delete(key);
  }

  /** Bytes held by the transfers in progress. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.assemblies.size;
  }

  clear(): void {
    for (const a of this.assemblies.values()) a.timer.cancel();
    this.assemblies.clear();
    this.total = 0;
  }
}
