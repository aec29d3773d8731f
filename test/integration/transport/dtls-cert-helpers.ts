/** openssl s_client as a DTLS 1.2 device with a certificate, speaking CoAP over its stdin and stdout. */
import { spawn } from 'node:child_process';
import { encodeMessage, parseMessage } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import { OPENSSL, until } from './dtls-helpers.js';

export interface CoapSClient {
  received: CoapMessage[];
  output(): string;
  send(m: CoapMessage): void;
  /** sends a Register of `endpoint` (message id `mid`) and resolves with the response code ("2.01") */
  register(endpoint: string, mid?: number): Promise<string>;
  exited(): boolean;
  stop(): Promise<void>;
}

export function coapCode(code: number): string {
  return `${code >> 5}.${String(code & 31).padStart(2, '0')}`;
}

/** s_client -dtls1_2 with `-cert cert -key key -CAfile ca -cipher cipher` (and `-cert_chain`) to 127.0.0.1:port; without a cert it sends none. */
export function certSClient(port: number, o: { cert?: string; key?: string; ca: string; cipher?: string; chain?: string }): CoapSClient {
  const args = ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-CAfile', o.ca, '-cipher', o.cipher ?? 'ECDHE-ECDSA-AES128-CCM8', '-quiet'];
  if (o.cert && o.key) args.push('-cert', o.cert, '-key', o.key);
  if (o.chain) args.push('-cert_chain', o.chain, '-verify_return_error');
  const child = spawn(OPENSSL, args);
  const received: CoapMessage[] = [];
  let err = '';
  let done = false;
  child.stdout.on('data', (d: Buffer) => {
    const p = parseMessage(d);
    if (p.ok) received.push(p.message);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const gone = new Promise<void>((resolve) => child.on('exit', () => ((done = true), resolve())));
  const send = (m: CoapMessage): void => void child.stdin.write(encodeMessage(m, 1280));
  return {
    received,
    output: () => err,
    send,
    exited: () => done,
    async register(endpoint, mid = 1) {
      send({
        type: 0,
        code: 0x02,
        messageId: mid,
        token: Buffer.from([mid & 0xff]),
        options: [
          { number: 11, value: Buffer.from('rd') },
          { number: 12, value: Buffer.from([40]) },
          { number: 15, value: Buffer.from(`ep=${endpoint}`) },
          { number: 15, value: Buffer.from('lt=300') },
        ],
        payload: Buffer.from('</3/0>'),
      });
      await until(() => received.some((m) => m.messageId === mid) || done, 'the Register response');
      const r = received.find((m) => m.messageId === mid);
      if (!r) throw new Error(`s_client ended without a response: ${err}`);
      return coapCode(r.code);
    },
    async stop() {
      if (!done) child.kill();
      await gone;
    },
  };
}
