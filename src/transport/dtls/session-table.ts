/**
 * Where the DTLS endpoint finds a session: by the sender's address for records without a
 * connection ID and for ClientHellos, by connection ID for tls12_cid records (RFC 9146),
 * by Peer key for what the CoAP layer sends.
 *
 * A session with a connection ID has a Peer key of its own (`dtls:cid:<id>`), which stays
 * when the session follows its client to a new address: the CoAP exchanges and
 * observations of that peer carry on, and the core sees the same peer at a new address
 * (an addressChanged event, as after a NAT rebinding over plain UDP). A session without
 * one is keyed by its address, as a UDP peer is.
 *
 * A new handshake from the address of an established session waits beside it
 * (`replacing`) and takes its place only once it completes.
 */
import type { Peer } from '../../lwm2m/transport.js';
import { ConnectionIds } from './connection-id.js';
import type { DtlsSession } from './session.js';

export const DTLS_TRANSPORT = 'dtls';

export interface Entry {
  session: DtlsSession;
  peer: Peer;
  /** the address key it is found under (peerKey of its current address and port) */
  at: string;
}

export function peerKey(address: string, port: number): string {
  return [DTLS_TRANSPORT, address, port].join(':');
}

export class SessionTable {
  /** the session serving each address */
  private readonly byAddress = new Map<string, Entry>();
  /** a new handshake from the address of an established session, until it completes */
  private readonly replacing = new Map<string, Entry>();
  /** established sessions by Peer key */
  private readonly byKey = new Map<string, Entry>();
  /** the sessions still in their handshake */
  private readonly halfOpen = new Set<Entry>();
  readonly cids: ConnectionIds<Entry>;

  constructor(connectionIdLength: number) {
    this.cids = new ConnectionIds(connectionIdLength);
  }

  get size(): number {
    return this.byAddress.size + this.replacing.size;
  }

  /** sessions serving an address (established, or in a handshake no other waits beside) */
  get serving(): number {
    return this.byAddress.size;
  }

  get handshakes(): number {
    return this.halfOpen.size;
  }

  at(addressKey: string): Entry | undefined {
    return this.byAddress.get(addressKey);
  }

  waiting(addressKey: string): Entry | undefined {
    return this.replacing.get(addressKey);
  }

  /** Records of an address with a new handshake under way go to it while plaintext or handshake; the rest to the established session. */
  route(addressKey: string, epoch: number, type: number, handshakeType: number): Entry | undefined {
    const next = this.replacing.get(addressKey);
    if (next && (epoch === 0 || type === handshakeType)) return next;
    return this.byAddress.get(addressKey);
  }

  byCid(cid: Buffer): Entry | undefined {
    return this.cids.get(cid);
  }

  byPeerKey(key: string): Entry | undefined {
    return this.byKey.get(key);
  }

  /** A session in its handshake; beside the established one of its address (`waits`) or in place of the one there. */
  add(e: Entry, waits: boolean): void {
    this.halfOpen.add(e);
    const own = e.session.connectionId;
    if (own) {
      this.cids.bind(own, e);
      e.peer = { ...e.peer, key: `${DTLS_TRANSPORT}:cid:${own.toString('hex')}` };
    }
    (waits ? this.replacing : this.byAddress).set(e.at, e);
  }

  /** The handshake finished: the entry serves its address (the one it replaces is returned, to be closed). */
  established(e: Entry): Entry | undefined {
    this.halfOpen.delete(e);
    let replaced: Entry | undefined;
    if (this.replacing.get(e.at) === e) {
      replaced = this.byAddress.get(e.at);
      this.replacing.delete(e.at);
      this.byAddress.set(e.at, e);
    }
    this.byKey.set(e.peer.key, e);
    return replaced;
  }

  closed(e: Entry): void {
    this.halfOpen.delete(e);
    if (this.byAddress.get(e.at) === e) this.byAddress.delete(e.at);
    if (this.replacing.get(e.at) === e) this.replacing.delete(e.at);
    if (this.byKey.get(e.peer.key) === e) this.byKey.delete(e.peer.key);
    const own = e.session.connectionId;
    if (own) this.cids.release(own, e);
  }

  /** The session now serves the new address; a session still there (its peer is gone from it) is returned, to be closed. */
  move(e: Entry, address: string, port: number): Entry | undefined {
    const to = peerKey(address, port);
    if (this.byAddress.get(e.at) === e) this.byAddress.delete(e.at);
    const occupant = this.byAddress.get(to);
    e.at = to;
    e.peer = { ...e.peer, address, port };
    this.byAddress.set(to, e);
    return occupant !== e ? occupant : undefined;
  }

  all(): Entry[] {
    return [...this.byAddress.values(), ...this.replacing.values()];
  }

  clear(): void {
    this.byAddress.clear();
    this.replacing.clear();
    this.byKey.clear();
    this.halfOpen.clear();
    this.cids.clear();
  }
}
