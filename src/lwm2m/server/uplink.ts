/**
 * Requests from clients, typed by the binding that carried them: Register, Update,
 * De-register, Send, Bootstrap-Request and Bootstrap-Pack. Bootstrap is not served here
 * (notFound; Bootstrap-Pack: notImplemented, clients fall back to Bootstrap-Request).
 * Events go out after the response (afterResponse): a listener may send a request to the
 * client at once and it must not overtake the answer to the Register.
 */
import { RESULT_NUMBERS, sameIdentity } from '../transport.js';
import type { Peer, RegisterUplink, SendUplink, UpdateUplink, Uplink, UplinkErrorCode, UplinkResult } from '../transport.js';
import { decodeSend } from './operations/index.js';
import { guessSendFormat } from './operations/format.js';
import { applyUpdate, buildRegistration, isRefusal, newRegistrationId, parseRegister, parseUpdate } from './registration.js';
import type { Refusal } from './registration.js';
import { FULL_RETRY_SECONDS } from './register-guard.js';
import type { ServerCore } from './core.js';
import type { Registration } from './types.js';
import { credentialsProblem } from './security.js';

/** The results without a body: one frozen object each, shared. */
const CHANGED: UplinkResult = Object.freeze({ code: 'changed' });
const DELETED: UplinkResult = Object.freeze({ code: 'deleted' });
const ERRORS = new Map<UplinkErrorCode, UplinkResult>();
const answer = (code: UplinkErrorCode): UplinkResult => {
  let r = ERRORS.get(code);
  if (!r) ERRORS.set(code, (r = Object.freeze({ code })));
  return r;
};


/** The answer to a refused Register or Update; a counted refusal is logged (rate-limited), others at debug. */
function refused(core: ServerCore, what: 'register' | 'update', peer: Peer, r: Refusal, endpoint?: string): UplinkResult {
  const fields = { code: RESULT_NUMBERS[r.code], peer: peer.key, reason: r.reason, ...(endpoint !== undefined ? { endpoint } : {}) };
  if (r.kind) core.guard.refused(r.kind, what, fields);
  else core.log.debug(`lwm2m: ${what} refused`, fields);
  return r.retryAfter !== undefined ? { code: r.code, retryAfter: r.retryAfter } : answer(r.code);
}

/** The registration now speaks from another address or port. */
function moved(a: Peer, b: Peer): boolean {
  return a.key !== b.key || a.address !== b.address || a.port !== b.port;
}

export function handleUplink(core: ServerCore, peer: Peer, uplink: Uplink): UplinkResult {
  switch (uplink.kind) {
    case 'register':
      return register(core, peer, uplink);
    case 'update':
      return update(core, peer, uplink);
    case 'deregister':
      return deregister(core, peer, uplink.registrationId);
    case 'send':
      return send(core, peer, uplink);
    case 'bootstrapRequest':
      return answer('notFound');
    case 'bootstrapPack':
      return answer('notImplemented');
    default:
      return answer('badRequest');
  }
}

function register(core: ServerCore, peer: Peer, req: RegisterUplink): UplinkResult {
  const { limits, rate } = core.guard;
  // checked first: a flood from one address costs no parsing
  if (!rate.take(peer.address, core.clock.now())) {
    const reason = `more than ${limits.registerRatePerAddress} Registers a second from ${peer.address}`;
    return refused(core, 'register', peer, { ok: false, code: 'tooManyRequests', reason, kind: 'rate', retryAfter: rate.retryAfter(peer.address) });
  }
  const p = parseRegister(req.params, req.links, req.contentFormat, core.lifetime, limits);
  if (isRefusal(p)) return refused(core, 'register', peer, p);
  const unauthorised = credentialsProblem(core.store.security, core.security, p.endpoint, peer.identity, peer.identityMode);
  if (unauthorised) return refused(core, 'register', peer, { ok: false, code: 'forbidden', reason: unauthorised, kind: 'credentials' }, p.endpoint);
  if (core.store.size >= limits.maxRegistrations && !core.store.getByEndpoint(p.endpoint)) {
    const reason = `${core.store.size} registrations, the maximum`;
    return refused(core, 'register', peer, { ok: false, code: 'serviceUnavailable', reason, kind: 'registrations', retryAfter: FULL_RETRY_SECONDS }, p.endpoint);
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
  return { code: 'created', registrationId: id };
}

/** Update and De-register must come over the security context of the Register (same identity, or none for both). */
function sameSecurity(a: Peer, b: Peer): boolean {
  return a.transport === b.transport && sameIdentity(a, b);
}

function update(core: ServerCore, peer: Peer, req: UpdateUplink): UplinkResult {
  const id = req.registrationId;
  const prev = core.store.get(id);
  if (!prev) return answer('notFound');
  if (!sameSecurity(prev.peer, peer)) {
    core.log.debug('lwm2m: update over another security context refused', { peer: peer.key, endpoint: prev.endpoint });
    return answer('forbidden');
  }
  // credentials given or changed since the Register count from now on
  const unauthorised = credentialsProblem(core.store.security, core.security, prev.endpoint, peer.identity, peer.identityMode);
  if (unauthorised) return refused(core, 'update', peer, { ok: false, code: 'forbidden', reason: unauthorised, kind: 'credentials' }, prev.endpoint);
  const u = parseUpdate(req.params, req.links, req.contentFormat, core.lifetime, prev.rootPath, core.guard.limits);
  if (isRefusal(u)) return refused(core, 'update', peer, u, prev.endpoint);
  const next = applyUpdate(prev, u, peer, core.clock.now());
  if (!core.store.update(next)) return answer('notFound');
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
  return CHANGED;
}

function deregister(core: ServerCore, peer: Peer, id: string): UplinkResult {
  const found = core.store.get(id);
  if (!found) return answer('notFound');
  if (!sameSecurity(found.peer, peer)) return answer('forbidden');
  const removed = core.store.remove(id);
  if (!removed) return answer('notFound');
  const reg = removed.registration;
  if (moved(reg.peer, peer)) {
    core.log.warn('lwm2m: de-registered from another address', { endpoint: reg.endpoint, registeredFrom: addressOf(reg), from: `${peer.address}:${peer.port}` });
  }
  core.endRegistration(removed, 'deregistered', true);
  core.log.debug('lwm2m: deregistered', { endpoint: reg.endpoint, peer: peer.key });
  core.afterResponse(() => core.emit('deregistered', reg));
  return DELETED;
}

/**
 * Send (LwM2M 1.1+): the client is known by the address it speaks from (or its
 * authenticated identity); an unknown sender gets notFound (no registration to report for).
 */
function send(core: ServerCore, peer: Peer, req: SendUplink): UplinkResult {
  const found = core.registrationAt(peer);
  if (!found) {
    core.log.debug('lwm2m: send from an unregistered client', { peer: peer.key });
    return answer('notFound');
  }
  const reg = core.touch(found, peer);
  const decoded = decodeSend(reg, req.contentFormat, req.payload, core.ctx);
  if (!decoded.ok) {
    core.log.debug('lwm2m: send refused', { endpoint: reg.endpoint, code: decoded.code, reason: decoded.message });
    return answer(decoded.code === '4.15' ? 'unsupportedContentFormat' : 'badRequest');
  }
  const receivedAt = core.clock.now();
  // without a Content-Format the decoder recognised the format from the bytes
  const contentFormat = req.contentFormat ?? guessSendFormat(req.payload) ?? -1;
  core.afterResponse(() => core.emit('send', { registration: reg, data: decoded.data, contentFormat, receivedAt }));
  return CHANGED;
}

function addressOf(reg: Registration): string {
  return `${reg.peer.address}:${reg.peer.port}`;
}
