/**
 * A shard that ends unexpectedly is started again in its place, and the front hands the
 * datagrams of its devices to the new one: a device of that shard registers again. In
 * process (ShardedGateway itself), on the real Redis, the MQTT face off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { ShardedGateway } from '../../../src/workers/sharded-gateway.js';
import { shardOf } from '../../../src/workers/shard-plan.js';
import { createLogger } from '../../../src/log.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { REDIS_URL, deletePrefixes, redisMissing, testPrefix } from '../../helpers/redis-available.js';

const skip = await redisMissing();

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A test client whose source port hashes to `shard` of 2. */
async function deviceOn(shard: number, coapPort: number, endpoint: string): Promise<Lwm2mTestClient> {
  for (;;) {
    const d = await new Lwm2mTestClient({ serverPort: coapPort, endpoint, timing: { ackTimeoutMs: 300 } }).start();
    if (shardOf('127.0.0.1', d.port, 2) === shard) return d;
    await d.stop();
  }
}

void test('a shard that dies is started again and serves its devices', { timeout: 60_000, ...(skip ? { skip } : {}) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-shard-restart-'));
  const prefix = testPrefix('shard-restart');
  const config: GatewayConfig = {
    ...structuredClone(DEFAULT_CONFIG),
    workers: 2,
    coap: { ...DEFAULT_CONFIG.coap, port: 0, address: '127.0.0.1' },
    lwm2m: { ...DEFAULT_CONFIG.lwm2m, limits: { ...DEFAULT_CONFIG.lwm2m.limits, registerRatePerAddress: 0 } },
    mappings: { dir: null, watch: false },
    mqtt: { ...DEFAULT_CONFIG.mqtt, enabled: false },
    mqttBinding: { ...DEFAULT_CONFIG.mqttBinding, enabled: false },
    rest: { ...DEFAULT_CONFIG.rest, enabled: false },
    onem2m: { ...DEFAULT_CONFIG.onem2m, enabled: false },
    firmware: { ...DEFAULT_CONFIG.firmware, enabled: false },
    store: { type: 'redis' },
    redis: { url: REDIS_URL, prefix },
    data: { dir: join(dir, 'data') },
    log: { level: 'info', format: 'text' },
  };
  const lines: string[] = [];
  const gw = new ShardedGateway(config, 2, { logger: createLogger('info', (l) => lines.push(l)) });
  const devices: Lwm2mTestClient[] = [];
  try {
    await gw.start();
    const port = gw.ports['coap']!;
    const before = await deviceOn(1, port, 'restart-dev-1');
    devices.push(before);
    assert.equal((await before.register()).code, '2.01');
    const forwarded = gw.traffic.forwarded[1]!;
    assert.ok(forwarded > 0, 'the front forwarded its Register to shard 1');

    // shard 1's thread ends as if it had crashed
    await (gw as unknown as { shards: { worker: { terminate(): Promise<number> } }[] }).shards[1]!.worker.terminate();
    await until('shard 1 started again', () => lines.some((l) => l.includes('shard started again') && l.includes('shard=1')));
    assert.ok(lines.some((l) => l.includes('ERROR shard ended, starting it again') && l.includes('shard=1')));

    // a device of shard 1 registers with the new shard, through the same front
    const after = await deviceOn(1, port, 'restart-dev-2');
    devices.push(after);
    assert.equal((await after.register()).code, '2.01');
    assert.ok(gw.traffic.forwarded[1]! > forwarded);
    // and one of shard 0 was never disturbed
    const other = await deviceOn(0, port, 'restart-dev-0');
    devices.push(other);
    assert.equal((await other.register()).code, '2.01');
  } finally {
    for (const d of devices) await d.stop();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
    await deletePrefixes([prefix]);
  }
});
