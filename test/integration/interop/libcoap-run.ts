/** Runs libcoap's coap-client-openssl / coap-client-gnutls and reads the CoAP code it logged. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const OPENSSL_CLIENT = '/usr/bin/coap-client-openssl';
export const GNUTLS_CLIENT = '/usr/bin/coap-client-gnutls';
export const missing = (c: string): string | false => !existsSync(c) && `${c} (Debian libcoap3-bin) is not installed`;

/** The CoAP code of a response line ("v:1 t:ACK c:2.01 ..."), undefined for requests and other lines. */
function responseCode(line: string): string | undefined {
  if (!line.startsWith('v:1 t:')) return undefined;
  const at = line.indexOf(' c:');
  const cls = at >= 0 ? line.charCodeAt(at + 3) : 0;
  return cls >= 0x32 && cls <= 0x35 && line[at + 4] === '.' ? line.slice(at + 3, at + 7) : undefined;
}

/** Runs the client with -v 6 and `args`: the last response code it logged (undefined when none came) and its output. */
export function runCoapClient(client: string, args: string[]): Promise<{ code: string | undefined; out: string }> {
  return new Promise((resolve) => {
    execFile(client, ['-B', '4', '-v', '6', ...args], { timeout: 10_000, encoding: 'utf8' }, (_err, stdout, stderr) => {
      const out = stdout + stderr;
      const codes = out.split('\n').map(responseCode).filter((c) => c !== undefined);
      resolve({ code: codes[codes.length - 1], out });
    });
  });
}

/** the arguments of a Register of `endpoint` at coaps://127.0.0.1:port */
export function registerArgs(port: number, endpoint: string): string[] {
  return ['-m', 'post', '-t', '40', '-e', '</3/0>', `coaps://127.0.0.1:${port}/rd?ep=${endpoint}&lt=300&lwm2m=1.1&b=U`];
}
