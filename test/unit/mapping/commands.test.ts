import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings, type CommandMatch, type CompiledMappings } from '../../../src/mapping/index.js';
import { instance, resource } from '../../../src/lwm2m/node.js';
import { registration, testModels } from './fixtures.js';

const models = testModels();

const TEXT = `
devices: { endpoint: "lamp-*" }
targets:
  - object: Light Control
    mqtt:
      commands:
        - topic: "lights/{endpoint}/{instanceId}/{resourceSlug}/set"
          write: true
          transform: { boolean: { true: "on", false: "off" } }
          response: "lights/{endpoint}/{instanceId}/{resourceSlug}/result"
        - topic: "lights/{endpoint}/{instanceId}/dimmer/pct"
          write: Dimmer
          transform: { scale: 0.01 }
          response: "lights/{endpoint}/responses/{correlationId}"
        - topic: "lights/{endpoint}/{instanceId}/get"
          read: true
          response: "lights/{endpoint}/{instanceId}/state"
        - topic: "lights/{endpoint}/{instanceId}/{resourceId}/observe"
          observe: true
          attributes: { pmin: 5 }
        - topic: "lights/{endpoint}/{instanceId}/{resourceId}/cancel"
          cancel: true
  - object: 3
    instances: [0]
    mqtt:
      commands:
        - topic: "dev/{endpoint}/reboot"
          execute: Reboot
          response: "dev/{endpoint}/reboot/done"
        - topic: "dev/{endpoint}/time"
          write: Current Time
        - topic: "dev/{endpoint}/power"
          write: Test Multiple
`;

function compile(text = TEXT): CompiledMappings {
  const { mappings, errors } = compileMappings([{ file: 'cmd.yaml', text }], models);
  assert.deepEqual(errors.map((e) => e.message), []);
  return mappings;
}

function ok(m: CommandMatch | undefined): Extract<CommandMatch, { ok: true }> {
  assert.ok(m, 'the topic matched');
  assert.ok(m.ok, m.ok ? '' : m.error);
  return m;
}

test('subscriptions put + at every placeholder level', () => {
  assert.deepEqual(compile().mqtt.commandSubscriptions(), [
    'lights/+/+/+/set',
    'lights/+/+/dimmer/pct',
    'lights/+/+/get',
    'lights/+/+/+/observe',
    'lights/+/+/+/cancel',
    'dev/+/reboot',
    'dev/+/time',
    'dev/+/power',
  ]);
});

test('write from a topic with the resource slug, boolean labels reversed', () => {
  const m = compile();
  const c = ok(m.mqtt.parseCommand('lights/lamp-1/2/on-off/set', 'off'));
  assert.equal(c.endpoint, 'lamp-1');
  assert.deepEqual(c.request, { op: 'write', path: '/3311/2/5850', node: resource(5850, 'boolean', false) });
  const j = ok(m.mqtt.parseCommand('lights/lamp-1/2/on-off/set', '{"value": "on", "correlationId": "abc"}'));
  assert.deepEqual(j.request, { op: 'write', path: '/3311/2/5850', node: resource(5850, 'boolean', true) });
  assert.equal(j.correlationId, 'abc');
  const resp = j.respond({ success: true, code: '2.04' });
  assert.ok(resp);
  assert.equal(resp.topic, 'lights/lamp-1/2/on-off/result');
  assert.deepEqual(JSON.parse(resp.payload as string), { correlationId: 'abc', endpoint: 'lamp-1', operation: 'write', path: '/3311/2/5850', success: true, code: '2.04' });
  assert.equal(resp.retain, false);
});

test('write with a reversed scale; correlation id from MQTT 5 properties', () => {
  const m = compile();
  const c = ok(m.mqtt.parseCommand('lights/lamp-1/0/dimmer/pct', '0.42', { correlationId: 'k-9' }));
  assert.deepEqual(c.request, { op: 'write', path: '/3311/0/5851', node: resource(5851, 'integer', 42) });
  assert.equal(c.correlationId, 'k-9');
  assert.equal(c.respond({ success: false, code: '4.05' })!.topic, 'lights/lamp-1/responses/k-9');
});

test('bad values fail with a response, before reaching the device', () => {
  const m = compile();
  const bad = m.mqtt.parseCommand('lights/lamp-1/0/dimmer/pct', 'lots', { correlationId: 'c1' });
  assert.ok(bad && !bad.ok);
  assert.match(bad.error, /bad value for \/3311\/0\/5851/);
  assert.ok(bad.response);
  assert.deepEqual(JSON.parse(bad.response.payload as string).success, false);
  assert.equal(JSON.parse(bad.response.payload as string).correlationId, 'c1');
  const unknown = m.mqtt.parseCommand('lights/lamp-1/0/brightness/set', '1');
  assert.ok(unknown && !unknown.ok);
  assert.match(unknown.error, /unknown resource "brightness"/);
  const readOnly = m.mqtt.parseCommand('lights/lamp-1/0/cumulative-active-power/set', '1');
  assert.ok(readOnly && !readOnly.ok);
  assert.match(readOnly.error, /does not allow write/);
  const empty = m.mqtt.parseCommand('lights/lamp-1/0/colour/set', '');
  assert.ok(empty && !empty.ok);
  assert.match(empty.error, /no value/);
});

test('read, observe (with attributes), cancel', () => {
  const m = compile();
  const r = ok(m.mqtt.parseCommand('lights/lamp-1/3/get', ''));
  assert.deepEqual(r.request, { op: 'read', path: '/3311/3' });
  const resp = r.respond({ success: true, code: '2.05', node: instance(3, [resource(5850, 'boolean', true), resource(5851, 'integer', 7)]) });
  assert.deepEqual(JSON.parse(resp!.payload as string).value, { 'on-off': true, dimmer: 7 });
  const o = ok(m.mqtt.parseCommand('lights/lamp-1/3/5851/observe', ''));
  assert.deepEqual(o.request, { op: 'observe', path: '/3311/3/5851' });
  assert.deepEqual(o.prepare, [{ op: 'writeAttributes', path: '/3311/3/5851', attributes: { pmin: 5 } }]);
  const c = ok(m.mqtt.parseCommand('lights/lamp-1/3/5851/cancel', ''));
  assert.deepEqual(c.request, { op: 'cancelObserve', path: '/3311/3/5851' });
});

test('execute with arguments, fixed instance; writes of time and multiple resources', () => {
  const m = compile();
  const e = ok(m.mqtt.parseCommand('dev/lamp-1/reboot', ''));
  assert.deepEqual(e.request, { op: 'execute', path: '/3/0/4' });
  const a = ok(m.mqtt.parseCommand('dev/lamp-1/reboot', "0='x'"));
  assert.deepEqual(a.request, { op: 'execute', path: '/3/0/4', args: "0='x'" });
  const t = ok(m.mqtt.parseCommand('dev/lamp-1/time', '"2026-01-02T03:04:05Z"'));
  assert.deepEqual(t.request, { op: 'write', path: '/3/0/13', node: resource(13, 'time', Date.UTC(2026, 0, 2, 3, 4, 5) / 1000) });
  const p = ok(m.mqtt.parseCommand('dev/lamp-1/power', '{"value": {"0": 1, "3": 5}}'));
  assert.equal(p.request.op, 'write');
  assert.deepEqual(p.request.op === 'write' && p.request.node, {
    kind: 'multiResource', id: 30, type: 'integer',
    instances: new Map([[0, { kind: 'resourceInstance', id: 0, type: 'integer', value: 1 }], [3, { kind: 'resourceInstance', id: 3, type: 'integer', value: 5 }]]),
  });
});

test('topics that do not match, and devices the file does not select', () => {
  const m = compile();
  assert.equal(m.mqtt.parseCommand('lights/lamp-1/x/on-off/set', 'on'), undefined);
  assert.equal(m.mqtt.parseCommand('lights/lamp-1/0/on-off/set/extra', 'on'), undefined);
  assert.equal(m.mqtt.parseCommand('other/topic', 'on'), undefined);
  const regs = new Map([['lamp-1', registration('lamp-1', { 3311: [0] })], ['pump-1', registration('pump-1', { 3311: [0] })]]);
  const registrationOf = (ep: string) => regs.get(ep);
  assert.ok(m.mqtt.parseCommand('lights/lamp-1/0/on-off/set', 'on', { registrationOf })?.ok);
  assert.equal(m.mqtt.parseCommand('lights/pump-1/0/on-off/set', 'on', { registrationOf }), undefined);
  // unknown endpoints still parse: the caller answers "not registered"
  assert.ok(m.mqtt.parseCommand('lights/ghost/0/on-off/set', 'on', { registrationOf })?.ok);
});

test('a target with listed instances only accepts those', () => {
  const m = compile('targets:\n  - object: 3303\n    instances: [1, 2]\n    mqtt: { commands: [{ topic: "t/{endpoint}/{instanceId}", read: 5700 }] }\n');
  assert.ok(m.mqtt.parseCommand('t/e/1', '')?.ok);
  assert.equal(m.mqtt.parseCommand('t/e/0', ''), undefined);
});

test('the response of a read applies the forward transform', () => {
  const m = compile('targets:\n  - object: 3303\n    mqtt: { commands: [{ topic: "t/{endpoint}/{instanceId}/v", read: 5700, transform: { round: 0 }, response: "t/{endpoint}/{instanceId}/v/r" }] }\n');
  const c = ok(m.mqtt.parseCommand('t/e/0/v', ''));
  const r = c.respond({ success: true, code: '2.05', node: resource(5700, 'float', 21.7) });
  assert.equal(JSON.parse(r!.payload as string).value, 22);
  const failed = c.respond({ success: false, error: { code: 'TIMEOUT', message: 'no answer' } });
  assert.deepEqual(JSON.parse(failed!.payload as string), { endpoint: 'e', operation: 'read', path: '/3303/0/5700', success: false, error: 'no answer', errorCode: 'TIMEOUT' });
});
