/**
 * A bootstrap config as the instances written to the client: one Security instance
 * (/0/i) and one Server instance (/1/i) per server account, then the other instances the
 * config lists, as typed nodes the codecs encode in whichever format the client takes.
 *
 * Security instance ids avoid the ids the client still holds (its Bootstrap-Server
 * account survives Delete /0, LwM2M 1.1 Core 6.1.7.5): without a Discover that told
 * them, ids start at 1, as clients keep their bootstrap account at /0/0 by convention.
 */
import type { ModelProvider } from '../model/types.js';
import type { ObjectInstanceNode, ResourceNode, Value } from '../node.js';
import { LwM2mPath } from '../path.js';
import type { ResourceType } from '../model/types.js';
import { valueNode } from '../server/index.js';
import type { BootstrapConfig, ServerAccount } from './config.js';
import { SECURITY_MODE_NUMBERS } from './config.js';

export interface InstanceWrite {
  readonly path: LwM2mPath;
  readonly node: ObjectInstanceNode;
  /** the server account it belongs to (Security and Server instances) */
  readonly shortServerId?: number;
}

function res(id: number, type: ResourceType, value: Value): ResourceNode {
  return { kind: 'resource', id, type, value };
}

function instance(id: number, resources: ResourceNode[]): ObjectInstanceNode {
  return { kind: 'instance', id, resources: new Map(resources.map((r) => [r.id, r])) };
}

const EMPTY = new Uint8Array(0);

/** The Security instance of an account (object 0): URI, not a bootstrap server, mode, keys, short server id. */
export function securityInstance(id: number, s: ServerAccount): ObjectInstanceNode {
  const identity = s.securityMode === 'psk' ? Buffer.from(s.identity ?? '', 'utf8') : (s.publicKey ?? EMPTY);
  const secret = s.securityMode === 'psk' ? (s.key ?? EMPTY) : (s.secretKey ?? EMPTY);
  return instance(id, [
    res(0, 'string', s.uri),
    res(1, 'boolean', false),
    res(2, 'integer', SECURITY_MODE_NUMBERS[s.securityMode]),
    res(3, 'opaque', new Uint8Array(identity)),
    res(4, 'opaque', new Uint8Array(s.serverPublicKey ?? EMPTY)),
    res(5, 'opaque', new Uint8Array(secret)),
    res(10, 'integer', s.shortServerId),
  ]);
}

/** The Server instance of an account (object 1): short server id, lifetime, periods, storing, binding. */
export function serverInstance(id: number, s: ServerAccount): ObjectInstanceNode {
  const r = [res(0, 'integer', s.shortServerId), res(1, 'integer', s.lifetime)];
  if (s.defaultMinPeriod !== undefined) r.push(res(2, 'integer', s.defaultMinPeriod));
  if (s.defaultMaxPeriod !== undefined) r.push(res(3, 'integer', s.defaultMaxPeriod));
  r.push(res(6, 'boolean', s.notificationStoring), res(7, 'string', s.binding));
  return instance(id, r);
}

/** The instances other than Security and Server, typed by the object models; throws OperationError on a value that does not fit. */
export function objectWrites(config: BootstrapConfig, models: ModelProvider): InstanceWrite[] {
  return Object.entries(config.objects).map(([p, values]) => {
    const path = LwM2mPath.parse(p);
    return { path, node: valueNode({ models }, undefined, path, values) as ObjectInstanceNode };
  });
}

/** Why the config's objects cannot be written (a value that does not fit its resource), or undefined. */
export function objectsProblem(config: BootstrapConfig, models: ModelProvider): string | undefined {
  try {
    objectWrites(config, models);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : 'bad object value';
  }
}

/** The /0 instance ids a client is taken to hold when no Discover told them: its bootstrap account at /0/0. */
export const ASSUMED_SECURITY_IDS: ReadonlySet<number> = new Set([0]);

/** Every instance to write, in order: each account's Security then Server instance, then the objects. */
export function instanceWrites(config: BootstrapConfig, models: ModelProvider, heldSecurityIds: ReadonlySet<number>): InstanceWrite[] {
  const out: InstanceWrite[] = [];
  let next = 0;
  config.servers.forEach((s, i) => {
    while (heldSecurityIds.has(next)) next++;
    out.push({ path: LwM2mPath.of(0, next), node: securityInstance(next, s), shortServerId: s.shortServerId });
    next++;
    out.push({ path: LwM2mPath.of(1, i), node: serverInstance(i, s), shortServerId: s.shortServerId });
  });
  return [...out, ...objectWrites(config, models)];
}
