/**
 * Codec throughput: encode and decode of one Device object instance (/3/0, every readable
 * resource, multi-instance ones included) in TLV, SenML JSON, SenML CBOR and LwM2M CBOR,
 * through CodecRegistry as the gateway calls it. Prints a table of ops/s. Not a test.
 *
 *   npm run bench:codecs                 # 3 s per case after 0.5 s of warm-up
 *   npm run bench:codecs -- --seconds 1  # shorter
 */
import { isDeepStrictEqual } from 'node:util';
import { CodecRegistry } from '../src/lwm2m/codec/registry.js';
import { ContentFormat, DEFAULT_LIMITS, type CodecContext, type CodecResult } from '../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../src/lwm2m/model/registry.js';
import { LwM2mPath } from '../src/lwm2m/path.js';
import { instance, multiResource, resource, type LwM2mNode } from '../src/lwm2m/node.js';

function argSeconds(): number {
  const i = process.argv.indexOf('--seconds');
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env.BENCH_SECONDS ?? 3);
  return Number.isFinite(v) && v > 0 ? v : 3;
}

const SECONDS = argSeconds();
const WARMUP_SECONDS = Math.min(0.5, SECONDS / 2);

/** A Device object instance as a typical constrained client reports it. */
const device = instance(0, [
  resource(0, 'string', 'Open Mobile Alliance'),
  resource(1, 'string', 'Lightweight M2M Client'),
  resource(2, 'string', '345000123'),
  resource(3, 'string', '1.0.2'),
  multiResource(6, 'integer', { 0: 1, 1: 5 }),
  multiResource(7, 'integer', { 0: 3800, 1: 5000 }),
  multiResource(8, 'integer', { 0: 125, 1: 900 }),
  resource(9, 'integer', 100),
  resource(10, 'integer', 15),
  multiResource(11, 'integer', { 0: 0 }),
  resource(13, 'time', 1367491215),
  resource(14, 'string', '+02:00'),
  resource(15, 'string', 'Europe/Berlin'),
  resource(16, 'string', 'U'),
  resource(17, 'string', 'smart meter'),
  resource(18, 'string', '1.0'),
  resource(19, 'string', '1.0.2'),
  resource(20, 'integer', 0),
  resource(21, 'integer', 128),
]);

const FORMATS: Array<[string, number]> = [
  ['TLV', ContentFormat.TLV],
  ['SenML JSON', ContentFormat.SENML_JSON],
  ['SenML CBOR', ContentFormat.SENML_CBOR],
  ['LwM2M CBOR', ContentFormat.LWM2M_CBOR],
];

const registry = new CodecRegistry();
const ctx: CodecContext = { model: ModelRegistry.withBuiltins(), limits: DEFAULT_LIMITS };
const path = LwM2mPath.of(3, 0);

/** Runs `fn` in batches for `seconds`; returns ops/s. */
function measure(fn: () => CodecResult<unknown>, seconds: number): number {
  let batch = 64;
  let ops = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < until) {
    for (let i = 0; i < batch; i++) {
      const r = fn();
      if (!r.ok) throw r.error;
    }
    ops += batch;
    now = process.hrtime.bigint();
    if (batch < 65536 && now - start < 50_000_000n) batch *= 2;
  }
  return ops / (Number(now - start) / 1e9);
}

interface Row {
  name: string;
  bytes: number | string;
  encode: string;
  decode: string;
  note: string;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const rows: Row[] = [];
for (const [name, format] of FORMATS) {
  const enc = registry.encode(format, path, device, ctx);
  if (!enc.ok) {
    rows.push({ name, bytes: '-', encode: 'n/a', decode: 'n/a', note: `${enc.error.code}: ${enc.error.message}` });
    continue;
  }
  const bytes = enc.value;
  const dec = registry.decode(format, path, bytes, ctx);
  const note = !dec.ok ? `decode ${dec.error.code}` : isDeepStrictEqual(dec.value, device as LwM2mNode) ? '' : 'decoded tree differs';
  const encode = () => registry.encode(format, path, device, ctx);
  const decode = () => registry.decode(format, path, bytes, ctx);
  measure(encode, WARMUP_SECONDS);
  const encodeOps = measure(encode, SECONDS);
  let decodeCell = 'n/a';
  if (dec.ok) {
    measure(decode, WARMUP_SECONDS);
    decodeCell = fmt(measure(decode, SECONDS));
  }
  rows.push({ name, bytes: bytes.length, encode: fmt(encodeOps), decode: decodeCell, note });
  process.stderr.write(`.`);
}
process.stderr.write('\n');

const header: Row = { name: 'format', bytes: 'bytes', encode: 'encode ops/s', decode: 'decode ops/s', note: '' };
const all = [header, ...rows];
const w = {
  name: Math.max(...all.map((r) => r.name.length)),
  bytes: Math.max(...all.map((r) => String(r.bytes).length)),
  encode: Math.max(...all.map((r) => r.encode.length)),
  decode: Math.max(...all.map((r) => r.decode.length)),
};
const line = (r: Row): string =>
  `${r.name.padEnd(w.name)}  ${String(r.bytes).padStart(w.bytes)}  ${r.encode.padStart(w.encode)}  ${r.decode.padStart(w.decode)}${r.note ? '  ' + r.note : ''}`;

console.log(`Device object (/3/0, ${device.resources.size} resources), ${SECONDS} s per case, Node ${process.version}`);
console.log(line(header));
console.log('-'.repeat(line(header).length));
for (const r of rows) console.log(line(r));
