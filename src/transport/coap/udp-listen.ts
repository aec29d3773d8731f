/**
 * Which socket to listen on: the configured address, and for the default "::" (IPv6 and
 * IPv4) on a host without IPv6, IPv4 alone instead, with a line in the log.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, isIPv4 } from 'node:net';
import type { CoapLogger } from './context.js';

export type SocketType = 'udp4' | 'udp6';

/** What binding "::" answers on a host without IPv6 (kernel built without it, or turned off). */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

/**
 * Binds with `bind` on `address`; when that is "::" and the host has no IPv6, binds
 * 0.0.0.0 instead and says so. Any other failure is thrown as it came.
 */
export async function bindListener<T>(bind: (type: SocketType, address: string) => Promise<T>, address: string, log: CoapLogger): Promise<T> {
  try {
    return await bind(isIPv4(address) ? 'udp4' : 'udp6', address);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (address !== '::' || code === undefined || !NO_IPV6.has(code)) throw err;
    log.warn('coap: no IPv6 on this host: listening on IPv4 only (0.0.0.0)', { address, error: code });
    return bind('udp4', '0.0.0.0');
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The socket's name lookup: an address literal (every send of ours: the peers are addresses)
 * answers at once, where dns.lookup defers each send to the next tick; a name still goes to
 * dns.lookup.
 */
function literalLookup(hostname: string, family: number, callback: LookupCallback): void {
  const f = isIP(hostname);
  if (f !== 0) callback(null, hostname, f);
  else dnsLookup(hostname, family, callback);
}

/** A UDP socket of `type` bound to address and port (dual-stack for udp6); rejects with the bind error. */
export function bindUdpSocket(type: SocketType, address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, ipv6Only: false, lookup: literalLookup as never });
    const onError = (err: Error): void => {
      s.close();
      reject(err);
    };
    s.once('error', onError);
    s.bind({ port, address }, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}
