import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Topics, decodeLevel, encodeLevel } from '../../../src/northbound/mqtt/topics.js';
import { isValidFilter, isValidTopic, topicMatches } from '../../../src/northbound/mqtt/link-subscriptions.js';
import { hasForbiddenChars } from '../../../src/topic-level.js';
import { compileMappings } from '../../../src/mapping/index.js';
import { resource } from '../../../src/lwm2m/node.js';
import { notification, registration, testModels } from '../mapping/fixtures.js';

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

void test('control characters and noncharacters are percent-encoded (UTF-8 bytes); other characters are kept', () => {
  assert.equal(encodeLevel('a\nb'), 'a%0Ab');
  assert.equal(encodeLevel('nul\u0000'), 'nul%00');
  assert.equal(encodeLevel('del\u007f'), 'del%7F');
  assert.equal(encodeLevel('nel\u0085'), 'nel%C2%85');
  assert.equal(encodeLevel('x\uFDD0'), 'x%EF%B7%90');
  assert.equal(encodeLevel('x\uFFFE\uFFFF'), 'x%EF%BF%BE%EF%BF%BF');
  assert.equal(encodeLevel('x\u{1FFFF}\u{10FFFE}'), 'x%F0%9F%BF%BF%F4%8F%BF%BE');
  assert.equal(encodeLevel('$'), '%24');
  assert.equal(encodeLevel(''), '%');
  for (const kept of ['urn:imei:35', 'café', 'a b', 'météo-😀', 'x\u{1FFFD}', '\uFDCF\uFDF0']) assert.equal(encodeLevel(kept), kept);
  for (const ep of ['a\nb', 'x\uFFFE\uFFFF', 'x\u{1FFFF}', '$', '']) assert.equal(decodeLevel(encodeLevel(ep)), ep);
});

void test('the links refuse to publish to a topic a broker refuses (control characters, noncharacters)', () => {
  assert.equal(isValidTopic('plant/ok/0'), true);
  assert.equal(isValidTopic('plant/caf\u00e9/0'), true);
  for (const bad of ['plant/a\nb/0', 'plant/\u001b[31m', 'p/\u0085', 'p/\uFDD0', 'p/\uFFFF', 'p/\u{2FFFE}', 'p/\u0000']) {
    assert.equal(isValidTopic(bad), false, JSON.stringify(bad));
    assert.equal(isValidFilter(bad), false, JSON.stringify(bad));
  }
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
      assert.ok(!hasForbiddenChars(level) && !level.startsWith('$'));
      assert.equal(decodeLevel(level), ep);
      const topic = t.device(ep, 'dn/x');
      assert.equal(t.endpointOf(topic), ep);
      assert.ok(topicMatches(t.everyDevice('dn/#'), topic));
    }),
    { seed: 4, numRuns: 500 },
  );
});

void test('mapped topics: {endpoint} is encoded as in the generic topics, and a mapped command topic decodes it back', () => {
  const text = [
    'targets:',
    '  - object: 3303',
    '    mqtt:',
    '      publish: { topic: "t/{endpoint}/{instanceId}" }',
    '      commands:',
    '        - { topic: "t/{endpoint}/{instanceId}/label", write: 5750, response: "t/{endpoint}/{instanceId}/label/ack" }',
  ].join('\n');
  const { mappings, errors } = compileMappings([{ file: 'rt.yaml', text }], testModels());
  assert.deepEqual(errors, []);
  const generic = new Topics('lwm2m');
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }), (ep) => {
      const out = mappings.mqtt.render(notification(registration(ep, { 3303: [0] }), '/3303/0/5700', resource(5700, 'float', 1.5)));
      assert.equal(out.length, 1);
      const level = out[0]!.topic.split('/')[1]!;
      assert.equal(`lwm2m/${level}/status`, generic.device(ep, 'status'));
      assert.ok(isValidTopic(out[0]!.topic));
      const cmd = mappings.mqtt.parseCommand(`t/${level}/0/label`, '{"value":"x","correlationId":"c"}');
      assert.ok(cmd && cmd.ok, JSON.stringify(cmd));
      assert.equal(cmd.endpoint, ep);
      assert.equal(cmd.respond({ success: true, code: '2.04' })?.topic, `t/${level}/0/label/ack`);
    }),
    { seed: 7, numRuns: 300 },
  );
  assert.equal(mappings.mqtt.parseCommand('t/%E0%A4%A/0/label', '{"value":"x"}'), undefined);
});
