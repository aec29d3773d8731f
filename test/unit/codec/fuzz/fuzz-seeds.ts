/**
 * What the decoder fuzz tests mutate: valid encodings that each codec makes of a Device
 * object (computed once per codec, never per iteration), and payloads of every format
 * written by hand, so that mutation has structure even where a codec cannot encode.
 */
import type { CodecRegistry } from '../../../../src/lwm2m/codec/registry.js';
import { DEFAULT_LIMITS, isMultiNodeCodec, type CodecContext, type CodecResult, type NodeCodec } from '../../../../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../../../../src/lwm2m/model/registry.js';
import { LwM2mPath } from '../../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, type LwM2mNode } from '../../../../src/lwm2m/node.js';

export const ctx: CodecContext = { model: ModelRegistry.withBuiltins(), limits: DEFAULT_LIMITS };
export const P = (s: string): LwM2mPath => LwM2mPath.parse(s);

/** Paths a fuzzed payload is decoded for when it did not come from an encoding of its own. */
export const DECODE_PATHS: readonly LwM2mPath[] = ['/3', '/3/0', '/3/0/0', '/3/0/6', '/3/0/6/1', '/9000/0/1'].map(P);
/** The paths of a composite read, and of a timestamped read below an instance. */
export const COMPOSITE_PATHS: readonly LwM2mPath[] = [P('/3/0'), P('/9000/0/1')];
export const INSTANCE_PATH = P('/3/0');

const deviceInstance = instance(0, [
  resource(0, 'string', 'Open Mobile Alliance'),
  resource(1, 'string', 'Lightweight M2M Client'),
  multiResource(6, 'integer', { 0: 1, 1: 5 }),
  resource(9, 'integer', 100),
  resource(10, 'integer', 15),
  multiResource(11, 'integer', { 0: 0 }),
  resource(13, 'time', 1367491215),
  resource(16, 'string', 'U'),
]);
const samples: Array<[string, LwM2mNode]> = [
  ['/3', object(3, [deviceInstance])],
  ['/3/0', deviceInstance],
  ['/3/0/0', resource(0, 'string', 'Open Mobile Alliance')],
  ['/3/0/9', resource(9, 'integer', 100)],
  ['/3/0/6', multiResource(6, 'integer', { 0: 1, 1: 5 })],
  ['/3/0/6/1', { kind: 'resourceInstance', id: 1, type: 'integer', value: 5 }],
  ['/9000/0/1', resource(1, 'float', 3.25)],
  ['/9000/0/3', resource(3, 'opaque', Uint8Array.of(0, 1, 2, 0xff))],
  ['/9000/0/4', multiResource(4, 'objlnk', { 0: { objectId: 3, instanceId: 0 } })],
];

export const te = new TextEncoder();
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** Payloads of every format, written by hand. */
export const GENERIC_SEEDS: readonly Uint8Array[] = [
  te.encode('123'),
  te.encode('-4.5e3'),
  te.encode('Open Mobile Alliance'),
  te.encode('3:0'),
  te.encode('AAECAw=='),
  hex('c8 00 14 4f 70 65 6e 20 4d 6f 62 69 6c 65 20 41 6c 6c 69 61 6e 63 65'), // TLV resource 0
  hex('86 06 41 00 01 41 01 05'), // TLV multiple resource 6
  hex('08 00 0a c1 09 64 c1 0a 0f c1 10 55'), // TLV instance 0
  te.encode('[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"9","v":100},{"n":"6/0","v":1},{"n":"13","v":1367491215}]'),
  te.encode('[{"bn":"/3/0/","bt":1.7e9,"n":"9","v":95,"t":-5},{"n":"16","vs":"U"},{"n":"/9000/0/3","vd":"AAEC"}]'),
  te.encode('[{"n":"/3/0/0"},{"n":"/3/0/9"}]'),
  te.encode('{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"9","v":100},{"n":"6/0","v":1}]}'),
  hex('82 a3 21 66 2f 33 2f 30 2f 00 61 30 03 63 61 62 63 a2 00 61 39 02 18 64'), // SenML CBOR
  hex('a1 82 03 00 a2 00 61 78 06 a2 00 01 01 05'), // LwM2M CBOR
  hex('c1 1a 51 82 42 8f'), // CBOR tag 1 time
  hex('fb 40 09 21 f9 f0 1b 86 6e'), // CBOR double
  hex('1b 00 00 00 01 00 00 00 00'), // CBOR uint64
  te.encode('</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>;ver=1.1'),
];

/** A payload to mutate, with the path it was encoded for. */
export interface Seed {
  bytes: Uint8Array;
  path?: LwM2mPath;
}

/** The encodings the codec registered for `format` makes of the samples (failures are skipped). */
export function validSeeds(reg: CodecRegistry, format: number, codec: NodeCodec): Seed[] {
  const seeds: Seed[] = [];
  const keep = (r: CodecResult<Uint8Array>, path?: LwM2mPath): void => {
    if (r.ok && r.value.length > 0) seeds.push({ bytes: r.value, path });
  };
  for (const [path, node] of samples) keep(reg.encode(format, P(path), node, ctx), P(path));
  if (isMultiNodeCodec(codec)) {
    const nodes = new Map<string, LwM2mNode | null>([
      ['/3/0/0', resource(0, 'string', 'Open Mobile Alliance')],
      ['/3/0/6', multiResource(6, 'integer', { 0: 1, 1: 5 })],
      ['/9000/0/1', resource(1, 'float', 3.25)],
      ['/5/0', null],
    ]);
    keep(reg.encodeNodes(format, nodes, ctx));
    const timed = [
      { time: 1700000000, nodes: new Map<string, LwM2mNode>([['/3/0/9', resource(9, 'integer', 90)]]) },
      { time: 1700000060, nodes: new Map<string, LwM2mNode>([['/3/0/9', resource(9, 'integer', 89)]]) },
    ];
    keep(reg.encodeTimestamped(format, undefined, timed, ctx));
    keep(reg.encodeTimestamped(format, undefined, [{ time: undefined, nodes: timed[0]!.nodes }], ctx));
    keep(reg.encodePaths(format, [P('/3/0/0'), P('/3/0/9'), P('/1')]));
  }
  return seeds;
}
