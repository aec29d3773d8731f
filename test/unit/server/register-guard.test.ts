/**
 * What a hostile or broken client cannot make the server hold or print: endpoint names
 * with control characters, too many links, large payloads, too many registrations, a
 * flood of Registers from one address; and a registration moving address is reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/log.js';
import type { Peer } from '../../../src/lwm2m/transport.js';
import type { Registration } from '../../../src/lwm2m/server/index.js';
import { settle } from '../../helpers/fake-clock.js';
import { MemoryTransport, memPeer } from '../../helpers/memory-transport.js';
import { Gateway } from '../../../src/gateway.js';
import { loadConfig } from '../../../src/config/load.js';
import { setupServer } from '../../helpers/server-setup.js';
import type { ServerSetup } from '../../helpers/server-setup.js';
import type { LwM2mServerOptions } from '../../../src/lwm2m/server/index.js';
import { psk } from '../../helpers/security-store-contract.js';

const LINKS = '</>;rt="oma.lwm2m",</1/0>,</3/0>';

function setup(opts: Partial<LwM2mServerOptions> = {}): ServerSetup & { lines: string[] } {
  const lines: string[] = [];
  return { ...setupServer({ logger: createLogger('warn', (l) => lines.push(l)), ...opts }), lines };
}

function objectLinks(n: number): string {
  const out = ['</>;rt="oma.lwm2m"'];
  for (let i = 0; i < n; i++) out.push(`</3303/${i}>`);
  return out.join(',');
}

void test('endpoint names with control characters or lone surrogates, or over 255 bytes, are refused with 4.00 and counted', async () => {
  const { server, mem, lines } = setup();
  const bad = ['evil\nname', 'esc\u001b[31m', 'nul\u0000', 'tab\there', 'del\u007f', 'c1\u0085', 'c1\u009f', 'lone\ud800', 'lone\udc00x', 'x'.repeat(256), '\u00e9'.repeat(128)];
  for (const [i, ep] of bad.entries()) {
    const res = await mem.registerResult(memPeer(100 + i), `ep=${ep}`, LINKS, 40);
    assert.equal(res.code, 'badRequest', JSON.stringify(ep));
  }
  assert.equal(server.registrations().length, 0);
  assert.equal(server.refusals().endpointName, bad.length);
  assert.equal(lines.length, 1, 'one WARN line a minute for a kind of refusal');
  assert.match(lines[0]!, /WARN {2}lwm2m: register refused kind=endpointName code=4\.00 /);
  // eslint-disable-next-line no-control-regex -- control characters are what the test looks for
  assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(lines[0]!));
  await server.stop();
});

void test('endpoint names: 255 bytes, non-ASCII letters, symbols and a genuine U+FFFD are accepted', async () => {
  const { server, mem } = setup();
  const good = ['x'.repeat(255), '\u00e9'.repeat(127) + 'x', 'caf\u00e9-\u2603-\ud83d\ude00', 'replacement-\ufffd', 'with space', 'a/b+c#d'];
  for (const [i, ep] of good.entries()) {
    const res = await mem.registerResult(memPeer(200 + i), `ep=${ep}`, LINKS, 40);
    assert.equal(res.code, 'created', JSON.stringify(ep));
    assert.equal(server.getRegistration(ep)?.endpoint, ep);
  }
  assert.equal(server.refusals().endpointName, 0);
  await server.stop();
});

void test('object links above the limit: 4.00 for a Register and for an Update, which keeps the old list', async () => {
  const { server, mem } = setup({ registrationLimits: { maxLinks: 3 } });
  assert.equal((await mem.registerResult(memPeer(1), 'ep=big', objectLinks(4), 40)).code, 'badRequest');
  assert.equal(server.getRegistration('big'), undefined);
  const id = await mem.register(memPeer(1), 'ep=ok', objectLinks(3));
  assert.equal((await mem.update(memPeer(1), id, '', objectLinks(4), 40)).code, 'badRequest');
  assert.deepEqual(server.getRegistration('ok')?.objects.get(3303)?.instances, [0, 1, 2]);
  // far beyond: the parser stops early, still a counted link refusal
  assert.equal((await mem.registerResult(memPeer(2), 'ep=huge', objectLinks(5000), 40)).code, 'badRequest');
  assert.equal(server.refusals().links, 3);
  await server.stop();
});

void test('a payload above the limit: 4.13 for a Register and for an Update', async () => {
  const { server, mem } = setup({ registrationLimits: { maxPayload: 100 } });
  const payload = objectLinks(20);
  assert.ok(payload.length > 100);
  assert.equal((await mem.registerResult(memPeer(1), 'ep=big', payload, 40)).code, 'requestEntityTooLarge');
  const id = await mem.register(memPeer(1), 'ep=ok', LINKS);
  assert.equal((await mem.update(memPeer(1), id, '', payload, 40)).code, 'requestEntityTooLarge');
  assert.equal(server.refusals().payload, 2);
  await server.stop();
});

void test('registrations full: 5.03 with Max-Age for a new endpoint, a known endpoint may register again', async () => {
  const { server, mem } = setup({ registrationLimits: { maxRegistrations: 2 } });
  await mem.register(memPeer(1), 'ep=a', LINKS);
  await mem.register(memPeer(2), 'ep=b', LINKS);
  const res = await mem.registerResult(memPeer(3), 'ep=c', LINKS, 40);
  assert.deepEqual(res, { code: 'serviceUnavailable', retryAfter: 60 });
  assert.equal((await mem.registerResult(memPeer(4), 'ep=a', LINKS, 40)).code, 'created', 'a reboot of a known device');
  assert.equal(server.registrations().length, 2);
  assert.equal(server.refusals().registrations, 1);
  await server.stop();
});

void test('Registers from one address above the rate: 4.29 with Max-Age; other addresses and later Registers pass', async () => {
  const { server, mem, clock } = setup({ registrationLimits: { registerRatePerAddress: 3 } });
  for (let i = 0; i < 3; i++) await mem.register(memPeer(10 + i, '10.0.0.7'), `ep=r${i}`, LINKS);
  const res = await mem.registerResult(memPeer(20, '10.0.0.7'), 'ep=r3', LINKS, 40);
  assert.deepEqual(res, { code: 'tooManyRequests', retryAfter: 1 });
  assert.equal(server.getRegistration('r3'), undefined);
  await mem.register(memPeer(20, '10.0.0.8'), 'ep=other', LINKS);
  clock.advance(400); // one token back (3 a second)
  await mem.register(memPeer(21, '10.0.0.7'), 'ep=r3', LINKS);
  assert.equal((await mem.registerResult(memPeer(22, '10.0.0.7'), 'ep=r4', LINKS, 40)).code, 'tooManyRequests');
  assert.equal(server.refusals().rate, 2);
  await server.stop();
});

void test('refusal lines: one per kind a minute, the next one tells how many were not logged', async () => {
  const { server, mem, clock, lines } = setup({ registrationLimits: { maxPayload: 50 } });
  const payload = objectLinks(20);
  for (let i = 0; i < 5; i++) await mem.registerResult(memPeer(i), 'ep=p', payload, 40);
  await mem.registerResult(memPeer(9), 'ep=bad%0a\n', LINKS, 40);
  assert.equal(lines.length, 2, lines.join('\n'));
  clock.advance(60_000);
  await mem.registerResult(memPeer(6), 'ep=p', payload, 40);
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /kind=payload code=4\.13 .*notLogged=4 total=6$/);
  await server.stop();
});

void test('an Update from another address is accepted, reported with old and new address, and logged once a minute', async () => {
  const { server, mem, clock, lines } = setup();
  const first = memPeer(5683, '192.0.2.1');
  const id = await mem.register(first, 'ep=mover', LINKS);
  const events: [Registration, Peer, string][] = [];
  server.on('addressChanged', (r, previous, cause) => events.push([r, previous, cause]));
  const updated: string[] = [];
  server.on('updated', () => updated.push('updated'));
  assert.equal((await mem.update(first, id)).code, 'changed');
  await settle();
  assert.equal(events.length, 0, 'an Update from the same address is no move');

  const second = memPeer(40000, '198.51.100.9');
  assert.equal((await mem.update(second, id)).code, 'changed');
  assert.equal(events.length, 0, 'the event follows the response');
  await settle();
  assert.equal(events.length, 1);
  const [reg, previous, cause] = events[0]!;
  assert.equal(reg.endpoint, 'mover');
  assert.deepEqual(reg.peer, second);
  assert.deepEqual(previous, first);
  assert.equal(cause, 'update');
  assert.deepEqual(server.getRegistration('mover')?.peer, second);
  const warned = lines.filter((l) => /registration changed address/.test(l));
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, /WARN {2}lwm2m: registration changed address endpoint=mover from=192\.0\.2\.1:5683 to=198\.51\.100\.9:40000 cause=update$/);
  assert.ok(!warned[0]!.includes(id), 'the registration id is not logged');

  // moving back and forth: every move is an event, the log says it once a minute
  assert.equal((await mem.update(first, id)).code, 'changed');
  assert.equal((await mem.update(second, id)).code, 'changed');
  await settle();
  assert.equal(events.length, 3);
  assert.equal(lines.filter((l) => /registration changed address/.test(l)).length, 1);
  clock.advance(60_000);
  assert.equal((await mem.update(first, id)).code, 'changed');
  const after = lines.filter((l) => /registration changed address/.test(l));
  assert.equal(after.length, 2);
  assert.match(after[1]!, /notLogged=2$/);
  await server.stop();
});

void test('a De-register from another address ends the registration and is logged', async () => {
  const { server, mem, lines } = setup();
  const id = await mem.register(memPeer(1, '192.0.2.1'), 'ep=gone', LINKS);
  assert.equal((await mem.deregister(memPeer(2, '203.0.113.5'), id)).code, 'deleted');
  assert.equal(server.getRegistration('gone'), undefined);
  assert.ok(lines.some((l) => /WARN {2}lwm2m: de-registered from another address endpoint=gone registeredFrom=192\.0\.2\.1:1 from=203\.0\.113\.5:2$/.test(l)), lines.join('\n'));
  await server.stop();
});

void test('the limits in force: defaults, and nonsense values fall back to them', async () => {
  const a = setup();
  assert.deepEqual({ ...a.server.registrationLimits }, { maxLinks: 1000, maxPayload: 65_536, maxRegistrations: 250_000, registerRatePerAddress: 100 });
  await a.server.stop();
  const b = setup({ registrationLimits: { maxLinks: -1, maxPayload: Number.NaN, registerRatePerAddress: 0 } });
  assert.equal(b.server.registrationLimits.maxLinks, 1000);
  assert.equal(b.server.registrationLimits.maxPayload, 65_536);
  assert.equal(b.server.registrationLimits.registerRatePerAddress, 0, '0 turns the rate limit off');
  for (let i = 0; i < 300; i++) await b.mem.register(memPeer(i), `ep=n${i}`, LINKS);
  assert.equal(b.server.registrations().length, 300);
  await b.server.stop();
});

void test('the registration id, the secret of the device, is in no log line of the core or of the gateway', async () => {
  const lines: string[] = [];
  const gw = new Gateway(loadConfig(undefined, { LWM2MGW_STORE__TYPE: 'memory' }).config, { logger: createLogger('debug', (l) => lines.push(l)) });
  const mem = new MemoryTransport(gw.server);
  gw.server.addTransport(mem);
  gw.server.start();
  const id = await mem.register(memPeer(1, '192.0.2.1'), 'ep=secret', LINKS);
  await settle();
  assert.equal((await mem.update(memPeer(2, '192.0.2.2'), id)).code, 'changed');
  await settle();
  assert.equal((await mem.deregister(memPeer(2, '192.0.2.2'), id)).code, 'deleted');
  await settle();
  assert.ok(lines.some((l) => /INFO {2}registered endpoint=secret/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /registration changed address/.test(l)));
  for (const l of lines) assert.ok(!l.includes(id), l);
  await gw.server.stop();
});

void test('a Send from a new address (same authenticated identity) moves the registration: addressChanged with cause message', async () => {
  const { server, mem } = setup();
  const first = memPeer(5001, '10.0.0.1', 'psk-a');
  server.store.security.put(psk('ident', 'psk-a'));
  await mem.register(first, 'ep=ident&lwm2m=1.1', LINKS);
  const events: [Registration, Peer, string][] = [];
  server.on('addressChanged', (r, previous, cause) => events.push([r, previous, cause]));
  const moved = memPeer(6001, '10.0.0.2', 'psk-a');
  const senml = JSON.stringify([{ bn: '/3/0/', n: '9', v: 80 }]);
  assert.equal((await mem.sendValues(moved, senml, 110)).code, 'changed');
  await settle();
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]![0].peer, moved);
  assert.deepEqual(events[0]![1], first);
  assert.equal(events[0]![2], 'message');
  await server.stop();
});
