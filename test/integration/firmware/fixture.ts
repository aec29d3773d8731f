/**
 * The REST face with firmware updates over a real CoAP/UDP server (port 0), with test
 * clients that implement object 5 (lwm2m-test-client-fota.ts); stop() closes all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirmwareManager } from '../../../src/firmware/index.js';
import { DEFAULT_FIRMWARE_CONFIG, type FirmwareConfig } from '../../../src/config/firmware-config.js';
import { silentLogger } from '../../../src/log.js';
import type { JsonBody } from '../rest/fixture.js';
import { Fixture, type FixtureOptions } from '../lwm2m/fixture.js';
import { RestNorthbound } from '../../../src/northbound/rest/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { FotaDevice, fotaStore, type FotaBehaviour } from '../../helpers/lwm2m-test-client-fota.js';

export class FotaFixture {
  private constructor(
    readonly lwm2m: Fixture,
    readonly northbound: RestNorthbound,
    readonly base: string,
    readonly firmware: FirmwareManager,
    readonly config: FirmwareConfig,
    private readonly dir: string,
  ) {}

  static async start(o: FixtureOptions & { firmware?: Partial<FirmwareConfig> } = {}): Promise<FotaFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'fota-'));
    const config: FirmwareConfig = { ...DEFAULT_FIRMWARE_CONFIG, deviceTimeout: 20, ...o.firmware };
    let manager: FirmwareManager | undefined;
    const downloads = (path: readonly string[]): Promise<Uint8Array | undefined> => manager?.coapDownload(path[1] ?? '') ?? Promise.resolve(undefined);
    const lwm2m = await Fixture.start({ ...o, transport: { ...o.transport, downloads } });
    const firmware = (manager = new FirmwareManager({ core: lwm2m.server, config, dir, logger: silentLogger }));
    firmware.start();
    const northbound = new RestNorthbound({ server: lwm2m.server, models: ModelRegistry.withBuiltins(), config: { port: 0, host: '127.0.0.1', tokens: [], corsOrigins: [] }, heartbeatMs: 0, firmware });
    const { port } = await northbound.start();
    const base = `http://127.0.0.1:${port}`;
    config.publicUrl = base;
    config.coapUrl = `coap://127.0.0.1:${lwm2m.port}`;
    return new FotaFixture(lwm2m, northbound, base, firmware, config, dir);
  }

  async device(endpoint: string, b: FotaBehaviour, o: { queueMode?: boolean } = {}): Promise<FotaDevice> {
    const { client } = await this.lwm2m.registered({ endpoint, store: fotaStore(b), ...(o.queueMode ? { queueMode: true } : {}) });
    return new FotaDevice(client, b);
  }

  async upload(version: string, body: Buffer, kind: 'firmware' | 'software' = 'firmware'): Promise<JsonBody> {
    const r = await fetch(`${this.base}/api/firmware?name=fw&version=${version}&deviceType=TD-1&kind=${kind}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });
    if (r.status !== 201) throw new Error(`upload answered ${r.status}: ${await r.text()}`);
    return r.json();
  }

  /** Polls the device's update until it ends. */
  async finished(endpoint: string, ms = 15_000): Promise<JsonBody> {
    const end = Date.now() + ms;
    for (;;) {
      const r = await this.api('GET', `/api/devices/${endpoint}/firmware`);
      if (r.status === 200 && ['succeeded', 'failed', 'cancelled', 'skipped'].includes(r.body.phase)) return r.body;
      if (Date.now() > end) throw new Error(`no end: ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: JsonBody }> {
    const r = await fetch(this.base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    const text = await r.text();
    return { status: r.status, body: text && /json/.test(r.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
  }

  async stop(): Promise<void> {
    await this.firmware.stop();
    await this.northbound.stop();
    await this.lwm2m.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
