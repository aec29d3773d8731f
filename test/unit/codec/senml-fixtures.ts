/**
 * Shared fixtures of the SenML JSON, SenML CBOR and OMA JSON tests: the models (built-in
 * objects plus the example objects 65, 66, 67 of the LwM2M object-link examples), a codec
 * context with a fixed "now", the nodes of the LwM2M Core examples, and small helpers.
 */
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { CodecError, DEFAULT_LIMITS, type CodecContext, type CodecErrorCode, type DecodeLimits } from '../../../src/lwm2m/codec/codec.js';
import { instance, multiResource, object, resource, type LwM2mNode, type ObjectNode } from '../../../src/lwm2m/node.js';
import { objectModelFor, resourceModelFor } from '../../helpers/node-arbitraries.js';

/** A fixed "now": 2023-11-14T22:13:20Z, in ms. */
export const NOW_MS = 1_700_000_000_000;
export const NOW_S = NOW_MS / 1000;

export function registry(): ModelRegistry {
  const r = ModelRegistry.withBuiltins();
  // the example objects of LwM2M Core Table 7.4.4-4 (object links between 65, 66, 67)
  r.add(objectModelFor(65, [resourceModelFor(0, 'objlnk', true), resourceModelFor(1, 'string', false), resourceModelFor(2, 'integer', false)]));
  r.add(objectModelFor(66, [resourceModelFor(0, 'string', false), resourceModelFor(1, 'string', false), resourceModelFor(2, 'objlnk', false)]));
  r.add(objectModelFor(67, [resourceModelFor(0, 'string', false), resourceModelFor(1, 'string', false)]));
  return r;
}

const MODELS = registry();

export function ctxOf(limits: Partial<DecodeLimits> = {}): CodecContext {
  return { model: MODELS, limits: { ...DEFAULT_LIMITS, ...limits }, now: () => NOW_MS };
}

export const p = (s: string): LwM2mPath => LwM2mPath.parse(s);
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function codeOf(fn: () => unknown): CodecErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
}

/** Device object instance 0 of LwM2M Core Table 7.4.4-2 (and the 1.0 JSON example). */
export { DEVICE_0 } from './spec-models.js';

/** The objects 65, 66, 67 of LwM2M Core Table 7.4.4-4. */
export const LINKED_OBJECTS: ReadonlyMap<string, ObjectNode> = new Map([
  [
    '/65',
    object(65, [
      instance(0, [
        multiResource(0, 'objlnk', { 0: { objectId: 66, instanceId: 0 }, 1: { objectId: 66, instanceId: 1 } }),
        resource(1, 'string', '8613800755500'),
        resource(2, 'integer', 1),
      ]),
    ]),
  ],
  [
    '/66',
    object(66, [
      instance(0, [resource(0, 'string', 'myService1'), resource(1, 'string', 'Internet.15.234'), resource(2, 'objlnk', { objectId: 67, instanceId: 0 })]),
      instance(1, [resource(0, 'string', 'myService2'), resource(1, 'string', 'Internet.15.235'), resource(2, 'objlnk', { objectId: 65535, instanceId: 65535 })]),
    ]),
  ],
  ['/67', object(67, [instance(0, [resource(0, 'string', '85.76.76.84'), resource(1, 'string', '85.76.255.255')])])],
]);

/** Composite read response of LwM2M Core Table 7.4.4-7. */
export const COMPOSITE_READ: ReadonlyMap<string, LwM2mNode> = new Map<string, LwM2mNode>([
  ['/3/0/0', resource(0, 'string', 'Open Mobile Alliance')],
  ['/3/0/9', resource(9, 'integer', 95)],
  ['/1/0/1', resource(1, 'integer', 86400)],
]);

/** Composite write request of LwM2M Core Table 7.4.4-8. */
export const COMPOSITE_WRITE: ReadonlyMap<string, LwM2mNode> = new Map<string, LwM2mNode>([
  ['/3311/0/5850', resource(5850, 'boolean', false)],
  ['/3311/1/5850', resource(5850, 'boolean', false)],
  ['/3311/2/5851', resource(5851, 'integer', 20)],
  ['/3308/0/5900', resource(5900, 'float', 18)],
]);

export const COMPOSITE_PATHS = ['/3/0/0', '/3/0/9', '/1/0/1'].map(p);
