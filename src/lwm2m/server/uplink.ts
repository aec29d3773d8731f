/**
 * Requests from clients: Register (`POST /rd`), Update (`POST /rd/<id>`, PUT too for old
 * clients), De-register (`DELETE /rd/<id>`), Send (`POST /dp`). Bootstrap is not served
 * here (4.04). Events go out after the response (afterResponse): a listener may send a
 * request to the client at once and it must not overtake the 2.01.
 */
import type { Peer, UplinkRequest, UplinkResponse } from '../transport.js';
import { decodeSend } from './operations/index.js';
import { guessSendFormat } from './operations/format.js';
import { applyUpdate, buildRegistration, isRefusal, newRegistrationId, parseRegister, parseUpdate } from './registration.js';
import type { Refusal } from './registration.js';
import { FULL_RETRY_SECONDS } from './register-guard.js';
import type { ServerCore } from './core.js';
import type { Registration } from './types.js';

const answer = (code: string): UplinkResponse => ({ code });

/** The answer to a refused Register or Update; a counted refusal is logged (rate-limited), others at debug. */
function refused(core: ServerCore, what: 'register' | 'update', peer: Peer, r: Refusal, endpoint?: string): UplinkResponse {
  const fields = { code: r.code, peer: peer.key, reason: r.reason, ...(endpoint !== undefined ? { endpoint } : {}) };
  if (r.kind) core.guard.refused(r.kind, what, fields);
  else core.log.debug(`lwm2m: ${what} refused`, fields);
  return r.maxAge !== undefined ? { code: r.code, maxAge: r.maxAge } : answer(r.code);
}

/** The registration now speaks from another address or port. */
function moved(a: Peer, b: Peer): boolean {
  return a.key !== b.key || a.address !== b.address || a.port !== b.port;
}

export function handleUplink(core: ServerCore, peer: Peer, req: UplinkRequest): UplinkResponse {
  const [first, second, ...rest] = req.uriPath;
  switch (first) {
    case 'rd':
      if (second === undefined || second === '') {
        if (rest.length > 0) return answer('4.04');
        return req.method === 'POST' ? register(core, peer, req) : answer('4.05');
      }
      if (rest.length > 0) return answer('4.04');
      if (req.method === 'POST' || req.method === 'PUT') return update(core, peer, second, req);
      if (req.method === 'DELETE') return deregister(core, peer, second);
      return answer('4.05');
    case 'dp':
      if (second !== undefined) return answer('4.04');
      return req.method === 'POST' ? send(core, peer, req) : answer('4.05');
    case 'bspack':
      // LwM2M 1.2 Bootstrap-Pack: not implemented (clients fall back to Bootstrap-Request)
      return answer('5.01');
    default:
      return answer('4.04');
  }
}

function register(core: ServerCore, peer: Peer, req: UplinkRequest): UplinkResponse {
  const { limits, rate } = core.guard;
  // checked first: a flood from one address costs no parsing
  if (!rate.take(peer.address, core.clock.now())) {
    const reason = `more than ${limits.registerRatePerAddress} Registers a second from ${peer.address}`;
    return refused(core, 'register', peer, { ok: false, code: '4.29', reason, kind: 'rate', maxAge: rate.retryAfter(peer.address) });
  }
  const p = parseRegister(req.uriQuery, req.payload, req.contentFormat, core.lifetime, limits);
  if (isRefusal(p)) return refused(core, 'register', peer, p);
  if (core.store.size >= limits.maxRegistrations && !core.store.getByEndpoint(p.endpoint)) {
    const reason = `${core.store.size} registrations, the maximum`;
    return refused(core, 'register', peer, { ok: false, code: '5.03', reason, kind: 'registrations', maxAge: FULL_RETRY_SECONDS }, p.endpoint);
  }
  let id = newRegistrationId();
  while (core.store.get(id)) id = newRegistrationId();
  const now = core.clock.now();
  const reg = buildRegistration(id, p, peer, now);
  const replaced = core.store.add(reg);
  if (replaced) core.endRegistration(replaced, 'replaced', false);
  core.indexPeer(reg);
  core.scheduleExpiry(reg);
  core.log.debug('lwm2m: registered', { endpoint: reg.endpoint, peer: peer.key });
  core.afterResponse(() => {
    const current = core.store.get(id);
    if (!current) return;
    // a queue from the previous registration drains now if this one does not sleep
    const wasAsleep = current.queueMode || core.queues.waiting(current.endpoint) > 0 ? core.queues.wake(current.endpoint) : false;
    core.emit('registered', current);
    if (current.queueMode && wasAsleep) core.emit('awake', current);
  });
  return { code: '2.01', location: ['rd', id] };
}

/** Update and De-register must come over the security context of the Register (same identity, or none for both). */
function sameSecurity(a: Peer, b: Peer): boolean {
  return a.transport === b.transport && a.identity === b.identity;
}

function update(core: ServerCore, peer: Peer, id: string, req: UplinkRequest): UplinkResponse {
  const prev = core.store.get(id);
  if (!prev) return answer('4.04');
  if (!sameSecurity(prev.peer, peer)) {
    core.log.debug('lwm2m: update over another security context refused', { peer: peer.key, endpoint: prev.endpoint });
    return answer('4.03');
  }
  const u = parseUpdate(req.uriQuery, req.payload, req.contentFormat, core.lifetime, prev.rootPath, core.guard.limits);
  if (isRefusal(u)) return refused(core, 'update', peer, u, prev.endpoint);
  const next = applyUpdate(prev, u, peer, core.clock.now());
  if (!core.store.update(next)) return answer('4.04');
  core.indexPeer(next, prev);
  core.scheduleExpiry(next);
  // still accepted (NAT rebinding moves clients), but whoever sent it holds the id: reported
  const movedFrom = moved(prev.peer, peer) ? prev.peer : undefined;
  if (movedFrom) core.addressChanged(next, movedFrom, 'update');
  core.afterResponse(() => {
    const current = core.store.get(id);
    if (!current) return;
    const wasAsleep = current.queueMode || core.queues.waiting(current.endpoint) > 0 ? core.queues.wake(current.endpoint) : false;
    if (current.queueMode && wasAsleep) core.emit('awake', current);
    core.emit('updated', current, prev);
  });
  return answer('2.04');
}

function deregister(core: ServerCore, peer: Peer, id: string): UplinkResponse {
  const found = core.store.get(id);
  if (!found) return answer('4.04');
  if (!sameSecurity(found.peer, peer)) return answer('4.03');
  const removed = core.store.remove(id);
  if (!removed) return answer('4.04');
  const reg = removed.registration;
  if (moved(reg.peer, peer)) {
    core.log.warn('lwm2m: de-registered from another address', { endpoint: reg.endpoint, registeredFrom: addressOf(reg), from: `${peer.address}:${peer.port}` });
  }
  core.endRegistration(removed, 'deregistered', true);
  core.log.debug('lwm2m: deregistered', { endpoint: reg.endpoint, peer: peer.key });
  core.afterResponse(() => core.emit('deregistered', reg));
  return answer('2.02');
}

/**
 * Send (LwM2M 1.1+): the client is known by the address it speaks from (or its
 * authenticated identity); an unknown sender gets 4.04 (no registration to report for).
 */
function send(core: ServerCore, peer: Peer, req: UplinkRequest): UplinkResponse {
  const found = core.registrationAt(peer);
  if (!found) {
    core.log.debug('lwm2m: send from an unregistered client', { peer: peer.key });
    return answer('4.04');
  }
  const reg = core.touch(found, peer);
  const decoded = decodeSend(reg, req.contentFormat, req.payload, core.ctx);
  if (!decoded.ok) {
    core.log.debug('lwm2m: send refused', { endpoint: reg.endpoint, code: decoded.code, reason: decoded.message });
    return answer(decoded.code);
  }
  const receivedAt = core.clock.now();
  // without a Content-Format the decoder recognised the format from the bytes
  const contentFormat = req.contentFormat ?? guessSendFormat(req.payload) ?? -1;
  core.afterResponse(() => core.emit('send', { registration: reg, data: decoded.data, contentFormat, receivedAt }));
  return answer('2.04');
}

function addressOf(reg: Registration): string {
  return `${reg.peer.address}:${reg.peer.port}`;
}
