/**
 * UDP peers: one key per source address and port, IPv4-mapped IPv6 addresses folded to IPv4.
 */
import { isIP, isIPv4 } from 'node:net';
import type { Peer } from '../../lwm2m/transport.js';

export const TRANSPORT_NAME = 'udp';

/** "::ffff:1.2.3.4" -> "1.2.3.4"; everything else unchanged. */
export function normalizeAddress(address: string): string {
  // every datagram and send comes through here: the regular expression only for what can match
  if (address.charCodeAt(0) !== 58 /* ':' */) return address;
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m && isIPv4(m[1]!) ? m[1]! : address;
}

export function udpPeer(address: string, port: number): Peer {
  const a = normalizeAddress(address);
  return { transport: TRANSPORT_NAME, key: makeKey(a, port), address: a, port };
}

/** The key for a peer handed in by the core, recomputed so a hand-made Peer still matches. */
export function peerKey(peer: Peer): string {
  return makeKey(normalizeAddress(peer.address), peer.port);
}

/**
 * "udp:address:port" as one flat string: joined rather than concatenated, so a kept key
 * is not a chain of its parts (which a registration would hold on to for its lifetime).
 */
function makeKey(address: string, port: number): string {
  return [TRANSPORT_NAME, address, port].join(':');
}

/** A Peer as `udpPeer` makes it (normalized address, matching key), safe to keep as is. */
export function isOwnPeer(peer: Peer): boolean {
  return (
    peer.transport === TRANSPORT_NAME && peer.address === normalizeAddress(peer.address) && peer.key === peerKey(peer)
  );
}

/** Where to send on a socket of this family: IPv4 peers on a dual-stack socket become mapped. */
export function wireAddress(address: string, socketFamily: 'udp4' | 'udp6'): string {
  const a = normalizeAddress(address);
  return socketFamily === 'udp6' && isIPv4(a) ? `::ffff:${a}` : a;
}

/** The UDP Peer to send to for one the core hands in (its own when it is one of ours); undefined when no UDP socket can reach it. */
export function reachableUdpPeer(peer: Peer): Peer | undefined {
  if (!isIP(normalizeAddress(peer.address)) || !Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65535) return undefined;
  // the registration's own Peer when it is one of ours (no copy kept per observation)
  return isOwnPeer(peer) ? peer : udpPeer(peer.address, peer.port);
}
