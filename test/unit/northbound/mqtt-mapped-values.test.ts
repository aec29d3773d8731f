/**
 * The last known values behind mapped summaries, kept by the mapped topics per device:
 * seeded by the plan's observe answers (a 4.04 marks a resource absent), freed when a
 * reload removes the mapping that named them. No sockets: memory transport and link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { DownlinkRequest, DownlinkResponse } from '../../../src/lwm2m/transport.js';
import { silentLogger } from '../../../src/log.js';
import { compileMappings, type CompiledMappings } from '../../../src/mapping/index.js';
import { MappedTopics } from '../../../src/northbound/mqtt/mapped.js';
import { setupServer } from '../../helpers/server-setup.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import { MemoryMqttLink } from '../../helpers/memory-mqtt-link.js';

const models = ModelRegistry.withBuiltins();

function mappings(files: Record<string, string>): CompiledMappings {
  const r = compileMappings(Object.entries(files).map(([file, t]) => ({ file, text: t })), models);
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return r.mappings;
}

const LIGHT = `
targets:
  - object: Light Control
    observe: { resources: [On/Off, Dimmer] }
    mqtt:
      publish:
        topic: "l/{endpoint}/{instanceId}"
        each: instance
        absent: omit
        payload: { "on": "{On/Off}", dimmer: "{Dimmer}" }
`;
const OTHER = 'targets:\n  - object: Temperature\n    observe: {}\n';

void test('a reload that drops the mapping frees its values: when it comes back, the summary waits for fresh ones', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const mapped = new MappedTopics({ server: s.server, link, logger: silentLogger, mappings: mappings({ 'light.yaml': LIGHT }) });
  mapped.start();
  const planned = async () => {
    await new Promise((r) => setImmediate(r));
    await mapped.settled();
  };
  // what the device answers to observes: resource id -> text value, or 4.04 when absent
  const state: Record<number, string | undefined> = { 5850: '1', 5851: '40' };
  const peer = memPeer(7101);
  s.mem.device(peer, (req: DownlinkRequest): DownlinkResponse => {
    if (req.op !== 'observe') return { code: req.op === 'cancelObserve' ? '2.05' : '2.04', payload: new Uint8Array() };
    const v = state[req.path.resourceId ?? -1];
    return v === undefined ? { code: '4.04', payload: new Uint8Array() } : { code: '2.05', payload: text(v), contentFormat: ContentFormat.TEXT, observe: 0 };
  });
  await s.mem.register(peer, 'ep=lamp&lt=600&lwm2m=1.1', '</>;rt="oma.lwm2m",</3311/0>');
  await planned();
  const summaries = () => link.published.filter((m) => m.topic === 'l/lamp/0').map((m) => JSON.parse(m.payload.toString()) as unknown);
  assert.deepEqual(summaries(), [{ on: true, dimmer: 40 }]);

  mapped.replace(mappings({ 'other.yaml': OTHER }));
  await planned();
  // the device lost its dimmer and was switched off meanwhile
  state[5850] = '0';
  state[5851] = undefined;
  mapped.replace(mappings({ 'light.yaml': LIGHT }));
  await planned();
  // not {on: false, dimmer: 40} from a value kept past the reload
  assert.deepEqual(summaries(), [{ on: true, dimmer: 40 }, { on: false }]);
  mapped.stop();
  await s.server.stop();
});
