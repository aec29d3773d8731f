/**
 * The fleet's UDP sockets: how many a process may hold (RLIMIT_NOFILE), the loopback
 * addresses they are spread over, and binding them in batches.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Client } from './device.js';

/** One socket and the clients behind it. */
export interface Slot {
  sock: Socket;
  /** the socket's message id counter, shared by its clients */
  mid: number;
  /** the client that registered without an alternate path */
  primary: Client | undefined;
  /** clients with an alternate path on this socket, by first path segment ("c123") */
  others: Map<string, Client> | undefined;
  /** over DTLS: protects what the fleet sends on this socket (dtls/dtls-slots.ts) */
  seal?: (plaintext: Buffer) => Buffer;
}

/** The soft limit on open files of this process (Linux); 1024 elsewhere. */
export function openFileLimit(): number {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return 1024;
}

/** 127.0.0.2 ... 127.0.0.254: Linux routes all of 127/8 to lo. */
export function defaultAddresses(): string[] {
  const out: string[] = [];
  for (let i = 2; i <= 254; i++) out.push(`127.0.0.${i}`);
  return out;
}

function bindOne(k: number, address: string, onMessage: (k: number, buf: Buffer) => void, onError: () => void): Promise<Slot> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const slot: Slot = { sock, mid: randomInt(0, 65536), primary: undefined, others: undefined };
    sock.once('error', reject);
    sock.bind(0, address, () => {
      sock.off('error', reject);
      sock.on('error', onError);
      sock.on('message', (buf) => onMessage(k, buf));
      resolve(slot);
    });
  });
}

/**
 * Binds `count` sockets to `addresses` in turn (ports chosen by the kernel), 256 at a time.
 * Where the addresses do not exist (no 127/8 route), every socket binds to 127.0.0.1.
 */
export async function bindSlots(count: number, addresses: readonly string[], onMessage: (k: number, buf: Buffer) => void, onError: () => void): Promise<Slot[]> {
  const slots: Slot[] = [];
  let addrs = addresses;
  for (let j = 0; j < count; j += 256) {
    const batch: Promise<Slot>[] = [];
    for (let k = j; k < Math.min(count, j + 256); k++) batch.push(bindOne(k, addrs[k % addrs.length]!, onMessage, onError));
    const settled = await Promise.allSettled(batch);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) {
      for (const r of settled) if (r.status === 'fulfilled') slots.push(r.value);
      continue;
    }
    for (const r of settled) if (r.status === 'fulfilled') r.value.sock.close();
    if ((failed.reason as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL' && addrs.length > 1) {
      addrs = ['127.0.0.1'];
      j -= 256;
      continue;
    }
    for (const s of slots) s.sock.close();
    throw failed.reason;
  }
  return slots;
}
