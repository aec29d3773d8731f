/**
 * Object 5 (Firmware Update) on the real-UDP test client, as the specification's state
 * machine: a push (Block1 write of /5/0/0) or a pull (write of a Package URI /5/0/1, which
 * it downloads over HTTP with Range and If-Range to resume after a lost link, or over CoAP
 * with Block2 from the gateway's CoAP port, asking again from the block where it was) takes it to
 * Downloading (1) then Downloaded (2), or back to Idle with a failure Update Result (5:
 * integrity, when the SHA-256 is not the one it expects; 4: connection lost); Update
 * (/5/0/2) in state 2 takes it to Updating (3), then it "reboots": /3/0/3 becomes the new
 * version, result 1, and it registers again. State changes notify the observers.
 */
import { createHash } from 'node:crypto';
import { ObjectStore, STANDARD_OBJECTS, STANDARD_VALUES, type Lwm2mTestClient } from './lwm2m-test-client.js';
import { O, blockOpt, getBlock, type Msg } from './lwm2m-test-client-coap.js';

export interface FotaBehaviour {
  /** SHA-256 (hex) a package must have (undefined: any passes) */
  expectSha256?: string;
  /** the version it runs after the update */
  nextVersion: string;
  /** /5/0/8 (default CoAP and HTTP) */
  protocols?: number[];
  /** /5/0/9 (default 2: both) */
  delivery?: number;
  /** the first download stops after this many bytes (a lost link; CoAP: rounded to blocks); the next one resumes */
  dropAfterBytes?: number;
  /** after Update it never comes back */
  neverComesBack?: boolean;
}

/** A store with object 5 as the spec has it (resources 0, 1, 2, 3, 5, 8, 9). */
export function fotaStore(b: Pick<FotaBehaviour, 'protocols' | 'delivery'> = {}): ObjectStore {
  const defs = STANDARD_OBJECTS.map((d) =>
    d.id === 5
      ? { id: 5, resources: { 0: { type: 'opaque' as const, ops: 'W' as const }, 1: { type: 'string' as const, ops: 'RW' as const }, 2: { type: 'none' as const, ops: 'E' as const }, 3: { type: 'integer' as const, ops: 'R' as const }, 5: { type: 'integer' as const, ops: 'R' as const }, 8: { type: 'integer' as const, ops: 'R' as const, multiple: true }, 9: { type: 'integer' as const, ops: 'R' as const } } }
      : d,
  );
  const R = (type: 'string' | 'integer' | 'boolean') => ({ type, ops: 'R' as const });
  const E = { type: 'none' as const, ops: 'E' as const };
  defs.push({ id: 9, resources: { 0: R('string'), 1: R('string'), 2: { type: 'opaque', ops: 'W' }, 3: { type: 'string', ops: 'W' }, 4: E, 6: E, 7: R('integer'), 9: R('integer'), 10: E, 11: E, 12: R('boolean') } });
  const protocols = Object.fromEntries((b.protocols ?? [0, 2]).map((p, i) => [i, p]));
  return new ObjectStore(defs, { ...STANDARD_VALUES, '/5/0': { 1: '', 3: 0, 5: 0, 8: protocols, 9: b.delivery ?? 2 }, '/9/0': { 0: '', 1: '', 7: 0, 9: 0, 12: false } });
}

export class FotaDevice {
  /** HTTP requests the device made for its package: the Range it asked for and the status */
  readonly downloads: { range: string | null; status: number }[] = [];
  /** Block2 numbers of the CoAP GETs of its package, in order */
  readonly blocks: number[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly client: Lwm2mTestClient,
    readonly b: FotaBehaviour,
  ) {
    client.tamper = (out) => {
      const r = out.request;
      if (out.kind === 'answer' && r && out.code.startsWith('2.')) {
        if (r.method === 'PUT' && r.path === '/5/0/0' && !(r.block1?.more ?? false)) this.enqueue(() => this.pushed());
        else if (r.method === 'PUT' && r.path === '/5/0/1') this.enqueue(() => this.uri(String(client.value('/5/0/1') ?? '')));
        else if (r.method === 'POST' && r.path === '/5/0/2') return this.execute(out);
        else if (r.method === 'PUT' && r.path === '/9/0/2' && !(r.block1?.more ?? false)) this.enqueue(() => this.swDelivered((client.value('/9/0/2') as Uint8Array | undefined) ?? new Uint8Array()));
        else if (r.method === 'POST' && r.path.startsWith('/9/0/')) return this.swExecute(out, Number(r.path.split('/')[3]));
      }
      return out;
    };
  }

  get state(): number {
    return Number(this.client.value('/5/0/3'));
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch(() => undefined);
  }

  private async set(state: number, result?: number): Promise<void> {
    const paths = ['/5/0/3'];
    this.client.store.set('/5/0/3', state);
    if (result !== undefined) {
      this.client.store.set('/5/0/5', result);
      paths.push('/5/0/5');
    }
    await this.client.notifyChanged(paths);
  }

  private async check(bytes: Uint8Array): Promise<void> {
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (this.b.expectSha256 !== undefined && sha !== this.b.expectSha256) await this.set(0, 5);
    else await this.set(2);
  }

  private async pushed(): Promise<void> {
    await this.set(1, 0);
    await this.check((this.client.value('/5/0/0') as Uint8Array | undefined) ?? new Uint8Array());
  }

  private async uri(url: string): Promise<void> {
    if (url === '') {
      await this.set(0, 0);
      return;
    }
    await this.set(1, 0);
    if (url.startsWith('coap:')) return this.coapPull(url);
    let got = Buffer.alloc(0);
    let etag: string | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers: Record<string, string> = {};
      if (got.length > 0) {
        headers.range = `bytes=${got.length}-`;
        if (etag) headers['if-range'] = etag;
      }
      const res = await fetch(url, { headers });
      this.downloads.push({ range: headers.range ?? null, status: res.status });
      if (res.status !== 200 && res.status !== 206) {
        await this.set(0, res.status === 404 ? 7 : 4);
        return;
      }
      etag = res.headers.get('etag');
      if (res.status === 200) got = Buffer.alloc(0);
      const reader = res.body!.getReader();
      let lost = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        got = Buffer.concat([got, value]);
        if (attempt === 0 && this.b.dropAfterBytes !== undefined && got.length >= this.b.dropAfterBytes) {
          got = got.subarray(0, this.b.dropAfterBytes);
          await reader.cancel();
          lost = true;
          break;
        }
      }
      if (!lost) {
        await this.check(got);
        return;
      }
    }
    await this.set(0, 4);
  }

  /** Block2 GETs of the Package URI, 256-byte blocks; a lost link: the transfer is asked again from the next block. */
  private async coapPull(url: string): Promise<void> {
    const path = new URL(url).pathname.split('/').filter((s) => s.length > 0);
    const szx = 4;
    const parts: Buffer[] = [];
    let got = 0;
    let lostOnce = false;
    for (let num = 0; ; num++) {
      if (!lostOnce && this.b.dropAfterBytes !== undefined && got >= this.b.dropAfterBytes) {
        lostOnce = true; // the link drops here; after a pause the device asks for the next block
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await this.client.request('GET', path, { options: [blockOpt(O.Block2, { num, more: false, szx })] });
      this.blocks.push(num);
      if (r.code !== '2.05') {
        await this.set(0, r.code === '4.04' ? 7 : 4);
        return;
      }
      const b = getBlock({ options: r.options } as Msg, O.Block2);
      parts.push(r.payload);
      got += r.payload.length;
      if (!b?.more) break;
    }
    await this.check(Buffer.concat(parts));
  }

  /** Object 9: Update State /9/0/7, Update Result /9/0/9 (notified), other values set quietly. */
  private async sw(state: number, result: number, values: Record<string, string | boolean> = {}): Promise<void> {
    for (const [p, v] of Object.entries(values)) this.client.store.set(p, v);
    this.client.store.set('/9/0/7', state);
    this.client.store.set('/9/0/9', result);
    await this.client.notifyChanged(['/9/0/7', '/9/0/9']);
  }

  private async swDelivered(bytes: Uint8Array): Promise<void> {
    await this.sw(1, 1);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (this.b.expectSha256 !== undefined && sha !== this.b.expectSha256) return this.sw(0, 53);
    await this.sw(2, 1);
    await this.sw(3, 3);
  }

  /** Install (4) in state 3, Uninstall (6), Activate (10), Deactivate (11). */
  private swExecute<T extends { code: string }>(out: T, rid: number): T {
    const state = Number(this.client.value('/9/0/7'));
    if (rid === 4) {
      if (state !== 3) return { ...out, code: '4.05' };
      this.enqueue(() => this.sw(4, 2, { '/9/0/0': 'pkg', '/9/0/1': this.b.nextVersion }));
    } else if (rid === 6) this.enqueue(() => this.sw(0, 0, { '/9/0/0': '', '/9/0/1': '', '/9/0/12': false }));
    else if (rid === 10 || rid === 11) {
      if (state !== 4) return { ...out, code: '4.05' };
      this.client.store.set('/9/0/12', rid === 10);
    }
    return out;
  }

  private execute<T extends { code: string }>(out: T): T {
    if (this.state !== 2) return { ...out, code: '4.05' };
    this.enqueue(async () => {
      await this.set(3);
      if (this.b.neverComesBack) {
        this.client.sleep();
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
      this.client.store.set('/3/0/3', this.b.nextVersion);
      this.client.store.set('/5/0/3', 0);
      this.client.store.set('/5/0/5', 1);
      await this.client.register(); // the new firmware registers afresh
    });
    return out;
  }
}
