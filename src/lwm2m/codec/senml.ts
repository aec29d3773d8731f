/**
 * The codec behind SenML JSON (110, 320), SenML CBOR (112, 322) and OMA JSON (11543, 1543):
 * they share the record model and differ only in how records are written (a SenmlWire).
 *
 * Encoding:
 * - a node at a path: bn is the path ("/3/0/0") for a single value, or the path with a
 *   trailing slash ("/3/0/") with relative names ("0", "6/1") otherwise, as the LwM2M
 *   Core examples do (Table 7.4.4-2, -5);
 * - several nodes (composite read response, composite write): no bn, each record named by
 *   its full path (Tables 7.4.4-7, -8); null nodes (absent paths) are left out;
 * - timestamped data: bn as for one node when a request path is given ("/" with names
 *   relative to it for the root path, Table 7.4.4-4; full names for Send), bt on the first timed record and t relative to it (absolute t on every record
 *   if floating point would not round-trip); data without time comes first, with no t;
 * - path lists (read/observe-composite requests): records with `n` only (Table 7.4.4-6).
 * Decoding: see senml-records.ts for names and times, senml-tree.ts for grouping.
 */
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode, TimestampedNodes } from '../node.js';
import { CodecError, type CodecContext, type MultiNodeCodec } from './codec.js';
import { checkRecordCount, resolveRecords, type OutRecord, type RawRecord, type ResolvedRecord } from './senml-records.js';
import {
  buildNode,
  flatten,
  keyToPath,
  latestPerPath,
  leafNode,
  relativeName,
  typeRecords,
  type FlatEntry,
  type TypedEntry,
} from './senml-tree.js';

/** How one format reads and writes records. */
export interface SenmlWire {
  /** Bytes -> records; throws CodecError (MALFORMED, TRUNCATED, LIMIT_EXCEEDED). */
  read(payload: Uint8Array, ctx: CodecContext): RawRecord[];
  /** Records -> bytes; throws CodecError TYPE_MISMATCH for values the format cannot carry. */
  write(records: readonly OutRecord[]): Uint8Array;
}

export interface SenmlCodecOptions {
  name: string;
  formats: readonly number[];
  wire: SenmlWire;
  /** Whether the format carries composite path lists (SenML yes, OMA JSON no). */
  pathLists: boolean;
  /** Adjusts records read for a request path before names are resolved (OMA JSON: names relative to it). */
  adjust?(records: RawRecord[], path: LwM2mPath | undefined): void;
}

function checkPayloadSize(payload: Uint8Array, ctx: CodecContext): void {
  if (payload.length > ctx.limits.maxPayload) throw new CodecError('LIMIT_EXCEEDED', `payload of ${payload.length} bytes`);
}

function readResolved(opts: SenmlCodecOptions, payload: Uint8Array, ctx: CodecContext, path?: LwM2mPath): ResolvedRecord[] {
  checkPayloadSize(payload, ctx);
  const records = opts.wire.read(payload, ctx);
  opts.adjust?.(records, path);
  return resolveRecords(records, ctx);
}

function outside(rec: ResolvedRecord, base: string): CodecError {
  return new CodecError('PATH_MISMATCH', `record ${rec.path.toString()} lies outside ${base}`);
}

/** Names for entries under `base`: bn = base for a lone value at base, else base + "/" with relative names. */
function namedRecords(entries: readonly FlatEntry[], base: LwM2mPath | undefined): OutRecord[] {
  if (!base) return entries.map((e) => ({ n: e.path.toString(), value: e.value }));
  const lone = entries.every((e) => e.path.equals(base));
  const bn = lone ? base.toString() : base.isRoot() ? '/' : `${base.toString()}/`;
  return entries.map((e, i) => {
    const r: OutRecord = {};
    if (i === 0) r.bn = bn;
    if (!lone) r.n = relativeName(e.path, base);
    r.value = e.value;
    return r;
  });
}

/** One node per value record, keyed by its path (composite responses without a path list, Send). */
function leafMap(entries: readonly TypedEntry[]): Map<string, LwM2mNode> {
  const out = new Map<string, LwM2mNode>();
  for (const e of latestPerPath(entries)) out.set(e.key, leafNode(e));
  return out;
}

function timeOrder(a: TimestampedNodes, b: TimestampedNodes): number {
  if (a.time === b.time) return 0;
  if (a.time === undefined) return 1;
  if (b.time === undefined) return -1;
  return a.time - b.time;
}

/**
 * Records of timestamped data: groups without time first (no t), then bt on the first
 * timed record and t relative to it, or absolute t everywhere if bt + t would not give
 * each time back exactly.
 */
function timestampedRecords(base: LwM2mPath | undefined, data: readonly TimestampedNodes[]): OutRecord[] {
  const groups = [...data.filter((d) => d.time === undefined), ...data.filter((d) => d.time !== undefined)];
  const entries: FlatEntry[] = [];
  const times: (number | undefined)[] = [];
  for (const g of groups) {
    if (g.time !== undefined && !Number.isFinite(g.time)) throw new CodecError('MALFORMED', `time ${g.time} is not finite`);
    for (const [key, node] of g.nodes) {
      const p = keyToPath(key);
      if (base && !base.contains(p)) throw new CodecError('PATH_MISMATCH', `${key} lies outside ${base.toString()}`);
      const before = entries.length;
      flatten(p, node, entries);
      for (let k = before; k < entries.length; k++) times.push(g.time);
    }
  }
  const records = namedRecords(entries, base);
  const timed = groups.flatMap((g) => (g.time === undefined ? [] : [g.time]));
  const t0 = timed[0];
  const useBt = t0 !== undefined && timed.every((t) => t0 + (t - t0) === t);
  let btWritten = false;
  records.forEach((rec, i) => {
    const time = times[i];
    if (time === undefined) return;
    if (!useBt || t0 === undefined) {
      rec.t = time;
      return;
    }
    if (!btWritten) rec.bt = t0;
    btWritten = true;
    if (time !== t0) rec.t = time - t0;
  });
  return records;
}

export function makeSenmlCodec(opts: SenmlCodecOptions): MultiNodeCodec {
  const { wire } = opts;

  const codec: MultiNodeCodec = {
    formats: opts.formats,
    name: opts.name,

    encode(path, node, _ctx) {
      return wire.write(namedRecords(flatten(path, node), path));
    },

    decode(path, payload, ctx) {
      const records = readResolved(opts, payload, ctx, path);
      for (const r of records) if (!path.contains(r.path)) throw outside(r, path.toString());
      return buildNode(path, latestPerPath(typeRecords(records, ctx)), ctx);
    },

    encodeNodes(nodes, _ctx) {
      const entries: FlatEntry[] = [];
      for (const [key, node] of nodes) if (node) flatten(keyToPath(key), node, entries);
      return wire.write(namedRecords(entries, undefined));
    },

    decodeNodes(payload, paths, ctx) {
      const records = readResolved(opts, payload, ctx);
      const out = new Map<string, LwM2mNode | null>();
      if (!paths) {
        const values = leafMap(typeRecords(records, ctx));
        for (const r of records) {
          const key = r.path.toString();
          if (r.value === undefined && !values.has(key)) out.set(key, null);
          else if (values.has(key)) out.set(key, values.get(key) as LwM2mNode);
        }
        return out;
      }
      for (const r of records) if (!paths.some((p) => p.contains(r.path))) throw outside(r, 'the requested paths');
      const entries = latestPerPath(typeRecords(records, ctx));
      for (const p of paths) {
        const under = entries.filter((e) => p.contains(e.path));
        out.set(p.toString(), under.length ? buildNode(p, under, ctx) : null);
      }
      return out;
    },

    encodeTimestamped(path, data, ctx) {
      const records = timestampedRecords(path, data);
      checkRecordCount(records.length, ctx);
      return wire.write(records);
    },

    decodeTimestamped(path, payload, ctx) {
      const base = path && !path.isRoot() ? path : undefined;
      const records = readResolved(opts, payload, ctx, path);
      if (base) for (const r of records) if (!base.contains(r.path)) throw outside(r, base.toString());
      const groups = new Map<number | undefined, TypedEntry[]>();
      for (const e of typeRecords(records, ctx)) {
        let g = groups.get(e.time);
        if (!g) groups.set(e.time, (g = []));
        g.push(e);
      }
      const out: TimestampedNodes[] = [];
      for (const [time, entries] of groups) {
        const nodes = base ? new Map([[base.toString(), buildNode(base, latestPerPath(entries), ctx)]]) : leafMap(entries);
        out.push({ time, nodes });
      }
      // no value at all: the (empty) node at the path, as decode() gives it, without time
      if (out.length === 0 && base) out.push({ time: undefined, nodes: new Map([[base.toString(), buildNode(base, [], ctx)]]) });
      return out.sort(timeOrder);
    },
  };

  if (opts.pathLists) {
    codec.encodePaths = (paths) => wire.write(paths.map((p) => ({ n: p.toString() })));
    codec.decodePaths = (payload, ctx) => readResolved(opts, payload, ctx).map((r) => r.path);
  }
  return codec;
}
