/**
 * The value in an Observe's answer is published as the first one, unless a notification of
 * that observation was handled before the answer reached the mapped topics: then the
 * notification's (newer) value stays the last one published (and retained).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { DownlinkRequest, DownlinkResponse } from '../../../src/lwm2m/transport.js';
import { silentLogger } from '../../../src/log.js';
import { compileMappings } from '../../../src/mapping/index.js';
import { MappedTopics } from '../../../src/northbound/mqtt/mapped.js';
import { setupServer } from '../../helpers/server-setup.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import { MemoryMqttLink } from '../../helpers/memory-mqtt-link.js';

const MAPPING = `
targets:
  - object: Temperature
    observe: { resources: [Sensor Value] }
    mqtt: { publish: { topic: "t/{endpoint}/{resourceId}", payload: "{value}", retain: true } }
`;

async function run(notifyEarly: boolean): Promise<string[]> {
  const models = ModelRegistry.withBuiltins();
  const r = compileMappings([{ file: 't.yaml', text: MAPPING }], models);
  assert.deepEqual(r.errors, []);
  const s = setupServer();
  const link = new MemoryMqttLink();
  const mapped = new MappedTopics({ server: s.server, link, logger: silentLogger, mappings: r.mappings });
  mapped.start();
  const peer = memPeer(7101);
  let token: Uint8Array | undefined;
  s.mem.device(peer, (req: DownlinkRequest): DownlinkResponse => {
    if (req.op === 'observe') token = req.token;
    if (req.op === 'observe' || req.op === 'read') return { code: '2.05', payload: text('20.5'), contentFormat: ContentFormat.TEXT, observe: 0 };
    return { code: '2.04', payload: new Uint8Array() };
  });
  // the device's first notification is handled right after its Observe answer, before the
  // mapped topics see that answer (requestDone comes first, synchronously)
  s.server.on('requestDone', (e: { op: string }) => {
    if (notifyEarly && e.op === 'observe' && token) s.mem.notify(peer, { token, code: '2.05', payload: text('21.5'), contentFormat: ContentFormat.TEXT, observe: 1 });
  });
  await s.mem.register(peer, 'ep=order&lt=600&lwm2m=1.1', '</>;rt="oma.lwm2m",</3303/0>');
  await new Promise((res) => setImmediate(res));
  await mapped.settled();
  const values = link.published.filter((m) => m.topic === 't/order/5700').map((m) => m.payload.toString());
  mapped.stop();
  await s.server.stop();
  return values;
}

void test('without an early notification the answer value is published as the first one', async () => {
  assert.deepEqual(await run(false), ['20.5']);
});

void test('a notification handled before the Observe answer: its newer value stays the last one published', async () => {
  const values = await run(true);
  assert.equal(values.at(-1), '21.5', `published in order: ${values.join(', ')}`);
  assert.ok(!values.includes('20.5'), 'the older answer value is not published after the notification');
});
