/**
 * Small object models built by hand for the codec tests: the objects of the LwM2M
 * specification's TLV examples (Server 1, Access Control 2, Device 3, and the example
 * objects 65 and 66 of the object-link examples), plus helpers.
 */
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { ObjectModel, ResourceType } from '../../../src/lwm2m/model/types.js';
import { DEFAULT_LIMITS, type CodecContext, type DecodeLimits } from '../../../src/lwm2m/codec/codec.js';
import { objectModelFor, resourceModelFor } from '../../helpers/node-arbitraries.js';
import { instance, multiResource, resource } from '../../../src/lwm2m/node.js';

type Row = [id: number, type: ResourceType, multiple?: boolean];

export function model(id: number, rows: Row[], version = '1.0'): ObjectModel {
  return objectModelFor(id, rows.map(([rid, type, multiple]) => resourceModelFor(rid, type, multiple ?? false)), version);
}

export const SERVER = model(1, [
  [0, 'integer'],
  [1, 'integer'],
  [2, 'integer'],
  [3, 'integer'],
  [4, 'none'],
  [5, 'integer'],
  [6, 'boolean'],
  [7, 'string'],
  [8, 'none'],
]);

export const ACCESS_CONTROL = model(2, [
  [0, 'integer'],
  [1, 'integer'],
  [2, 'integer', true],
  [3, 'integer'],
]);

export const DEVICE = model(3, [
  [0, 'string'],
  [1, 'string'],
  [2, 'string'],
  [3, 'string'],
  [4, 'none'],
  [5, 'none'],
  [6, 'integer', true],
  [7, 'integer', true],
  [8, 'integer', true],
  [9, 'integer'],
  [10, 'integer'],
  [11, 'integer', true],
  [12, 'none'],
  [13, 'time'],
  [14, 'string'],
  [15, 'string'],
  [16, 'string'],
  [17, 'string'],
  [18, 'string'],
  [19, 'string'],
  [20, 'integer'],
  [21, 'integer'],
  [22, 'objlnk', true],
]);

/** Object 65 of the spec's object-link example 1. */
export const LINK_EXAMPLE_65 = model(65, [
  [0, 'objlnk', true],
  [1, 'string'],
  [2, 'integer'],
]);

/** Object 66 of the spec's object-link example 2. */
export const LINK_EXAMPLE_66 = model(66, [
  [0, 'string'],
  [1, 'string'],
  [2, 'objlnk'],
]);

/** A test object with one resource of every type, single (id = 10 + n) and multiple (id = 100 + n). */
export const ALL_TYPES_ID = 32000;
export const ALL_TYPES: readonly ResourceType[] = ['string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk'];
export const ALL_TYPES_MODEL = model(ALL_TYPES_ID, [
  ...ALL_TYPES.map((t, n): Row => [10 + n, t]),
  ...ALL_TYPES.map((t, n): Row => [100 + n, t, true]),
]);

export function specRegistry(): ModelRegistry {
  const r = new ModelRegistry();
  for (const m of [SERVER, ACCESS_CONTROL, DEVICE, LINK_EXAMPLE_65, LINK_EXAMPLE_66, ALL_TYPES_MODEL]) r.add(m);
  return r;
}

export function ctxOf(registry: ModelRegistry = specRegistry(), limits: Partial<DecodeLimits> = {}): CodecContext {
  return { model: registry, limits: { ...DEFAULT_LIMITS, ...limits } };
}

/** "C8 00 14 4F" -> bytes (spaces and 0x prefixes ignored). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, '').replace(/[^0-9a-f]/gi, '');
  if (clean.length % 2) throw new Error(`odd hex: ${text}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
}

/** The bytes of a UTF-8 string, as hex, for building TLV vectors. */
export function utf8Hex(s: string): string {
  return toHex(new TextEncoder().encode(s));
}

/** Device object instance 0 of the LwM2M Core examples (TLV Table 7.4.3-x, SenML Table 7.4.4-2, 1.0 JSON). */
export const DEVICE_0 = instance(0, [
  resource(0, 'string', 'Open Mobile Alliance'),
  resource(1, 'string', 'Lightweight M2M Client'),
  resource(2, 'string', '345000123'),
  resource(3, 'string', '1.0'),
  multiResource(6, 'integer', { 0: 1, 1: 5 }),
  multiResource(7, 'integer', { 0: 3800, 1: 5000 }),
  multiResource(8, 'integer', { 0: 125, 1: 900 }),
  resource(9, 'integer', 100),
  resource(10, 'integer', 15),
  multiResource(11, 'integer', { 0: 0 }),
  resource(13, 'time', 1367491215),
  resource(14, 'string', '+02:00'),
  resource(16, 'string', 'U'),
]);
