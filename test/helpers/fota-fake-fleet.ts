/**
 * An in-process fleet of devices that implement object 5 (Firmware Update) as the
 * specification's state machine, behind the part of the core's API an update job uses
 * (JobCore): reads of /3/0 and /5/0, observations of /5/0/3 and /5/0/5 with notifications,
 * push (write /5/0/0), pull (write /5/0/1: the device fetches the URI through `fetch`),
 * execute /5/0/2, and an Update (the `updated` event) once the new firmware runs. For
 * unit tests and the 1,000-device campaign, where 1,000 UDP clients would be too heavy.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { LwM2mPath } from '../../src/lwm2m/path.js';
import type { Clock } from '../../src/lwm2m/clock.js';
import type { LwM2mNode } from '../../src/lwm2m/node.js';
import type { NotificationEvent, Observation, OperationResult, Registration, ServerEvents } from '../../src/lwm2m/server/index.js';

export interface FakeDeviceSpec {
  version?: string;
  manufacturer?: string;
  model?: string;
  /** /5/0/8 */
  protocols?: number[];
  /** /5/0/9 (default 2: both) */
  delivery?: number;
  /** the SHA-256 (hex) a package must have to pass the integrity check (undefined: any) */
  expectSha256?: string;
  /** the version it runs after an update (default: the `version` handed to `fleet.willRun`) */
  nextVersion?: string;
  /** after Update it never comes back */
  neverComesBack?: boolean;
  /** requests fail with TIMEOUT (a device gone) */
  unreachable?: boolean;
  /** a queue-mode device: sends an Update (it is awake) while it still installs */
  wakesDuringUpdate?: boolean;
}

interface Device extends FakeDeviceSpec {
  endpoint: string;
  state: number;
  result: number;
  registration: Registration;
  observations: Map<string, Observation>;
}

/** The system time with timers that keep the test process alive (the gateway's are unref'd). */
export const refClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

const ok = (code: string, node?: LwM2mNode): OperationResult => ({ success: true, code, ...(node ? { node } : {}) });
const fail = (code: string): OperationResult => ({ success: false, code });

export class FakeFleet extends EventEmitter<ServerEvents> {
  readonly devices = new Map<string, Device>();
  /** requests in order: "ep op path" */
  readonly log: string[] = [];
  /** how a device fetches a Package URI (pull); resolves with the bytes */
  fetch: (url: string, endpoint: string) => Promise<Uint8Array> = () => Promise.reject(new Error('no fetch'));
  private seq = 0;
  /** ms a device takes for each step (download, update) */
  stepMs = 1;

  constructor(readonly clock: Clock = refClock) {
    super();
    this.setMaxListeners(0);
  }

  add(endpoint: string, spec: FakeDeviceSpec = {}): void {
    const now = this.clock.now();
    const registration = { id: `r${++this.seq}`, endpoint, lifetime: 300, version: '1.1', binding: 'U', queueMode: false, rootPath: '/', contentFormats: [], objectLinks: [], objects: new Map(), peer: { transport: 'fake', address: '127.0.0.1', port: 1, key: endpoint }, registeredAt: now, lastUpdateAt: now, expiresAt: now + 300_000, extra: {} } as unknown as Registration;
    this.devices.set(endpoint, { version: '1.0', manufacturer: 'Fake', model: 'F-1', protocols: [0, 2], delivery: 2, ...spec, endpoint, state: 0, result: 0, registration, observations: new Map() });
  }

  getRegistration(endpoint: string): Registration | undefined {
    return this.devices.get(endpoint)?.registration;
  }

  registrations(): Registration[] {
    return [...this.devices.values()].map((d) => d.registration);
  }

  isAwake(): boolean {
    return true;
  }

  private later(fn: () => void): void {
    setTimeout(fn, this.stepMs);
  }

  private dev(endpoint: string): Device | OperationResult {
    const d = this.devices.get(endpoint);
    if (!d) return { success: false, error: { code: 'NOT_REGISTERED', message: 'not registered' } };
    if (d.unreachable) return { success: false, error: { code: 'TIMEOUT', message: 'no answer' } };
    return d;
  }

  private fwNode(d: Device): LwM2mNode {
    const r = (id: number, type: 'integer' | 'string', value: number | string) => [id, { kind: 'resource' as const, id, type, value }] as const;
    const protocols = { kind: 'multiResource' as const, id: 8, type: 'integer' as const, instances: new Map((d.protocols ?? []).map((p, i) => [i, { kind: 'resourceInstance' as const, id: i, type: 'integer' as const, value: p }])) };
    return { kind: 'instance', id: 0, resources: new Map<number, never>([r(1, 'string', ''), r(3, 'integer', d.state), r(5, 'integer', d.result), r(9, 'integer', d.delivery ?? 2), [8, protocols]] as never) };
  }

  private set(d: Device, state: number, result?: number): void {
    d.state = state;
    if (result !== undefined) d.result = result;
    for (const ob of d.observations.values()) {
      const rid = ob.paths[0]!.resourceId!;
      const value = rid === 3 ? d.state : d.result;
      const e: NotificationEvent = { registration: d.registration, observation: ob, node: { kind: 'resource', id: rid, type: 'integer', value }, receivedAt: this.clock.now() };
      this.emit('notification', e);
    }
  }

  private downloaded(d: Device, bytes: Uint8Array): void {
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (d.expectSha256 !== undefined && sha !== d.expectSha256) this.set(d, 0, 5);
    else this.set(d, 2);
  }

  read(endpoint: string, path: string | LwM2mPath): Promise<OperationResult> {
    const d = this.dev(endpoint);
    if (!('endpoint' in d)) return Promise.resolve(d);
    const p = String(path);
    this.log.push(`${endpoint} read ${p}`);
    if (p === '/3/0') {
      const s = (id: number, value: string) => [id, { kind: 'resource' as const, id, type: 'string' as const, value }] as const;
      return Promise.resolve(ok('2.05', { kind: 'instance', id: 0, resources: new Map([s(0, d.manufacturer!), s(1, d.model!), s(3, d.version!)]) }));
    }
    if (p === '/3/0/3') return Promise.resolve(ok('2.05', { kind: 'resource', id: 3, type: 'string', value: d.version! }));
    if (p === '/5/0') return Promise.resolve(ok('2.05', this.fwNode(d)));
    return Promise.resolve(fail('4.04'));
  }

  write(endpoint: string, path: string | LwM2mPath, node: LwM2mNode): Promise<OperationResult> {
    const d = this.dev(endpoint);
    if (!('endpoint' in d)) return Promise.resolve(d);
    const p = String(path);
    this.log.push(`${endpoint} write ${p}`);
    const value = node.kind === 'resource' ? node.value : undefined;
    if (p === '/5/0/0' && value instanceof Uint8Array) {
      if (d.delivery === 0) return Promise.resolve(fail('4.05'));
      this.set(d, 1, 0);
      this.later(() => this.downloaded(d, value));
      return Promise.resolve(ok('2.04'));
    }
    if (p === '/5/0/1' && typeof value === 'string') {
      if (value === '') {
        this.set(d, 0, 0);
        return Promise.resolve(ok('2.04'));
      }
      if (d.delivery === 1) return Promise.resolve(fail('4.05'));
      this.set(d, 1, 0);
      this.fetch(value, endpoint).then(
        (bytes) => this.later(() => this.downloaded(d, bytes)),
        () => this.set(d, 0, 4),
      );
      return Promise.resolve(ok('2.04'));
    }
    return Promise.resolve(fail('4.05'));
  }

  execute(endpoint: string, path: string | LwM2mPath): Promise<OperationResult> {
    const d = this.dev(endpoint);
    if (!('endpoint' in d)) return Promise.resolve(d);
    this.log.push(`${endpoint} execute ${String(path)}`);
    if (String(path) !== '/5/0/2' || d.state !== 2) return Promise.resolve(fail('4.05'));
    this.set(d, 3);
    if (d.wakesDuringUpdate) this.later(() => this.emit('updated', d.registration, d.registration));
    if (!d.neverComesBack) {
      setTimeout(() => {
        d.version = d.nextVersion ?? this.newVersion;
        d.observations.clear(); // a reboot: a new Register ends the observations
        d.state = 0;
        d.result = 1;
        const previous = d.registration;
        d.registration = { ...previous, lastUpdateAt: this.clock.now() };
        this.emit('updated', d.registration, previous);
      }, this.stepMs * (d.wakesDuringUpdate ? 20 : 1));
    }
    return Promise.resolve(ok('2.04'));
  }

  /** the version devices run after an update when their spec names none */
  newVersion = '2.0';

  observe(endpoint: string, path: string | LwM2mPath): Promise<OperationResult> {
    const d = this.dev(endpoint);
    if (!('endpoint' in d)) return Promise.resolve(d);
    const lp = LwM2mPath.parse(String(path));
    const id = `o${++this.seq}`;
    d.observations.set(id, { id, registrationId: d.registration.id, endpoint, paths: [lp], composite: false, token: new Uint8Array(4), createdAt: this.clock.now() });
    const value = lp.resourceId === 3 ? d.state : d.result;
    return Promise.resolve({ success: true, code: '2.05', observationId: id, node: { kind: 'resource', id: lp.resourceId!, type: 'integer', value } });
  }

  cancelObservation(endpoint: string, id: string): Promise<OperationResult> {
    this.devices.get(endpoint)?.observations.delete(id);
    return Promise.resolve(ok('2.05'));
  }
}
