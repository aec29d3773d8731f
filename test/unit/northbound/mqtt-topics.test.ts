import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Topics, decodeLevel, encodeLevel } from '../../../src/northbound/mqtt/topics.js';
import { topicMatches } from '../../../src/northbound/mqtt/link-subscriptions.js';

void test('an ordinary endpoint name is its own topic level', () => {
  const t = new Topics('lwm2m');
  assert.equal(t.device('urn:imei:123456', 'up/resp'), 'lwm2m/urn:imei:123456/up/resp');
  assert.equal(t.endpointOf('lwm2m/urn:imei:123456/dn/cmd'), 'urn:imei:123456');
});

void test('characters MQTT reserves, % and a leading $ are percent-encoded', () => {
  assert.equal(encodeLevel('a/b'), 'a%2Fb');
  assert.equal(encodeLevel('x+y#z'), 'x%2By%23z');
  assert.equal(encodeLevel('50%'), '50%25');
  assert.equal(encodeLevel('$gateway'), '%24gateway');
  assert.equal(encodeLevel('a$b'), 'a$b');
});

void test('the gateway status topic cannot be a device topic', () => {
  const t = new Topics('lwm2m');
  assert.equal(t.gatewayStatus, 'lwm2m/$gateway/status');
  assert.notEqual(t.device('$gateway', 'status'), t.gatewayStatus);
  assert.equal(t.endpointOf(t.gatewayStatus), undefined);
});

void test('endpointOf: other prefixes and malformed levels give undefined', () => {
  const t = new Topics('site/a');
  assert.equal(t.endpointOf('site/a/dev1/dn'), 'dev1');
  assert.equal(t.endpointOf('site/b/dev1/dn'), undefined);
  assert.equal(t.endpointOf('site/a'), undefined);
  assert.equal(t.endpointOf('site/a//dn'), undefined);
  assert.equal(decodeLevel('%E0%A4%A'), undefined);
});

void test('property: encode then decode gives the endpoint back, in one level that a + filter matches', () => {
  const t = new Topics('lwm2m');
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), (ep) => {
      const level = encodeLevel(ep);
      assert.ok(![...level].some((c) => '/+#\u0000'.includes(c)));
      assert.equal(decodeLevel(level), ep);
      const topic = t.device(ep, 'dn/x');
      assert.equal(t.endpointOf(topic), ep);
      assert.ok(topicMatches(t.everyDevice('dn/#'), topic));
    }),
    { seed: 4, numRuns: 500 },
  );
});
