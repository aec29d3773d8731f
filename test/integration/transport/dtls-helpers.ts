/** Peers for the DTLS tests: openssl s_client as a DTLS 1.2 PSK client, a recording UDP relay. */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { DtlsDatagramEndpoint } from '../../../src/transport/dtls/dtls-endpoint.js';
import type { DtlsEndpointOptions } from '../../../src/transport/dtls/dtls-endpoint.js';
import type { Peer } from '../../../src/lwm2m/transport.js';

export const OPENSSL = '/usr/bin/openssl';
export const noOpenssl = !existsSync(OPENSSL) && 'openssl is not installed';

/** Resolves once `cond()` holds, checking every 20 ms; rejects after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface SClient {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited(): boolean;
  write(line: string): void;
  stop(): Promise<void>;
}

/**
 * openssl s_client -dtls1_2 with a PSK and one suite (default TLS_PSK_WITH_AES_128_CCM_8), talking to 127.0.0.1:port;
 * `extra` arguments replace -quiet (so the output tells a resumed session: "Reused").
 */
export function sClient(port: number, identity: string, keyHex: string, cipher = 'PSK-AES128-CCM8', extra: string[] = ['-quiet']): SClient {
  const child = spawn(OPENSSL, ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-psk_identity', identity, '-psk', keyHex, '-cipher', cipher, ...extra]);
  let out = '';
  let done = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const gone = new Promise<void>((resolve) => child.on('exit', () => ((done = true), resolve())));
  return {
    child,
    output: () => out,
    exited: () => done,
    write: (line) => child.stdin.write(line),
    stop: async () => {
      if (!done) child.kill();
      await gone;
    },
  };
}

/** A DTLS endpoint on 127.0.0.1 that answers each application datagram with "echo:" and it. */
export async function echoEndpoint(options: Partial<DtlsEndpointOptions> = {}): Promise<{ ep: DtlsDatagramEndpoint; port: number; got: { peer: Peer; data: string }[] }> {
  const got: { peer: Peer; data: string }[] = [];
  const ep = new DtlsDatagramEndpoint({
    psk: (id) => (id.toString() === 'dev1' ? Buffer.from('secretkey') : undefined),
    port: 0,
    address: '127.0.0.1',
    log: { warn: () => {}, debug: () => {} },
    ...options,
  });
  ep.onDatagram((peer, d) => {
    got.push({ peer, data: d.toString() });
    ep.send(peer, Buffer.concat([Buffer.from('echo:'), d]));
  });
  const { port } = await ep.open();
  return { ep, port, got };
}

export const KEY_HEX = Buffer.from('secretkey').toString('hex');

/** A UDP relay between one client and a server port that keeps what the client sent. */
export class Relay {
  readonly fromClient: Buffer[] = [];
  readonly fromServer: Buffer[] = [];
  private client: { address: string; port: number } | undefined;
  private constructor(readonly socket: Socket, readonly port: number) {}

  static async open(serverPort: number): Promise<Relay> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const relay = new Relay(socket, socket.address().port);
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port === serverPort) {
        relay.fromServer.push(msg);
        if (relay.client) socket.send(msg, relay.client.port, relay.client.address);
        return;
      }
      relay.client = { address: rinfo.address, port: rinfo.port };
      relay.fromClient.push(msg);
      socket.send(msg, serverPort, '127.0.0.1');
    });
    return relay;
  }

  /** Sends raw bytes to the server as if from the client. */
  inject(serverPort: number, datagram: Buffer): void {
    this.socket.send(datagram, serverPort, '127.0.0.1');
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
