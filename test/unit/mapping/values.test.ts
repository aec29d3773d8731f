import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseValue, valueToJson, valueToText, ValueError } from '../../../src/mapping/values.js';
import { compileTransform } from '../../../src/mapping/transform.js';
import { slugify } from '../../../src/mapping/models.js';
import { compileMappings } from '../../../src/mapping/index.js';
import { decodeLevel, encodeLevel } from '../../../src/topic-level.js';
import { resource, type Value } from '../../../src/lwm2m/node.js';
import { notification, registration, testModels } from './fixtures.js';

test('slugs', () => {
  assert.equal(slugify('Sensor Value'), 'sensor-value');
  assert.equal(slugify('On/Off'), 'on-off');
  assert.equal(slugify('  LwM2M  Server '), 'lwm2m-server');
  assert.equal(slugify('Température'), 'temperature');
});

test('parseValue converts command values to each resource type', () => {
  assert.equal(parseValue('12', 'integer'), 12);
  assert.equal(parseValue(-3, 'integer'), -3);
  assert.equal(parseValue('123456789012345678901', 'integer'), 123456789012345678901n);
  assert.throws(() => parseValue('1.5', 'integer'), ValueError);
  assert.throws(() => parseValue(-1, 'unsigned'), ValueError);
  assert.equal(parseValue('2.5', 'float'), 2.5);
  assert.throws(() => parseValue('', 'float'), ValueError);
  assert.throws(() => parseValue('abc', 'float'), ValueError);
  assert.equal(parseValue('true', 'boolean'), true);
  assert.equal(parseValue(0, 'boolean'), false);
  assert.throws(() => parseValue('yes', 'boolean'), ValueError);
  assert.equal(parseValue(5, 'string'), '5');
  assert.throws(() => parseValue({ a: 1 }, 'string'), ValueError);
  assert.equal(parseValue('1970-01-01T00:01:40Z', 'time'), 100);
  assert.equal(parseValue('100', 'time'), 100);
  assert.throws(() => parseValue('not a date', 'time'), ValueError);
  assert.deepEqual(parseValue('AQL/', 'opaque'), new Uint8Array([1, 2, 0xff]));
  assert.throws(() => parseValue('*', 'opaque'), ValueError);
  assert.deepEqual(parseValue('3:0', 'objlnk'), { objectId: 3, instanceId: 0 });
  assert.throws(() => parseValue('3', 'objlnk'), ValueError);
  assert.equal(parseValue('x', 'none'), null);
});

test('values as text and JSON', () => {
  assert.equal(valueToText(null), '');
  assert.equal(valueToText(true), 'true');
  assert.equal(valueToJson(Number.NaN), null);
  assert.equal(valueToJson(12n), 12);
  assert.equal(valueToJson(2n ** 64n), (2n ** 64n).toString());
  assert.deepEqual(valueToJson(new Map<number, Value>([[0, 'a'], [4, { objectId: 1, instanceId: 2 }]])), { 0: 'a', 4: '1:2' });
});

test('transforms run forwards, and backwards for writes', () => {
  const t = compileTransform({ scale: 10, offset: 5, round: 2 });
  assert.equal(t.forward(1.23456), Math.round((1.23456 * 10 + 5) * 100) / 100);
  assert.equal(t.forward('text'), 'text');
  assert.equal(t.reverse(17.5), 1.25);
  const labels = compileTransform({ boolean: { true: 'open', false: 'closed' } });
  assert.equal(labels.forward(true), 'open');
  assert.equal(labels.reverse('closed'), false);
  assert.equal(labels.reverse('other'), 'other');
  const map = compileTransform({ map: { 0: 'idle', 1: 'busy' } });
  assert.equal(map.forward(1), 'busy');
  assert.equal(map.forward(7), 7);
  assert.equal(map.reverse('idle'), '0');
  assert.equal(parseValue(map.reverse('busy'), 'integer'), 1);
});

test('property: write values survive a transform round trip', () => {
  const t = compileTransform({ scale: 0.5, offset: -20 });
  fc.assert(
    fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (n) => {
      const published = t.forward(n) as number;
      const back = parseValue(Math.round(t.reverse(published) as number), 'integer');
      assert.equal(back, n);
    }),
  );
});

test('property: no endpoint name can add topic levels or wildcards; it is encoded as in the generic topics', () => {
  const { mappings } = compileMappings([{ file: 'p.yaml', text: 'targets:\n  - object: 3303\n    mqtt: { publish: { topic: "a/{endpoint}/{instanceId}/{resourceSlug}" } }\n' }], testModels());
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.double(), (ep, v) => {
      const out = mappings.mqtt.render(notification(registration(ep, { 3303: [0] }), '/3303/0/5700', resource(5700, 'float', v)));
      assert.equal(out.length, 1);
      const levels = out[0]!.topic.split('/');
      assert.equal(levels.length, 4);
      assert.ok(!/[+#]/.test(out[0]!.topic));
      assert.equal(levels[1], encodeLevel(ep));
      assert.equal(decodeLevel(levels[1]!), ep);
    }),
  );
});
