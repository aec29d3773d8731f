/**
 * A campaign over real UDP survives a SIGKILL of the gateway: the gateway (a child
 * process, file store) updates 30 object 5 devices by push with a concurrency of 4, is
 * killed once some have succeeded, and started again on the same ports and data folder;
 * the campaign resumes from its file and ends with every device on the new version, each
 * updated once (a device whose end was not yet on disk is found on the new version).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startGateway, stopProcess, type GatewayRun } from '../../../bench/gateway-process.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { FotaDevice, fotaStore } from '../../helpers/lwm2m-test-client-fota.js';

const TOKEN = 'campaign-kill-test-token';
const N = 30;
const CONCURRENCY = 4;

void test('a campaign killed with SIGKILL halfway resumes after the restart and updates every device once', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fota-kill-'));
  const coap = await freePort('udp');
  const rest = await freePort('tcp');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      `coap: { port: ${coap}, address: 127.0.0.1 }`,
      `lwm2m: { limits: { registerRatePerAddress: 0 } }`,
      `mappings: { dir: null }`,
      `mqtt: { enabled: false }`,
      `rest: { enabled: true, port: ${rest}, host: 127.0.0.1, tokens: [{ token: ${TOKEN}, scope: write }] }`,
      `log: { level: warn }`,
      `store: { type: file }`,
      `data: { dir: ${JSON.stringify(join(dir, 'data'))} }`,
      `firmware: { deviceTimeout: 60 }`,
      '',
    ].join('\n'),
  );
  const api = async (method: string, path: string, body?: unknown, raw?: Buffer): Promise<{ status: number; body: { [k: string]: unknown } }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, 'content-type': raw ? 'application/octet-stream' : 'application/json' };
    const res = await fetch(`http://127.0.0.1:${rest}${path}`, { method, headers, ...(raw ? { body: new Uint8Array(raw) } : body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as { [k: string]: unknown } };
  };
  const start = (): Promise<GatewayRun> => startGateway({ configFile: config, entry: 'src', coapPort: coap, restPort: rest, timeoutMs: 60_000 });
  const clients: Lwm2mTestClient[] = [];
  let gw: GatewayRun | undefined;
  try {
    gw = await start();
    const image = Buffer.alloc(20_000, 9);
    const sha = createHash('sha256').update(image).digest('hex');
    const up = await api('POST', '/api/firmware?name=fw&version=5.0&deviceType=TD-1', undefined, image);
    assert.equal(up.status, 201);
    const executes = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const c = await new Lwm2mTestClient({ serverPort: coap, endpoint: `k-${i}`, store: fotaStore({ delivery: 1 }), timing: { ackTimeoutMs: 300 } }).start();
      clients.push(c);
      new FotaDevice(c, { expectSha256: sha, nextVersion: '5.0' });
      assert.equal((await c.register()).code, '2.01');
    }
    const created = await api('POST', '/api/campaigns', { name: 'kill', imageId: up.body.id, match: ['k-*'], concurrency: CONCURRENCY, retries: 3, backoff: 1 });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    const totals = async (): Promise<{ status: string; totals: Record<string, number> }> => (await api('GET', `/api/campaigns/${id}`)).body as never;
    for (let end = Date.now() + 60_000; (await totals()).totals.succeeded! < 8; ) {
      assert.ok(Date.now() < end, 'devices are updated before the kill');
      await new Promise((r) => setTimeout(r, 20));
    }
    gw.proc.kill('SIGKILL');
    await new Promise((r) => gw!.proc.once('exit', r));
    gw = await start();
    const after = await totals();
    assert.ok(after.totals.succeeded! >= 1 && after.status !== 'finished', JSON.stringify(after));
    let t = after;
    for (let end = Date.now() + 120_000; t.status !== 'finished'; t = await totals()) {
      assert.ok(Date.now() < end, `the campaign finishes: ${JSON.stringify(t)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(t.totals.succeeded, N, JSON.stringify(t));
    for (const c of clients) {
      assert.equal(c.value('/3/0/3'), '5.0', c.options.endpoint);
      executes.set(c.options.endpoint, c.received.filter((r) => r.method === 'POST' && r.path === '/5/0/2').length);
    }
    assert.ok([...executes.values()].every((n) => n === 1), `Update once per device: ${JSON.stringify([...executes])}`);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    if (gw) await stopProcess(gw.proc);
    rmSync(dir, { recursive: true, force: true });
  }
});
