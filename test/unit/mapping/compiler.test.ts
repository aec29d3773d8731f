import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings, type CompiledMappings } from '../../../src/mapping/index.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import type { SendEvent } from '../../../src/lwm2m/server/types.js';
import { notification, registration, testModels } from './fixtures.js';

const models = testModels();
const AT = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function compile(text: string, file = 'maps/m.yaml'): CompiledMappings {
  const { mappings, errors } = compileMappings([{ file, text }], models);
  assert.deepEqual(errors.map((e) => e.message), []);
  return mappings;
}

test('device matching by endpoint glob, regex and registered objects', () => {
  const m = compileMappings(
    [
      { file: 'a.yaml', text: 'devices: { endpoint: "sensor-*" }\ntargets: [{ object: 3303, observe: {} }]\n' },
      { file: 'b.yaml', text: 'devices: { endpoint: [meter-?, "x*"], endpointPattern: "^(?!x-skip)" }\ntargets: [{ object: 3303, observe: {} }]\n' },
      { file: 'c.yaml', text: 'devices: { objects: [Light Control, 3] }\ntargets: [{ object: 3311, observe: {} }]\n' },
      { file: 'd.yaml', text: 'enabled: false\ntargets: [{ object: 3303, observe: {} }]\n' },
    ],
    models,
  ).mappings;
  const names = (ep: string, objects: Record<number, number[]>) => m.mqtt.matchDevice(registration(ep, objects)).mappings;
  assert.deepEqual(names('sensor-12', { 3303: [0] }), ['a']);
  assert.deepEqual(names('meter-1', { 3303: [0] }), ['b']);
  assert.deepEqual(names('meter-12', { 3303: [0] }), []);
  assert.deepEqual(names('x-1', { 3303: [0] }), ['b']);
  assert.deepEqual(names('x-skip', { 3303: [0] }), []);
  assert.deepEqual(names('lamp', { 3: [0], 3311: [0] }), ['c']);
  assert.deepEqual(names('lamp', { 3311: [0] }), []);
  assert.ok(m.mqtt.matchDevice(registration('nobody', {})).isEmpty);
});

test('observations: registered instances, resources, attributes, composite, no duplicates', () => {
  const m = compile(`
targets:
  - object: Temperature
    instances: [0, 2]
    observe:
      - resources: [Sensor Value, 5701]
        attributes: { pmin: 10, pmax: 60, st: 0.5 }
  - object: 3303
    observe: { resources: [5700] }
  - object: 3304
    observe: { composite: true }
  - object: 3
    observe: { resources: [9] }
`);
  const plan = m.mqtt.matchDevice(registration('dev', { 3303: [0, 1], 3304: [0, 1], 3: [0] }));
  assert.deepEqual(
    plan.observations.map((o) => [o.paths, o.composite, o.attributes]),
    [
      [['/3303/0/5700'], false, { pmin: 10, pmax: 60, st: 0.5 }],
      [['/3303/0/5701'], false, { pmin: 10, pmax: 60, st: 0.5 }],
      [['/3303/1/5700'], false, undefined],
      [['/3304/0', '/3304/1'], true, undefined],
      [['/3/0/9'], false, undefined],
    ],
  );
  const reqs = plan.requests();
  assert.deepEqual(reqs.slice(0, 3), [
    { op: 'writeAttributes', path: '/3303/0/5700', attributes: { pmin: 10, pmax: 60, st: 0.5 } },
    { op: 'observe', path: '/3303/0/5700' },
    { op: 'writeAttributes', path: '/3303/0/5701', attributes: { pmin: 10, pmax: 60, st: 0.5 } },
  ]);
  assert.deepEqual(reqs[5], { op: 'observeComposite', paths: ['/3304/0', '/3304/1'] });
  // plans are cached per registration object
  const reg = registration('dev', { 3: [0] });
  assert.equal(m.mqtt.matchDevice(reg), m.mqtt.matchDevice(reg));
});

test('templates: ids, names, slugs, path, unit, timestamps, endpoint sanitised in topics', () => {
  const m = compile(`
targets:
  - object: 3
    mqtt:
      publish:
        topic: "d/{endpoint}/{objectId}-{objectSlug}/{instanceId}/{resourceId}/{resourceSlug}{path}"
        payload: "{objectName}|{resourceName}|{unit}|{type}|{timestamp}|{timestampMs}|{timestampS}|{mapping}|{{x}}"
`);
  const reg = registration('a/b+c#', { 3: [0] });
  const out = m.mqtt.render(notification(reg, '/3/0/9', resource(9, 'integer', 87), AT));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.topic, 'd/a%2Fb%2Bc%23/3-device/0/9/battery-level/3/0/9');
  assert.equal(out[0]!.payload, `Device|Battery Level|/100|integer|2026-01-02T03:04:05.678Z|${AT}|${Math.floor(AT / 1000)}|m|{x}`);
  assert.equal(out[0]!.qos, 1);
  assert.equal(out[0]!.retain, false);
});

test('JSON payload keeps types for lone placeholders; instance outputs gather resources', () => {
  const m = compile(`
targets:
  - object: 3303
    mqtt:
      publish:
        topic: "sites/{endpoint}/temperature/{instanceId}"
        payload: { value: "{5700}", unit: "{Sensor Units}", label: "t={5700} {5701}", at: "{timestamp}", n: 3, list: ["{instanceId}"] }
        qos: 2
        retain: true
`);
  const reg = registration('s1', { 3303: [0, 1] });
  const out = m.mqtt.render(notification(reg, '/3303/1', instance(1, [resource(5700, 'float', 21.5), resource(5701, 'string', 'Cel'), resource(5601, 'float', 3)]), AT));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.topic, 'sites/s1/temperature/1');
  assert.deepEqual(JSON.parse(out[0]!.payload as string), { value: 21.5, unit: 'Cel', label: 't=21.5 Cel', at: new Date(AT).toISOString(), n: 3, list: [1] });
  assert.equal(out[0]!.qos, 2);
  assert.equal(out[0]!.retain, true);
  // a notification of one resource alone: the message waits for the other one it names
  assert.deepEqual(m.mqtt.render(notification(reg, '/3303/0/5700', resource(5700, 'float', 19), AT)), []);
});

test('resource filter and instance filter', () => {
  const m = compile(`
targets:
  - object: 3303
    instances: [1]
    mqtt:
      publish:
        topic: "t/{instanceId}/{resourceId}"
        resources: [5700]
`);
  const reg = registration('s1', { 3303: [0, 1] });
  const node = (i: number) => instance(i, [resource(5700, 'float', 1.25), resource(5701, 'string', 'Cel')]);
  assert.deepEqual(m.mqtt.render(notification(reg, '/3303/0', node(0))), []);
  assert.deepEqual(m.mqtt.render(notification(reg, '/3303/1', node(1))).map((o) => [o.topic, o.payload]), [['t/1/5700', '1.25']]);
  // other objects are not rendered
  assert.deepEqual(m.mqtt.render(notification(reg, '/3304/1', instance(1, [resource(5700, 'float', 1)]))), []);
});

test('transforms: scale, offset, round, enum map, boolean labels, per resource', () => {
  const m = compile(`
targets:
  - object: 3303
    mqtt:
      publish:
        topic: "t/{resourceId}"
        transform: { scale: 1.8, offset: 32, round: 1 }
        transforms:
          Sensor Units: { map: { Cel: celsius } }
  - object: 3311
    mqtt:
      publish:
        - topic: "l/{resourceId}"
          resources: [On/Off]
          transform: { boolean: { true: "on", false: "off" } }
        - topic: "d/{resourceId}"
          resources: [Dimmer]
          transform: { map: { 0: dark, 100: bright } }
`);
  const reg = registration('s', { 3303: [0], 3311: [0] });
  const t = m.mqtt.render(notification(reg, '/3303/0', instance(0, [resource(5700, 'float', 21.3), resource(5701, 'string', 'Cel')])));
  assert.deepEqual(t.map((o) => o.payload), [String(Math.round((21.3 * 1.8 + 32) * 10) / 10), 'celsius']);
  const l = m.mqtt.render(notification(reg, '/3311/0', instance(0, [resource(5850, 'boolean', true), resource(5851, 'integer', 0)])));
  assert.deepEqual(l.map((o) => [o.topic, o.payload]), [['l/5850', 'on'], ['d/5851', 'dark']]);
  const l2 = m.mqtt.render(notification(reg, '/3311/0', instance(0, [resource(5850, 'boolean', false), resource(5851, 'integer', 42)])));
  assert.deepEqual(l2.map((o) => o.payload), ['off', '42']);
});

test('bare value payloads for every value type', () => {
  const m = compile('targets:\n  - object: 3\n    mqtt: { publish: { topic: "v/{resourceId}" } }\n');
  const reg = registration('s', { 3: [0] });
  const out = m.mqtt.render(
    notification(reg, '/3/0', instance(0, [
      resource(0, 'string', 'ACME'),
      multiResource(6, 'integer', { 0: 1, 1: 5 }),
      resource(9, 'integer', 2n ** 70n),
      resource(13, 'time', 1700000000),
      resource(14, 'opaque', new Uint8Array([1, 2, 255])),
      resource(15, 'objlnk', { objectId: 3303, instanceId: 2 }),
    ])),
  );
  assert.deepEqual(out.map((o) => [o.topic, o.payload]), [
    ['v/0', 'ACME'],
    ['v/6', '{"0":1,"1":5}'],
    ['v/9', (2n ** 70n).toString()],
    ['v/13', '1700000000'],
    ['v/14', Buffer.from([1, 2, 255]).toString('base64')],
    ['v/15', '3303:2'],
  ]);
});

test('default payloads: JSON per resource, JSON object per instance', () => {
  const m = compile(`
targets:
  - object: 3303
    mqtt:
      publish:
        - { topic: "r/{resourceId}", format: json, resources: [5700] }
        - { topic: "i/{instanceId}", each: instance }
`);
  const reg = registration('s', { 3303: [0] });
  const out = m.mqtt.render(notification(reg, '/3303/0', instance(0, [resource(5700, 'float', 20), resource(5701, 'string', 'Cel')]), AT));
  assert.deepEqual(JSON.parse(out[0]!.payload as string), { value: 20, timestamp: new Date(AT).toISOString() });
  assert.deepEqual(JSON.parse(out[1]!.payload as string), { 'sensor-value': 20, 'sensor-units': 'Cel', timestamp: new Date(AT).toISOString() });
});

test('SenML payload: base name, base time, units, value kinds, multiple resources', () => {
  const m = compile(`
targets:
  - object: 3
    mqtt:
      publish:
        - topic: "senml/{endpoint}"
          format: senml
        - topic: "senml2/{endpoint}"
          format: senml
          each: resource
          resources: [9]
          baseName: "urn:dev:{endpoint}:/{objectId}/{instanceId}/"
`);
  const reg = registration('s', { 3: [0] });
  const out = m.mqtt.render(notification(reg, '/3/0', instance(0, [
    resource(0, 'string', 'ACME'),
    multiResource(6, 'integer', { 0: 1, 2: 5 }),
    resource(9, 'integer', 80),
    resource(14, 'opaque', new Uint8Array([0xfb, 0xff])),
  ]), AT));
  assert.equal(out.length, 2);
  assert.deepEqual(JSON.parse(out[0]!.payload as string), [
    { bn: '/3/0/', bt: AT / 1000, n: '0', vs: 'ACME' },
    { n: '6/0', v: 1 },
    { n: '6/2', v: 5 },
    { n: '9', u: '/100', v: 80 },
    { n: '14', vd: Buffer.from([0xfb, 0xff]).toString('base64url') },
  ]);
  assert.deepEqual(JSON.parse(out[1]!.payload as string), [{ bn: 'urn:dev:s:/3/0/', bt: AT / 1000, n: '9', u: '/100', v: 80 }]);
});

test('composite notifications, resource instances, timestamped records, Send', () => {
  const m = compile('targets:\n  - object: 3303\n    mqtt: { publish: { topic: "t/{instanceId}/{resourceId}", payload: "{value}@{timestampS}" } }\n  - object: 3\n    mqtt: { publish: { topic: "d/{resourceId}" } }\n');
  const reg = registration('s', { 3303: [0, 1], 3: [0] });
  const ev = notification(reg, '/3303/0/5700', resource(5700, 'float', 1));
  ev.node = undefined;
  ev.nodes = new Map<string, LwM2mNode | null>([['/3303/0/5700', resource(5700, 'float', 1)], ['/3303/1/5700', resource(5700, 'float', 2)], ['/3303/2/5700', null], ['/3/0/6/1', resourceInstance(1, 'integer', 7)]]);
  assert.deepEqual(m.mqtt.render(ev).map((o) => [o.topic, o.payload]), [
    ['t/0/5700', `1@${Math.floor(ev.receivedAt / 1000)}`],
    ['t/1/5700', `2@${Math.floor(ev.receivedAt / 1000)}`],
    ['d/6', '{"1":7}'],
  ]);
  const hist = notification(reg, '/3303/0/5700', resource(5700, 'float', 3));
  hist.timestamped = [
    { time: 1000, nodes: new Map([['/3303/0/5700', resource(5700, 'float', 1)]]) },
    { time: 1010, nodes: new Map([['/3303/0/5700', resource(5700, 'float', 2)]]) },
  ];
  assert.deepEqual(m.mqtt.render(hist).map((o) => o.payload), ['1@1000', '2@1010']);
  const send: SendEvent = {
    registration: reg,
    contentFormat: 110,
    receivedAt: 5_000_000,
    data: [{ time: undefined, nodes: new Map([['/3303', object(3303, [instance(1, [resource(5700, 'float', 9)])])]]) }],
  };
  assert.deepEqual(m.mqtt.render(send).map((o) => [o.topic, o.payload]), [['t/1/5700', '9@5000']]);
});

test('a device that no file selects renders nothing', () => {
  const m = compile('devices: { endpoint: "a-*" }\ntargets:\n  - object: 3303\n    mqtt: { publish: { topic: "t" } }\n');
  const reg = registration('b-1', { 3303: [0] });
  assert.deepEqual(m.mqtt.render(notification(reg, '/3303/0/5700', resource(5700, 'float', 1))), []);
});

test('several files fan out one notification', () => {
  const { mappings } = compileMappings(
    [
      { file: 'one.yaml', text: 'targets:\n  - object: 3303\n    mqtt: { publish: { topic: "one/{endpoint}" } }\n' },
      { file: 'two.yaml', text: 'targets:\n  - object: 3303\n    mqtt: { publish: { topic: "two/{endpoint}", retain: true, qos: 0 } }\n' },
    ],
    models,
  );
  const out = mappings.mqtt.render(notification(registration('e', { 3303: [0] }), '/3303/0/5700', resource(5700, 'float', 1)));
  assert.deepEqual(out.map((o) => [o.topic, o.mapping, o.qos, o.retain]), [['one/e', 'one', 1, false], ['two/e', 'two', 0, true]]);
});
