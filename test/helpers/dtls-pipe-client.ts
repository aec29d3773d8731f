/**
 * A CoAP endpoint over DTLS 1.2 PSK for tests, with openssl s_client as the DTLS stack:
 * each CoAP message written to its stdin travels as one record of application data,
 * each record received comes out on stdout. Requests from the server are answered by
 * `onRequest`; the test's own requests wait for their piggybacked answer. CoAP through
 * the test client's own helpers (coap-packet), nothing of the gateway.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Msg } from './lwm2m-test-client-coap.js';
import { decodeMsg, encodeMsg, isRequestCode } from './lwm2m-test-client-coap.js';

export const OPENSSL = '/usr/bin/openssl';
export const noOpenssl = !existsSync(OPENSSL) && 'openssl is not installed';

/** option numbers of RFC 7252, 7641, 7959, 9175 */
const KNOWN_OPTIONS = new Set([1, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 17, 20, 23, 27, 28, 35, 39, 60, 258, 292]);

/** Where the options of the message at the start of `b` end (after header and token, then each option), as far as they are well-formed. */
function optionEnds(b: Buffer): { ends: number[]; complete: boolean } {
  if (b.length < 4 || b[0]! >> 6 !== 1) return { ends: [], complete: false };
  let at = 4 + (b[0]! & 0x0f);
  const ends = [at];
  while (at < b.length && b[at] !== 0xff) {
    const head = b[at++]!;
    const ext = (n: number): number | undefined => (n < 13 ? n : n === 13 ? (at < b.length ? 13 + b[at++]! : undefined) : n === 14 ? (at + 1 < b.length ? 269 + b.readUInt16BE((at += 2) - 2) : undefined) : undefined);
    if (ext(head >> 4) === undefined) return { ends, complete: false };
    const len = ext(head & 0x0f);
    if (len === undefined || at + len > b.length) return { ends, complete: false };
    at += len;
    ends.push(at);
  }
  return { ends, complete: at <= b.length };
}

/** a message that parses whole (coap-packet reads a truncated option without complaint) with known options */
function strict(b: Buffer): Msg | undefined {
  if (!optionEnds(b).complete) return undefined;
  const m = decodeMsg(b);
  return m && m.token.length <= 8 && m.options.every((o) => KNOWN_OPTIONS.has(o.number)) ? m : undefined;
}

/** the first byte and code of a request (CON or NON, with a token), as the server's requests all are */
function startsRequest(b: Buffer): boolean {
  return b.length >= 4 && b[0]! >= 0x41 && b[0]! <= 0x58 && (b[0]! & 0x0f) <= 8 && b[1]! >= 1 && b[1]! <= 7;
}

/**
 * The CoAP messages in one read of s_client's output: records that arrive together come
 * out as one chunk. A message without payload ends at an option boundary; the chunk is
 * split there when what follows is a well-formed request (the server's requests follow
 * its answers at once), else it is one message.
 */
export function splitMessages(b: Buffer): Msg[] | undefined {
  for (const k of optionEnds(b).ends) {
    if (k >= b.length || !startsRequest(b.subarray(k))) continue;
    const first = strict(b.subarray(0, k));
    const rest = first ? splitMessages(b.subarray(k)) : undefined;
    if (first && rest) return [first, ...rest];
  }
  const whole = strict(b);
  return whole ? [whole] : undefined;
}

export class DtlsPipeClient {
  onRequest: (m: Msg) => Msg | undefined = () => undefined;
  /** requests of the server, as received (retransmissions included) */
  readonly requests: Msg[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (m: Msg) => void>();
  private readonly exited: Promise<void>;
  private mid = 1 + Math.floor(Math.random() * 1000);
  private stderr = '';

  constructor(port: number, identity: string, keyHex: string) {
    this.child = spawn(OPENSSL, ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-psk_identity', identity, '-psk', keyHex, '-cipher', 'PSK-AES128-CCM8', '-quiet']);
    this.child.stdout.on('data', (d: Buffer) => this.received(d));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.exited = new Promise((r) => this.child.on('exit', () => r()));
  }

  /** what s_client said on stderr (the last 2000 characters) */
  get log(): string {
    return this.stderr;
  }

  private received(d: Buffer): void {
    for (const m of splitMessages(d) ?? []) this.handle(m);
  }

  private handle(m: Msg): void {
    if (isRequestCode(m.code)) {
      this.requests.push(m);
      const answer = this.onRequest(m);
      if (answer) this.send(answer);
      return;
    }
    this.waiting.get(m.mid)?.(m);
  }

  send(m: Msg): void {
    this.child.stdin.write(encodeMsg(m));
  }

  /** Sends a CON request; resolves with the piggybacked answer (rejects after `ms`). */
  request(m: Omit<Msg, 'mid' | 'token' | 'type'>, ms = 8000): Promise<Msg> {
    const mid = this.mid++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(mid);
        reject(new Error(`no answer over DTLS (${this.stderr.trim().split('\n').slice(-2).join(' | ')})`));
      }, ms);
      this.waiting.set(mid, (r) => {
        clearTimeout(timer);
        this.waiting.delete(mid);
        resolve(r);
      });
      this.send({ ...m, type: 'CON', mid, token: randomBytes(4) });
    });
  }

  async stop(): Promise<void> {
    this.child.kill();
    await this.exited;
  }
}
