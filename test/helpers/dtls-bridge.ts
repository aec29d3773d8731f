/**
 * Runs the full LwM2M test client over DTLS: the client talks plain CoAP to a loopback UDP
 * socket of the bridge, the bridge carries each datagram over a DTLS peer (openssl s_client
 * as a child process, or the test DTLS client) to the gateway, and back.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';

/** one DTLS association that carries whole datagrams */
export interface DatagramPipe {
  send(datagram: Buffer): void;
  onData(listener: (datagram: Buffer) => void): void;
  close(): Promise<void>;
}

export class DtlsBridge {
  private client: { address: string; port: number } | undefined;

  private constructor(
    private readonly socket: Socket,
    private pipe: DatagramPipe,
  ) {
    socket.on('message', (d, from) => {
      this.client = { address: from.address, port: from.port };
      this.pipe.send(d);
    });
    this.attach(pipe);
  }

  /** a bridge on 127.0.0.1:<port>: point the test client's serverPort at `port` */
  static async start(pipe: DatagramPipe): Promise<DtlsBridge> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return new DtlsBridge(socket, pipe);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private attach(pipe: DatagramPipe): void {
    pipe.onData((d) => {
      if (this.client && pipe === this.pipe) this.socket.send(d, this.client.port, this.client.address);
    });
  }

  async close(): Promise<void> {
    await this.pipe.close();
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}

/** openssl s_client -dtls1_2 as the pipe (PSK or certificate arguments), stdin/stdout carrying one datagram per record */
export function sClientPipe(port: number, args: string[]): DatagramPipe & { output(): string } {
  const child = spawn('/usr/bin/openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-quiet', ...args]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const gone = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    send: (d) => void child.stdin.write(d),
    onData: (l) => void child.stdout.on('data', (d: Buffer) => l(d)),
    output: () => err,
    close: async () => {
      child.kill('SIGTERM');
      await gone;
    },
  };
}
