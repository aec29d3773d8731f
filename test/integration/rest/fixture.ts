/**
 * The REST northbound over real HTTP (port 0) on an LwM2M server with a real CoAP/UDP
 * transport (port 0) and simulated devices; `stop()` closes everything.
 */
import { Fixture, type ClientOptions, type FixtureOptions } from '../lwm2m/fixture.js';
import { RestNorthbound, type RestNorthboundOptions } from '../../../src/northbound/rest/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';

/** Parsed JSON bodies, read freely by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export interface RestFixtureOptions extends FixtureOptions {
  rest?: Partial<RestNorthboundOptions['config']>;
  northbound?: Partial<Omit<RestNorthboundOptions, 'server' | 'models' | 'config'>>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: JsonBody;
  text: string;
}

export class RestFixture {
  private constructor(
    readonly lwm2m: Fixture,
    readonly rest: RestNorthbound,
    readonly base: string,
  ) {}

  static async start(o: RestFixtureOptions = {}): Promise<RestFixture> {
    const lwm2m = await Fixture.start(o);
    const config: RestNorthboundOptions['config'] = { port: 0, host: '127.0.0.1', tokens: [], corsOrigins: [], ...o.rest };
    const rest = new RestNorthbound({ server: lwm2m.server, models: ModelRegistry.withBuiltins(), config, heartbeatMs: 0, ...o.northbound });
    try {
      const { port } = await rest.start();
      return new RestFixture(lwm2m, rest, `http://127.0.0.1:${port}`);
    } catch (e) {
      await lwm2m.stop();
      throw e;
    }
  }

  get server(): Fixture['server'] {
    return this.lwm2m.server;
  }

  registered(o: ClientOptions): ReturnType<Fixture['registered']> {
    return this.lwm2m.registered(o);
  }

  /** One HTTP request; a JSON body is sent as application/json unless `raw` is given. */
  async api(
    method: string,
    path: string,
    o: { body?: unknown; raw?: string; contentType?: string; token?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...o.headers };
    let body: string | undefined;
    if (o.raw !== undefined) {
      body = o.raw;
      headers['content-type'] = o.contentType ?? 'application/json';
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const res = await fetch(this.base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text.length > 0 && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async stop(): Promise<void> {
    await this.rest.stop();
    await this.lwm2m.stop();
  }
}

/** Reads Server-Sent Events from `GET path` until `until` says stop (or the timeout). */
export async function collectEvents(
  url: string,
  until: (events: { event: string; data: JsonBody }[]) => boolean,
  o: { headers?: Record<string, string>; timeoutMs?: number; onOpen?: () => void | Promise<void> } = {},
): Promise<{ event: string; data: JsonBody }[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), o.timeoutMs ?? 5000);
  const events: { event: string; data: JsonBody }[] = [];
  try {
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...o.headers }, signal: ac.signal });
    if (res.status !== 200 || !res.body) throw new Error(`events answered ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let opened = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (!opened) {
          opened = true;
          await o.onOpen?.();
        }
        const ev = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
      }
      if (until(events)) break;
    }
    await reader.cancel().catch(() => {});
    return events;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
