/**
 * The web console in a real browser: a gateway (CoAP/UDP, REST with the console built
 * into a temporary folder) with simulated LwM2M devices on real UDP, and Debian's
 * headless Chromium driven by playwright-core with a fresh profile. `CHROMIUM_SKIP` is
 * the reason to skip when the browser is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { Lwm2mTestClient, type TestClientOptions } from '../../helpers/lwm2m-test-client.js';
// @ts-expect-error the build script is plain JavaScript (scripts/build-console.mjs)
import { buildConsole } from '../../../scripts/build-console.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_SKIP: string | false = !existsSync(CHROMIUM) && `${CHROMIUM} is missing: install Debian's chromium package (.ci/run does) to run the browser tests`;

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ConsoleOptions {
  tokens?: GatewayConfig['rest']['tokens'];
  /** the shipped mapping files (default: none) */
  mappings?: boolean;
  /** last changes to the gateway's config */
  configure?: (config: GatewayConfig) => void;
  /** the browser's window (default 1280 x 900) */
  viewport?: { width: number; height: number };
}

export class ConsoleHarness {
  readonly devices: Lwm2mTestClient[] = [];

  private constructor(
    readonly gateway: Gateway,
    readonly browser: BrowserContext,
    readonly base: string,
    private readonly dirs: string[],
  ) {}

  static async start(o: ConsoleOptions = {}): Promise<ConsoleHarness> {
    const assets = mkdtempSync(join(tmpdir(), 'lwm2m-console-assets-'));
    const profile = mkdtempSync(join(tmpdir(), 'lwm2m-console-profile-'));
    // data.dir: firmware images and campaigns are files (the store is in memory)
    const data = mkdtempSync(join(tmpdir(), 'lwm2m-console-data-'));
    const dirs = [assets, profile, data];
    try {
      await buildConsole(assets);
      const config = structuredClone(DEFAULT_CONFIG);
      config.store.type = 'memory';
      config.data.dir = data;
      config.log.level = 'silent';
      config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
      config.mqtt.enabled = false;
      config.rest = { ...config.rest, port: 0, host: '127.0.0.1', tokens: o.tokens ?? [] };
      config.mappings = o.mappings ? { dir: resolve('mappings'), watch: false } : { dir: null, watch: false };
      config.lwm2m.requestTimeout = 5;
      config.console = { enabled: true, assetsDir: assets };
      o.configure?.(config);
      const gateway = new Gateway(config);
      await gateway.start();
      let browser: BrowserContext;
      try {
        browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: o.viewport ?? { width: 1280, height: 900 } });
      } catch (e) {
        await gateway.stop();
        throw e;
      }
      return new ConsoleHarness(gateway, browser, `http://127.0.0.1:${gateway.ports.rest}`, dirs);
    } catch (e) {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      throw e;
    }
  }

  /** A registered simulated device. */
  async device(o: Omit<TestClientOptions, 'serverPort'>): Promise<Lwm2mTestClient> {
    const c = await new Lwm2mTestClient({ timing: { ackTimeoutMs: 200 }, ...o, serverPort: this.gateway.ports.coap! }).start();
    this.devices.push(c);
    const r = await c.register();
    if (r.code !== '2.01') throw new Error(`register answered ${r.code}`);
    return c;
  }

  /** A new tab (its own session storage: no token yet) at `hash` of the console. */
  async open(hash = '#/'): Promise<Page> {
    const page = await this.browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${this.base}/${hash}`);
    return page;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, read freely by the tests
  async api(method: string, path: string, o: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const res = await fetch(this.base + path, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async stop(): Promise<void> {
    await this.browser.close().catch(() => {});
    for (const d of this.devices) await d.stop().catch(() => {});
    await this.gateway.stop();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** Polls `pred` until it holds (what: the failure message). */
export async function until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
