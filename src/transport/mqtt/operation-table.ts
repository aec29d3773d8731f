/**
 * The LwM2M 1.2 MQTT binding's numbers, all in this one file: the CBOR map keys, the
 * operation codes and the topic levels (OMA-TS-LightweightM2M_Transport-V1_2, section 8).
 *
 * What this table follows: the Transport 1.2 text as quoted by public requirement lists
 * and implementations of it (sections 8.2 topics, 8.3.1-8.3.4 operation tables 8.3.1-1 to
 * 8.3.4-1, 8.4/8.5 results, 8.7 key table 8.7-1), checked against ../shared/LWM2M-NOTES.md.
 * Where it differs from the notes:
 * - The notes list "0-6 bootstrap (... pack), 6 register" as if 6 were two operations. The
 *   spec does give code 6 to both Bootstrap-Pack-Request (Tbl 8.3.1-1) and Register (Tbl
 *   8.3.2-1): the topic level (`bs` or `rd`) tells them apart. Here 6 is Register on `rd`
 *   and Bootstrap-Pack-Request on `bs`.
 * - Code 19 is unused (between Delete 18 and Observe 20), as in the spec.
 * - The spec has no key for the `lt` (less-than) and `con` attributes nor for `pid`; a
 *   Write-Attributes with them cannot be expressed (the binding refuses it).
 * - Observe (20) carries no attributes; Cancel-Observe (22) names the observation by its
 *   token alone, and there is no separate Cancel-Observe-Composite: 22 cancels both.
 * - Results (key 18) are CoAP codes written as decimal numbers: 2.05 -> 205 (section 8.5).
 * - Registration parameters have no key for the 1.1 queue flag `Q`: a client states queue
 *   mode in `b` (key 10, e.g. "MQ"), as 1.0 clients do in CoAP.
 */

/** CBOR map keys (Tbl 8.7-1). */
export const Key = {
  operation: 1,
  token: 2,
  ep: 3,
  pct: 4,
  uri: 5,
  paths: 6,
  payload: 7,
  lifetime: 8,
  version: 9,
  binding: 10,
  sms: 11,
  pmin: 12,
  pmax: 13,
  gt: 14,
  st: 15,
  epmin: 16,
  epmax: 17,
  result: 18,
  contentFormat: 19,
  edge: 20,
  hqmax: 21,
  depth: 22,
} as const;

/** the largest key number the table knows */
export const MAX_KEY = 22;

/** Operation codes on the `rd` topic (Tbls 8.3.2-1, 8.3.3-1, 8.3.4-1). */
export const Op = {
  register: 6,
  update: 7,
  deregister: 8,
  read: 9,
  readComposite: 10,
  discover: 11,
  writeReplace: 12,
  writePartial: 13,
  writeAttributes: 14,
  writeComposite: 15,
  execute: 16,
  create: 17,
  delete: 18,
  observe: 20,
  observeComposite: 21,
  cancelObserve: 22,
  notify: 23,
  send: 24,
} as const;

/** Operation codes on the `bs` topic (Tbl 8.3.1-1). */
export const BootstrapOp = {
  request: 0,
  write: 1,
  read: 2,
  delete: 3,
  discover: 4,
  finish: 5,
  packRequest: 6,
} as const;

/** What a client may send the server on `rd`: requests the gateway answers, or a notification. */
export const CLIENT_OPS: ReadonlySet<number> = new Set([Op.register, Op.update, Op.deregister, Op.notify, Op.send]);

/** What only a server sends on `rd`: seen on the topic, it is the gateway's own message echoed back. */
export const SERVER_OPS: ReadonlySet<number> = new Set([
  Op.read,
  Op.readComposite,
  Op.discover,
  Op.writeReplace,
  Op.writePartial,
  Op.writeAttributes,
  Op.writeComposite,
  Op.execute,
  Op.create,
  Op.delete,
  Op.observe,
  Op.observeComposite,
  Op.cancelObserve,
]);

/** What a client sends on `bs` (Bootstrap-Request, Bootstrap-Pack-Request); the rest there is the server's. */
export const CLIENT_BS_OPS: ReadonlySet<number> = new Set([BootstrapOp.request, BootstrapOp.packRequest]);
export const SERVER_BS_OPS: ReadonlySet<number> = new Set([BootstrapOp.write, BootstrapOp.read, BootstrapOp.delete, BootstrapOp.discover, BootstrapOp.finish]);

/** Write-Attributes query names and their keys (no `lt`, `con`). */
export const ATTRIBUTE_KEYS: Readonly<Record<string, number>> = {
  pmin: Key.pmin,
  pmax: Key.pmax,
  gt: Key.gt,
  st: Key.st,
  epmin: Key.epmin,
  epmax: Key.epmax,
  edge: Key.edge,
  hqmax: Key.hqmax,
};

/** Topic: `[PREFIX "/"] "lwm2m/" ("bs" / "rd") "/" ENDPOINT` (section 8.2). */
export const TOPIC_ROOT = 'lwm2m';
export const REGISTRATION_LEVEL = 'rd';
export const BOOTSTRAP_LEVEL = 'bs';

/** Result numbers: "2.05" <-> 205 (section 8.5). */
export function resultNumber(code: string): number {
  const [cls, detail] = code.split('.');
  const n = Number(cls) * 100 + Number(detail);
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 500;
}

export function resultText(n: number): string {
  const cls = Math.floor(n / 100);
  return `${cls}.${String(n % 100).padStart(2, '0')}`;
}
