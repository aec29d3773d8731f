/** How many shards a config gets, the config of each, and which shard a source address and port go to. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { SHARD_GROUP, planWorkers, shardConfig, shardOf, shardingBlocker } from '../../../src/workers/shard-plan.js';
import { StartError } from '../../../src/start-error.js';

/** a config that can be sharded: Redis store, external broker, no oneM2M, no firmware */
function shardable(over: Partial<GatewayConfig> = {}): GatewayConfig {
  const c = structuredClone(DEFAULT_CONFIG);
  c.store.type = 'redis';
  c.mqtt.mode = 'external';
  c.onem2m.enabled = false;
  c.firmware.enabled = false;
  return { ...c, ...over };
}

void test('each blocker is named with its config key; a shardable config has none', () => {
  assert.equal(shardingBlocker(shardable()), undefined);
  assert.match(shardingBlocker(DEFAULT_CONFIG)!, /^store\.type is file/);
  const embedded = shardable();
  embedded.mqtt.mode = 'embedded';
  assert.match(shardingBlocker(embedded)!, /^mqtt\.mode is embedded/);
  const mqttOff = shardable();
  mqttOff.mqtt.mode = 'embedded';
  mqttOff.mqtt.enabled = false;
  assert.equal(shardingBlocker(mqttOff), undefined, 'no MQTT face: no broker to share');
  const onem2m = shardable();
  onem2m.onem2m.enabled = true;
  assert.match(shardingBlocker(onem2m)!, /^onem2m\.enabled/);
  const firmware = shardable();
  firmware.firmware.enabled = true;
  assert.match(shardingBlocker(firmware)!, /^firmware\.enabled/);
});

void test('auto: one shard per core when the config can be sharded, else one with the reason; a number is kept or refused', () => {
  assert.deepEqual(planWorkers(shardable(), 4), { count: 4 });
  assert.deepEqual(planWorkers(shardable(), 1), { count: 1 });
  const one = planWorkers(DEFAULT_CONFIG, 4);
  assert.equal(one.count, 1);
  assert.match(one.note!, /^workers auto: one shard, store\.type is file/);
  assert.deepEqual(planWorkers(shardable({ workers: 3 }), 2), { count: 3 }, 'more shards than cores when asked');
  assert.deepEqual(planWorkers({ ...DEFAULT_CONFIG, workers: 1 }, 8), { count: 1 });
  assert.throws(
    () => planWorkers({ ...DEFAULT_CONFIG, workers: 2 }, 8),
    (e: unknown) => e instanceof StartError && /^workers 2: store\.type is file.*\(or set workers: 1\)$/.test(e.message),
  );
});

void test('shard 0 runs every listener; the others only CoAP/UDP, the core and the MQTT face; all share one command group', () => {
  const c = shardable();
  c.dtls.enabled = true;
  c.bootstrap.enabled = true;
  c.http.enabled = true;
  c.mqtt.external.clientId = 'gw';
  const first = shardConfig(c, 0, 3);
  assert.equal(first.rest.enabled, true);
  assert.equal(first.dtls.enabled, true);
  assert.equal(first.bootstrap.enabled, true);
  assert.equal(first.http.enabled, true);
  assert.equal(first.mqtt.external.sharedGroup, SHARD_GROUP);
  assert.equal(first.mqtt.external.clientId, 'gw');
  assert.equal(first.workers, 1, 'a shard is one instance');
  const other = shardConfig(c, 2, 3);
  assert.equal(other.rest.enabled, false);
  assert.equal(other.console?.enabled, false);
  assert.equal(other.dtls.enabled, false);
  assert.equal(other.bootstrap.enabled, false);
  assert.equal(other.http.enabled, false);
  assert.equal(other.http.bootstrap.enabled, false);
  assert.equal(other.mqttBinding.enabled, false);
  assert.equal(other.mqtt.enabled, true);
  assert.equal(other.mqtt.external.clientId, 'gw-2', 'client ids differ per shard');
  assert.equal(other.mqtt.external.sharedGroup, SHARD_GROUP);
  assert.deepEqual(other.store, c.store);
  assert.deepEqual(other.redis, c.redis);
  c.mqtt.external.sharedGroup = 'mine';
  assert.equal(shardConfig(c, 1, 2).mqtt.external.sharedGroup, 'mine', 'a configured group is kept');
  assert.equal(c.rest.enabled, true, 'the config given is not changed');
});

void test('a source address and port go to one shard, always; the shards get about as many each', () => {
  assert.equal(shardOf('10.0.0.1', 5683, 1), 0);
  const counts = [0, 0, 0, 0];
  for (let port = 1024; port < 5024; port++) {
    const k = shardOf('192.0.2.7', port, 4);
    assert.ok(k >= 0 && k < 4);
    assert.equal(shardOf('192.0.2.7', port, 4), k);
    counts[k]!++;
  }
  for (const n of counts) assert.ok(n > 800 && n < 1200, `spread: ${counts.join(',')}`);
  const byAddress = new Set(Array.from({ length: 64 }, (_, i) => shardOf(`2001:db8::${i.toString(16)}`, 5683, 2)));
  assert.deepEqual([...byAddress].sort(), [0, 1], 'addresses on one port spread too');
});
