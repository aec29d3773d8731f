/**
 * Messages built from several resources of an instance: rendered from the last known
 * value of each, published once each has a value or was reported absent (no sockets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings, LastValues, type CompiledMappings } from '../../../src/mapping/index.js';
import { instance, resource } from '../../../src/lwm2m/node.js';
import type { SendEvent } from '../../../src/lwm2m/server/types.js';
import { notification, registration, testModels } from './fixtures.js';

const models = testModels();
const AT = Date.UTC(2026, 0, 2, 3, 4, 5);

function compile(text: string): CompiledMappings {
  const { mappings, errors } = compileMappings([{ file: 'm.yaml', text }], models);
  assert.deepEqual(errors.map((e) => e.message), []);
  return mappings;
}

const LIGHT = (absent = '') => `
targets:
  - object: Light Control
    observe:
      resources: [On/Off, Dimmer]
    mqtt:
      publish:
        - topic: "l/{instanceId}/{resourceSlug}"
          payload: "{value}"
        - topic: "l/{instanceId}"
          each: instance
          ${absent}
          payload: { "on": "{On/Off}", dimmer: "{Dimmer}", at: "{timestampMs}" }
`;

const on = (v: boolean) => resource(5850, 'boolean', v);
const dim = (v: number) => resource(5851, 'integer', v);
const summaries = (out: { topic: string; payload: Buffer | string }[]) => out.filter((o) => /^l\/\d+$/.test(o.topic)).map((o) => [o.topic, JSON.parse(String(o.payload)) as unknown]);

void test('resources notified at different times: the summary waits for all, then carries the last known of each', () => {
  const m = compile(LIGHT());
  const reg = registration('lamp', { 3311: [0, 1] });
  const known = new LastValues();
  const first = m.mqtt.render(notification(reg, '/3311/0/5850', on(true), AT), known);
  // the bare value goes out; the summary does not, with a null dimmer
  assert.deepEqual(first.map((o) => o.topic), ['l/0/on-off']);
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/0/5851', dim(40), AT + 1), known)), [['l/0', { on: true, dimmer: 40, at: AT + 1 }]]);
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/0/5850', on(false), AT + 2), known)), [['l/0', { on: false, dimmer: 40, at: AT + 2 }]]);
  // another instance has its own values
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/1/5851', dim(7), AT + 3), known)), []);
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/1/5850', on(true), AT + 4), known)), [['l/1', { on: true, dimmer: 7, at: AT + 4 }]]);
  // and another device too
  const other = new LastValues();
  assert.deepEqual(summaries(m.mqtt.render(notification(registration('lamp-2', { 3311: [0] }), '/3311/0/5850', on(true), AT), other)), []);
});

void test('a notification carrying every named resource publishes at once; a Send updates the same values', () => {
  const m = compile(LIGHT());
  const reg = registration('lamp', { 3311: [0] });
  const known = new LastValues();
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/0', instance(0, [on(true), dim(3)]), AT), known)), [['l/0', { on: true, dimmer: 3, at: AT }]]);
  const send: SendEvent = { registration: reg, contentFormat: 110, receivedAt: AT + 5, data: [{ time: undefined, nodes: new Map([['/3311/0/5851', dim(99)]]) }] };
  assert.deepEqual(summaries(m.mqtt.render(send, known)), [['l/0', { on: true, dimmer: 99, at: AT + 5 }]]);
});

void test('a resource the device lacks (4.04 to its observe): the summary goes out with it null, or without it', () => {
  for (const [absent, expected] of [['', { on: true, dimmer: null, at: AT }], ['absent: omit', { on: true, at: AT }]] as const) {
    const m = compile(LIGHT(absent));
    const reg = registration('lamp', { 3311: [0] });
    const plan = m.mqtt.matchDevice(reg);
    const known = new LastValues();
    // the observe of On/Off answers a value (rendered like a notification), Dimmer answers 4.04
    assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/0/5850', on(true), AT), known)), []);
    assert.deepEqual(plan.seed(reg, ['/3311/0/5850'], { code: '2.05', success: true, node: on(true) }, known, AT), []);
    assert.deepEqual(summaries(plan.seed(reg, ['/3311/0/5851'], { code: '4.04', success: false }, known, AT)), [['l/0', expected]]);
    // later notifications keep it so
    assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/0/5850', on(false), AT), known)), [['l/0', { ...expected, on: false }]]);
    // other failures say nothing of the resource: the message still waits
    const fresh = new LastValues();
    m.mqtt.render(notification(reg, '/3311/0/5850', on(true), AT), fresh);
    assert.deepEqual(plan.seed(reg, ['/3311/0/5851'], { code: '5.00', success: false }, fresh, AT), []);
    assert.deepEqual(plan.seed(reg, ['/3311/0/5851'], { success: false }, fresh, AT), []);
  }
});

void test('an instance answer (observe or read of /o/i) reports the named resources it leaves out as absent', () => {
  const m = compile(LIGHT('absent: omit').replace('resources: [On/Off, Dimmer]', '{}'));
  const reg = registration('lamp', { 3311: [0] });
  const plan = m.mqtt.matchDevice(reg);
  assert.deepEqual(plan.observations.map((o) => o.paths), [['/3311/0']]);
  assert.deepEqual(plan.seedReads, []);
  const known = new LastValues();
  const node = instance(0, [on(true), resource(5706, 'string', 'FF0000')]);
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/0', node, AT), known)), []);
  assert.deepEqual(summaries(plan.seed(reg, ['/3311/0'], { code: '2.05', success: true, node }, known, AT)), [['l/0', { on: true, at: AT }]]);
  // a value that comes later is no longer absent
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/0/5851', dim(5), AT), known)), [['l/0', { on: true, dimmer: 5, at: AT }]]);
});

void test('a named resource no observation covers: the instance is read once, its values seed the message without publishing them one by one', () => {
  const m = compile(`
targets:
  - object: Temperature
    observe: { resources: [Sensor Value] }
    mqtt:
      publish:
        - topic: "t/{instanceId}/{resourceSlug}"
          payload: "{value}"
        - topic: "t/{instanceId}"
          each: instance
          payload: { value: "{Sensor Value}", unit: "{Sensor Units}" }
`);
  const reg = registration('th', { 3303: [0, 1] });
  const plan = m.mqtt.matchDevice(reg);
  assert.deepEqual(plan.seedReads, [{ path: '/3303/0', mapping: 'm' }, { path: '/3303/1', mapping: 'm' }]);
  assert.deepEqual([...plan.named.get(3303)!], [5700, 5701]);
  const known = new LastValues();
  assert.deepEqual(m.mqtt.render(notification(reg, '/3303/0/5700', resource(5700, 'float', 20), AT), known).map((o) => o.topic), ['t/0/sensor-value']);
  const read = instance(0, [resource(5700, 'float', 20), resource(5701, 'string', 'Cel'), resource(5601, 'float', 1)]);
  const out = plan.seed(reg, ['/3303/0'], { code: '2.05', success: true, node: read }, known, AT);
  assert.deepEqual(out.map((o) => [o.topic, JSON.parse(String(o.payload)) as unknown]), [['t/0', { value: 20, unit: 'Cel' }]]);
  // only named resources are kept
  assert.deepEqual([...known.instance(3303, 0, false)!.values.keys()].sort(), [5700, 5701]);
});

void test('each: resource outputs naming another resource wait for it too; a composite answer marks what it lacks', () => {
  const m = compile(`
targets:
  - object: Light Control
    observe: { resources: [On/Off, Dimmer], composite: true }
    mqtt:
      publish:
        topic: "ev/{instanceId}"
        resources: [On/Off]
        payload: { state: "{value}", dimmer: "{Dimmer}" }
`);
  const reg = registration('lamp', { 3311: [0] });
  const plan = m.mqtt.matchDevice(reg);
  const known = new LastValues();
  const ev = notification(reg, '/3311/0/5850', on(true), AT);
  ev.node = undefined;
  ev.nodes = new Map([['/3311/0/5850', on(true)]]);
  assert.deepEqual(m.mqtt.render(ev, known), []);
  // the composite answer lacked Dimmer: absent; an event needs its own trigger, so nothing yet
  assert.deepEqual(plan.seed(reg, ['/3311/0/5850', '/3311/0/5851'], { code: '2.05', success: true, nodes: ev.nodes }, known, AT), []);
  const next = m.mqtt.render(notification(reg, '/3311/0/5850', on(false), AT), known);
  assert.deepEqual(next.map((o) => JSON.parse(String(o.payload)) as unknown), [{ state: false, dimmer: null }]);
});

void test('bounded: only named resources, at most so many instances, freed when the plan no longer names them', () => {
  const m = compile(LIGHT());
  const reg = registration('lamp', { 3311: [0] });
  const known = new LastValues(2);
  m.mqtt.render(notification(reg, '/3311/0', instance(0, [on(true), dim(1), resource(5706, 'string', 'x')]), AT), known);
  assert.deepEqual([...known.instance(3311, 0, false)!.values.keys()], [5850, 5851]);
  m.mqtt.render(notification(reg, '/3311/1/5850', on(true), AT), known);
  m.mqtt.render(notification(reg, '/3311/2/5850', on(true), AT), known);
  assert.equal(known.size, 2);
  // past the bound an instance's summary is not published (it can never be complete), nothing breaks
  assert.deepEqual(summaries(m.mqtt.render(notification(reg, '/3311/2', instance(2, [on(true), dim(2)]), AT), known)), []);
  // a plan that names only On/Off keeps only On/Off; one that names nothing of 3311 frees it all
  known.retain(new Map([[3311, new Set([5850])]]));
  assert.deepEqual([...known.instance(3311, 0, false)!.values.keys()], [5850]);
  known.retain(compile('targets: [{ object: 3303, mqtt: { publish: { topic: "x/{5700}/{5701}", each: instance } } }]').mqtt.matchDevice(registration('t', { 3303: [0] })).named);
  assert.equal(known.size, 0);
});

void test('outputs naming no resource but their own are rendered from the notification, and keep nothing', () => {
  const m = compile('targets:\n  - object: 3303\n    mqtt: { publish: { topic: "t/{instanceId}/{resourceId}", payload: "{value}" } }\n');
  const reg = registration('t', { 3303: [0] });
  const known = new LastValues();
  assert.deepEqual(m.mqtt.render(notification(reg, '/3303/0/5700', resource(5700, 'float', 1), AT), known).map((o) => o.payload), ['1']);
  assert.equal(known.size, 0);
  assert.equal(m.mqtt.matchDevice(reg).named.size, 0);
});
