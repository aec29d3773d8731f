/**
 * The HTTP binding's DeviceTransport: the gateway never connects to an HTTP client, so a
 * downlink request is held for the client (by its peer key) until the client fetches it
 * with a long poll (`GET /dm`) and posts the answer (`POST /dm/<token>`). A request not
 * answered within the core's timeout fails with TIMEOUT.
 *
 * Bounded: `maxHeld` requests per client (one more fails at once), `maxPolls` open polls
 * per client (one more ends the oldest with nothing), tokens of 8 random bytes.
 */
import { randomBytes } from 'node:crypto';
import { TransportError } from '../../lwm2m/transport.js';
import type { DeviceTransport, DownlinkRequest, DownlinkResponse, MessageTraceSink, Peer, SendOptions } from '../../lwm2m/transport.js';
import { carried } from './downlink-wire.js';
import { HttpTracers } from './http-trace.js';

/** when the core gives no timeout */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface HeldRequest {
  readonly token: string;
  readonly request: DownlinkRequest;
  delivered: boolean;
  readonly resolve: (r: DownlinkResponse) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Poll {
  readonly take: (held: HeldRequest | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

interface Client {
  readonly held: HeldRequest[];
  readonly polls: Poll[];
}

export interface HeldRequestsOptions {
  maxHeld: number;
  maxPolls: number;
}

export class HeldRequests implements DeviceTransport {
  readonly name = 'http';
  /** Observe is not in the HTTP binding: the core answers such requests 4.05 without holding them */
  readonly supportsObserve = false;
  /** the traced peers' sinks: the request handler records their requests and answers */
  readonly tracers = new HttpTracers();
  private readonly clients = new Map<string, Client>();
  private stopped = false;

  constructor(private readonly opts: HeldRequestsOptions) {}

  send(peer: Peer, request: DownlinkRequest, options?: SendOptions): Promise<DownlinkResponse> {
    if (this.stopped) return Promise.reject(new TransportError('STOPPED', 'the HTTP binding is stopped'));
    if (!carried(request.op)) return Promise.reject(new TransportError('UNREACHABLE', `${request.op} is not in the HTTP binding (the client reports with Send)`));
    const client = this.client(peer.key);
    if (client.held.length >= this.opts.maxHeld) {
      return Promise.reject(new TransportError('UNREACHABLE', `${this.opts.maxHeld} requests already wait for the client to fetch them`));
    }
    return new Promise<DownlinkResponse>((resolve, reject) => {
      const token = randomBytes(8).toString('hex');
      const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.remove(peer.key, token);
        reject(new TransportError('TIMEOUT', `not fetched and answered within ${timeoutMs} ms`));
      }, timeoutMs);
      const held: HeldRequest = { token, request, delivered: false, resolve, reject, timer };
      client.held.push(held);
      const poll = client.polls.shift();
      if (poll) {
        clearTimeout(poll.timer);
        held.delivered = true;
        poll.take(held);
      }
    });
  }

  /**
   * The next request for the client not yet fetched, waiting up to `waitMs` for one;
   * undefined when none came. `closed` tells when the poll's connection went away.
   */
  next(peerKey: string, waitMs: number, closed: (onClose: () => void) => void): Promise<HeldRequest | undefined> {
    const client = this.clients.get(peerKey);
    const ready = client?.held.find((h) => !h.delivered);
    if (ready) {
      ready.delivered = true;
      return Promise.resolve(ready);
    }
    if (this.stopped || waitMs <= 0) return Promise.resolve(undefined);
    const c = client ?? this.client(peerKey);
    return new Promise((resolve) => {
      const poll: Poll = {
        take: resolve,
        timer: setTimeout(() => {
          this.dropPoll(peerKey, poll);
          resolve(undefined);
        }, waitMs),
      };
      if (c.polls.length >= this.opts.maxPolls) {
        const oldest = c.polls.shift()!;
        clearTimeout(oldest.timer);
        oldest.take(undefined);
      }
      c.polls.push(poll);
      closed(() => {
        clearTimeout(poll.timer);
        this.dropPoll(peerKey, poll);
        resolve(undefined);
      });
    });
  }

  tracePeer(peer: Peer, sink: MessageTraceSink | undefined): void {
    this.tracers.set(peer, sink);
  }

  /** A fetched request could not be written to the poll: it waits for the next one. */
  undeliver(held: HeldRequest): void {
    held.delivered = false;
  }

  /** The fetched request of this client with this token, left in place. */
  find(peerKey: string, token: string): HeldRequest | undefined {
    return this.clients.get(peerKey)?.held.find((h) => h.token === token && h.delivered);
  }

  /** The fetched request of this client with this token, taken out (its caller resolves it). */
  take(peerKey: string, token: string): HeldRequest | undefined {
    const client = this.clients.get(peerKey);
    const held = client?.held.find((h) => h.token === token && h.delivered);
    if (!held) return undefined;
    this.remove(peerKey, token);
    clearTimeout(held.timer);
    return held;
  }

  /**
   * The client registered anew or de-registered: the requests held for its old
   * registration (the core has given up on them) are dropped, not fetched later.
   */
  dropHeld(peerKey: string): void {
    const c = this.clients.get(peerKey);
    if (!c) return;
    for (const h of c.held.splice(0)) {
      clearTimeout(h.timer);
      h.reject(new TransportError('UNREACHABLE', 'the registration ended'));
    }
    this.forgetIfIdle(peerKey, c);
  }

  /** Requests held now, over all clients (for tests and stats). */
  get heldCount(): number {
    let n = 0;
    for (const c of this.clients.values()) n += c.held.length;
    return n;
  }

  /** Fails every held request (STOPPED) and ends every poll. */
  stop(): void {
    this.stopped = true;
    for (const c of this.clients.values()) {
      for (const h of c.held) {
        clearTimeout(h.timer);
        h.reject(new TransportError('STOPPED', 'the HTTP binding stopped'));
      }
      for (const p of c.polls) {
        clearTimeout(p.timer);
        p.take(undefined);
      }
    }
    this.clients.clear();
  }

  restart(): void {
    this.stopped = false;
  }

  private client(key: string): Client {
    let c = this.clients.get(key);
    if (!c) this.clients.set(key, (c = { held: [], polls: [] }));
    return c;
  }

  private remove(peerKey: string, token: string): void {
    const c = this.clients.get(peerKey);
    if (!c) return;
    const i = c.held.findIndex((h) => h.token === token);
    if (i >= 0) c.held.splice(i, 1);
    this.forgetIfIdle(peerKey, c);
  }

  private dropPoll(peerKey: string, poll: Poll): void {
    const c = this.clients.get(peerKey);
    if (!c) return;
    const i = c.polls.indexOf(poll);
    if (i >= 0) c.polls.splice(i, 1);
    this.forgetIfIdle(peerKey, c);
  }

  private forgetIfIdle(key: string, c: Client): void {
    if (c.held.length === 0 && c.polls.length === 0) this.clients.delete(key);
  }
}
