/**
 * The benchmark's DTLS part with tiny numbers, end to end: the gateway as a process with
 * the coaps binding, PSKs provisioned over REST, the handshake load generator in a fleet
 * process, then a small fleet over DTLS whose notifications reach MQTT. Checks that the
 * figures are there and count real work (handshakes completed, devices registered over
 * DTLS, notifications delivered), not how fast (speed is the benchmark's business).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../../bench/report.js';
import { runBenchScript } from '../../helpers/bench-script.js';

test('the DTLS part of the benchmark counts handshakes and notifications over DTLS', { timeout: 118_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dtls-'));
  const out = join(dir, 'results.json');
  const args = ['--quick', '--devices', '20', '--big', '0', '--skip', 'notify,rest', '--dtls-devices', '20', '--dtls-sockets', '8', '--dtls-seconds', '1', '--steps', '100', '--fixed', '200', '--out', out];
  try {
    const { code, stdout, stderr } = await runBenchScript('bench/run.ts', args);
    assert.equal(code, 0, `bench exited ${code}:\n${stderr.slice(-3000)}`);
    assert.match(stdout, /DTLS full PSK handshakes/);
    const d = (JSON.parse(readFileSync(out, 'utf8')) as Results).figures.dtls;
    assert.ok(!('skipped' in d), `DTLS measured: ${JSON.stringify(d)}`);
    if ('skipped' in d) return;
    const h = d.handshakes;
    assert.ok(h.completed > 0, 'handshakes completed in the measured window');
    assert.ok(h.perSecond > 0 && Number.isFinite(h.perCorePerSecond) && Number.isFinite(h.gatewayCpu), 'handshake rate, per-core rate and gateway CPU');
    assert.equal(h.failed, 0, `no handshake refused: ${JSON.stringify(h.reasons)}`);
    assert.ok(!('skipped' in d.registrations), 'registrations over DTLS');
    if (!('skipped' in d.registrations)) {
      assert.equal(d.registrations.failures, 0, 'every DTLS client registered');
      assert.ok(d.registrations.perSecond > 0);
    }
    assert.equal(d.observations?.established, 40, 'two observations per DTLS device');
    assert.ok(!('skipped' in d.notifications), `DTLS notifications measured: ${JSON.stringify(d.notifications)}`);
    if (!('skipped' in d.notifications)) assert.ok(d.notifications.deliveredPerSecond > 0, 'DTLS notifications reached the MQTT subscriber');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
