/**
 * What a simulated client holds: Device (3), Connectivity Monitoring (4), IPSO Temperature
 * (3303) and IPSO Humidity (3304), one instance each. Values are computed from the client's
 * index and the time when asked for, so a client costs no memory for them; only a written
 * resource is stored (in the client's `written` map, created on the first write).
 */

export type Kind = 'string' | 'integer' | 'float' | 'boolean' | 'time';
export type Value = string | number | boolean;

/** What a resource's value may depend on. */
export interface ClientView {
  readonly index: number;
  readonly endpoint: string;
  /** written values, "o/i/r" -> value */
  written: Map<string, Value> | undefined;
}

/**
 * How sensor values move: `wave`, a slow sine per client (the demo);
 * `clock`, the sender's wall-clock time in ms (the benchmark reads latency from it).
 */
export type ValueMode = 'wave' | 'clock';

export interface ResourceDef {
  id: number;
  kind: Kind;
  readable: boolean;
  writable: boolean;
  executable: boolean;
  /** multi-instance resources give one value per instance (ids 0..n-1) */
  multiple: boolean;
  value?: (c: ClientView, now: number, mode: ValueMode) => Value | Value[];
}

export interface ObjectDef {
  id: number;
  version: string;
  resources: ResourceDef[];
}

function r(id: number, kind: Kind, access: 'R' | 'W' | 'RW' | 'E', value?: ResourceDef['value'], multiple = false): ResourceDef {
  return {
    id,
    kind,
    readable: access === 'R' || access === 'RW',
    writable: access === 'W' || access === 'RW',
    executable: access === 'E',
    multiple,
    ...(value ? { value } : {}),
  };
}

/** A value that moves slowly and differs per client: `base` +- `swing`, period about `periodS`. */
function wave(c: ClientView, now: number, base: number, swing: number, periodS: number): number {
  const phase = (c.index % 997) / 997;
  const v = base + swing * Math.sin((now / 1000 / periodS + phase) * 2 * Math.PI);
  return Math.round(v * 100) / 100;
}

/** The sensor value: a wave, or in clock mode the current time (ms, fractional) for latency. */
function sensor(base: number, swing: number, periodS: number) {
  return (c: ClientView, now: number, mode: ValueMode): number => (mode === 'clock' ? now : wave(c, now, base, swing, periodS));
}

/** Lowest/highest sensor value seen: the wave's bounds (the clock mode keeps them too). */
const fixed = (v: Value) => (): Value => v;

const DEVICE: ObjectDef = {
  id: 3,
  version: '1.1',
  resources: [
    r(0, 'string', 'R', fixed('Bench Devices')),
    r(1, 'string', 'R', fixed('SIM-1')),
    r(2, 'string', 'R', (c) => `SN${String(c.index).padStart(8, '0')}`),
    r(3, 'string', 'R', fixed('1.0.0')),
    r(4, 'string', 'E'),
    r(6, 'integer', 'R', fixed(1), true),
    r(9, 'integer', 'R', (c, now) => Math.max(0, 100 - Math.floor((now / 60_000 + c.index) % 100))),
    r(11, 'integer', 'R', fixed(0), true),
    r(12, 'string', 'E'),
    r(13, 'time', 'R', (_c, now) => Math.floor(now / 1000)),
    r(14, 'string', 'RW', fixed('+00:00')),
    r(15, 'string', 'RW', fixed('Etc/UTC')),
    r(16, 'string', 'R', fixed('U')),
    r(17, 'string', 'R', fixed('sensor')),
    r(20, 'integer', 'R', fixed(0)),
  ],
};

const CONNECTIVITY: ObjectDef = {
  id: 4,
  version: '1.3',
  resources: [
    r(0, 'integer', 'R', fixed(6)),
    r(1, 'integer', 'R', fixed(6), true),
    r(2, 'integer', 'R', (c, now) => Math.round(wave(c, now, -85, 10, 120))),
    r(3, 'integer', 'R', (c, now) => Math.round(wave(c, now, 70, 20, 300))),
    r(4, 'string', 'R', (c) => `10.${(c.index >> 16) & 255}.${(c.index >> 8) & 255}.${c.index & 255}`, true),
    r(7, 'string', 'R', fixed('internet'), true),
    r(8, 'integer', 'R', (c) => 10_000 + (c.index % 5000)),
  ],
};

function ipsoSensor(id: number, unit: string, base: number, swing: number, periodS: number, min: number, max: number): ObjectDef {
  return {
    id,
    version: '1.1',
    resources: [
      r(5700, 'float', 'R', sensor(base, swing, periodS)),
      r(5701, 'string', 'R', fixed(unit)),
      r(5601, 'float', 'R', fixed(base - swing)),
      r(5602, 'float', 'R', fixed(base + swing)),
      r(5603, 'float', 'R', fixed(min)),
      r(5604, 'float', 'R', fixed(max)),
      r(5605, 'string', 'E'),
      r(5750, 'string', 'RW', fixed('')),
    ],
  };
}

export const OBJECTS: readonly ObjectDef[] = [
  DEVICE,
  CONNECTIVITY,
  ipsoSensor(3303, 'Cel', 21, 4, 600, -40, 85),
  ipsoSensor(3304, '%RH', 45, 15, 900, 0, 100),
];

const BY_ID = new Map(OBJECTS.map((o) => [o.id, o]));

export function objectDef(id: number): ObjectDef | undefined {
  return BY_ID.get(id);
}

export function resourceDef(objectId: number, resourceId: number): ResourceDef | undefined {
  return BY_ID.get(objectId)?.resources.find((d) => d.id === resourceId);
}

/** One resource (instance) value at a full path. */
export interface Rec {
  o: number;
  i: number;
  r: number;
  /** set for each instance of a multi-instance resource */
  ri?: number;
  kind: Kind;
  value: Value;
}

/**
 * The readable values at `path` (1 to 4 ids), or a CoAP error code: 4.04 for what does not
 * exist, 4.05 for a resource that cannot be read.
 */
export function collect(c: ClientView, path: readonly number[], now: number, mode: ValueMode): Rec[] | '4.04' | '4.05' {
  const [o, i, rid, ri] = path;
  if (o === undefined) return '4.05';
  const def = BY_ID.get(o);
  if (!def || (i !== undefined && i !== 0)) return '4.04';
  const out: Rec[] = [];
  for (const d of def.resources) {
    if (rid !== undefined && d.id !== rid) continue;
    if (!d.readable) {
      if (rid !== undefined) return '4.05';
      continue;
    }
    const written = c.written?.get(`${o}/0/${d.id}`);
    const v = written ?? d.value?.(c, now, mode) ?? '';
    if (d.multiple) {
      const list = Array.isArray(v) ? v : [v];
      list.forEach((value, k) => {
        if (ri === undefined || ri === k) out.push({ o, i: 0, r: d.id, ri: k, kind: d.kind, value });
      });
      if (ri !== undefined && ri >= list.length) return '4.04';
    } else {
      if (ri !== undefined) return '4.04';
      out.push({ o, i: 0, r: d.id, kind: d.kind, value: Array.isArray(v) ? (v[0] ?? '') : v });
    }
  }
  if (rid !== undefined && out.length === 0) return '4.04';
  return out;
}

/** The object links of a Register payload, below `root` ("" or an alternate path). */
export function objectLinks(root: string): string {
  return OBJECTS.map((o) => `<${root}/${o.id}>;ver=${o.version},<${root}/${o.id}/0>`).join(',');
}
