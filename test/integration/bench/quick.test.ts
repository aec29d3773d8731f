/**
 * `npm run bench -- --quick` end to end: the gateway and the simulator as processes, and a
 * JSON file with every figure of the table. Checks that each figure is there and is a
 * number, not what it is (speed is the benchmark's business, not a test's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../../bench/report.js';
import { runBenchScript } from '../../helpers/bench-script.js';
import { redisReachable } from '../../../bench/store-compare.js';
import { brokerReachable } from '../../../bench/external-broker-phase.js';

const isNumber = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

function assertPercentiles(p: unknown, what: string): void {
  const v = p as Record<string, unknown>;
  for (const k of ['p50', 'p99', 'max']) assert.ok(isNumber(v[k]), `${what}.${k} is a number`);
}

test('bench --quick produces every figure', { timeout: 118_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  const out = join(dir, 'results.json');
  try {
    const { code, stdout, stderr } = await runBenchScript('bench/run.ts', ['--quick', '--out', out]);
    assert.equal(code, 0, `bench exited ${code}:\n${stderr}`);
    assert.match(stdout, /figure\s+measured\s+target\s+of echo/);
    const r = JSON.parse(readFileSync(out, 'utf8')) as Results;
    const f = r.figures;
    for (const k of ['register', 'notification', 'read'] as const) {
      assert.ok(f.echo[k].roundTripsPerSecond > 0, `echo ${k} measured`);
      assert.ok(f.echo[k].requestBytes > 0 && f.echo[k].responseBytes > 0, `echo ${k} sizes`);
    }
    assert.ok(isNumber(f.startupMs.median) && f.startupMs.runs.length >= 1, 'start-up time');
    assert.ok(f.registrations.length >= 2, 'registration rate of both fleets');
    for (const g of f.registrations) {
      assert.ok(isNumber(g.perSecond) && g.perSecond > 0, 'registrations per second');
      assert.ok(isNumber(g.ratioToEcho), 'registration ratio to echo');
    }
    assert.ok(isNumber(f.rss.baseBytes) && f.rss.baseBytes > 0, 'idle RSS');
    assert.equal(f.rss.at.length, 2, 'RSS at two fleet sizes');
    for (const a of f.rss.at) {
      assert.ok(a.bytes > 0 && isNumber(a.perDeviceBytes), 'RSS and bytes per device');
      assert.ok(a.observations > 0, 'the devices were observed');
      assert.ok(isNumber(a.heapBytes) && a.heapBytes! > 0 && isNumber(a.heapPerDeviceBytes), 'live heap and heap per device beside RSS');
    }
    assert.ok(!('skipped' in f.notifications), `notifications measured: ${JSON.stringify(f.notifications)}`);
    if (!('skipped' in f.notifications)) {
      assert.ok(f.notifications.deliveredPerSecond > 0, 'notifications reached the MQTT subscriber');
      assertPercentiles(f.notifications.latencyMs, 'notification latency');
      assert.ok(isNumber(f.notifications.maxPerSecond) && isNumber(f.notifications.ratioToEcho), 'max notification rate and ratio');
    }
    assert.ok(!('skipped' in f.restReads), `REST reads measured: ${JSON.stringify(f.restReads)}`);
    if (!('skipped' in f.restReads)) {
      assert.ok(f.restReads.readsPerSecond > 0, 'REST reads answered');
      assertPercentiles(f.restReads.latencyMs, 'REST latency');
      assert.ok(isNumber(f.restReads.ratioToEcho), 'REST ratio to echo');
    }
    // the DTLS part (test/integration/bench/dtls-bench.test.ts checks it in detail)
    assert.ok(!('skipped' in f.dtls), `DTLS measured: ${JSON.stringify(f.dtls)}`);
    if (!('skipped' in f.dtls)) assert.ok(f.dtls.handshakes.completed > 0 && isNumber(f.dtls.handshakes.perCorePerSecond), 'DTLS handshakes counted');
    // the firmware row: one image pulled by every device at once, all of them done
    const fp = f.fotaPull;
    assert.ok(fp && !('skipped' in fp), `firmware pull measured: ${JSON.stringify(fp)}`);
    if (fp && !('skipped' in fp)) {
      assert.equal(fp.succeeded, fp.devices, 'every device pulled the image');
      assert.ok(fp.wallS > 0 && isNumber(fp.gatewayCpu), 'wall time and gateway CPU');
    }
    assert.match(stdout, /firmware pull, 0\.1 MB by 10 devices at once \(HTTP\)/);
    const mb = f.mqttBinding;
    assert.ok(mb && !('skipped' in mb) && mb.deliveredPerSecond > 0, `MQTT binding notifications measured: ${JSON.stringify(mb)}`);
    // the shards rows: two shards on the Redis store and the machine's Mosquitto, or skipped with the reason
    const w = f.workers;
    assert.ok(w, 'a shards row');
    if ((await brokerReachable('mqtt://127.0.0.1:1883')) && (await redisReachable('redis://127.0.0.1:6379'))) {
      assert.ok(w && !('skipped' in w) && w.runs.length === 1 && w.runs[0]!.workers === 2, `shards measured: ${JSON.stringify(w)}`);
      const run = w && !('skipped' in w) ? w.runs[0]!.figures : undefined;
      assert.ok(run && !('skipped' in run) && run.registrationsPerSecond > 0, `two shards registered the fleet: ${JSON.stringify(run)}`);
      if (run && !('skipped' in run)) assert.ok(!('skipped' in run.notifications) && run.notifications.deliveredPerSecond > 0, 'notifications of two shards reached the subscriber');
      assert.match(stdout, /workers 2 \(\d+ cores\), Redis store, external broker/);
      const front = w && !('skipped' in w) ? w.front : undefined;
      assert.ok(front && !('skipped' in front) && front.roundTripsPerSecond > 0 && front.frontUsPerRoundTrip > 0, `the echo through the front: ${JSON.stringify(front)}`);
    } else assert.ok(w && 'skipped' in w, 'skipped with the reason');
    // the external broker rows: measured on the machine's Mosquitto, or skipped with the reason when none answers
    const xb = f.externalBroker;
    assert.ok(xb, 'an external broker row');
    if (await brokerReachable('mqtt://127.0.0.1:1883')) {
      assert.ok(xb && !('skipped' in xb) && xb.registrationsPerSecond > 0, `external broker measured: ${JSON.stringify(xb)}`);
      if (xb && !('skipped' in xb)) {
        assert.ok(!('skipped' in xb.notifications) && xb.notifications.deliveredPerSecond > 0, 'notifications reached the subscriber on the external broker');
        if (!('skipped' in xb.notifications)) assertPercentiles(xb.notifications.latencyMs, 'external broker latency');
      }
      assert.match(stdout, /notifications -> external broker at /);
    } else assert.match(stdout, /external broker\s+skipped: no broker answers/);
    // the peer row: lwm2m-node-lib's server on the same fleet, as a ratio to the gateway
    const peer = f.peer;
    assert.ok(peer && !('skipped' in peer), `peer measured: ${JSON.stringify(peer)}`);
    if (peer && !('skipped' in peer)) {
      assert.ok(peer.registered > 0 && peer.registrationsPerSecond > 0 && isNumber(peer.registrationRatio), 'peer registrations and their ratio');
      assert.ok(!('skipped' in peer.reads) && peer.reads.ok > 0 && isNumber(peer.readRatio), `peer reads and their ratio: ${JSON.stringify(peer.reads)}`);
    }
    assert.match(stdout, /peer lwm2m-node-lib 1\.4\.0, 100 devices/);
    // the other stores side by side with the main run's (file by default): memory, and Redis where one answers
    assert.equal(r.gateway.store, 'file');
    const stores = f.stores;
    assert.ok(stores && !('skipped' in stores), `other stores measured: ${JSON.stringify(stores)}`);
    if (stores && !('skipped' in stores)) {
      const want = (await redisReachable(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')) ? ['memory', 'redis'] : ['memory'];
      assert.deepEqual(stores.map((x) => x.store), want);
      for (const x of stores) {
        assert.ok(x.registrationsPerSecond > 0 && x.devices > 0, `${x.store}: registrations measured`);
        assert.ok(!('skipped' in x.notifications) && x.notifications.deliveredPerSecond > 0, `${x.store}: notifications reached MQTT`);
      }
      assert.match(stdout, /store memory \(above: file\)/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
