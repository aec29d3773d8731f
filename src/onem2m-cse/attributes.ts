/**
 * The attributes a request may set, per resource type (TS-0004 clause 9.6): which ones a
 * create may carry, which an update may change, which a create needs, and the shape and
 * size each must have. Anything else is refused with 4000 (BAD_REQUEST).
 */
import { CseError, RSC } from './status.js';
import { TY } from './resource.js';
import { isAcpi, isSetOfAcrs } from './acp.js';

type Check = (v: unknown) => boolean;

const MAX_LABELS = 16;
/** custom attributes of a flexContainer, at most */
export const MAX_CUSTOM_ATTRIBUTES = 32;

const str = (max: number): Check => (v) => typeof v === 'string' && v.length <= max;
const strList = (items: number, max: number): Check => (v) => Array.isArray(v) && v.length <= items && v.every(str(max));
/** an optional list attribute (cardinality 0..1L): when present, not empty (TS-0004 clause 9.6.1.3; ACME refuses []) */
const nonEmptyStrList = (items: number, max: number): Check => (v) => strList(items, max)(v) && (v as unknown[]).length >= 1;
const uint = (max: number): Check => (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const bool: Check = (v) => typeof v === 'boolean';
const scalar: Check = (v) => (typeof v === 'string' && v.length <= 1024) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const customValue: Check = (v) => scalar(v) || (Array.isArray(v) && v.length <= 64 && v.every(scalar));
const RELEASES = new Set(['1', '2', '2a', '3', '4', '5']);
/** notificationEventType: the ones this CSE implements, 1 to 4 (TS-0004 clause 6.3.4.2.x m2m:notificationEventType) */
const netList: Check = (v) => Array.isArray(v) && v.length >= 1 && v.length <= 4 && v.every((n) => uint(4)(n) && (n as number) >= 1);
/** childResourceType (TS-0004 R4 eventNotificationCriteria `chty`): resource types */
const typeList: Check = (v) => Array.isArray(v) && v.length >= 1 && v.length <= 8 && v.every((n) => uint(65535)(n));
const eventCriteria: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const c = v as { net?: unknown; chty?: unknown };
  return Object.keys(v).every((k) => k === 'net' || k === 'chty') && (c.net === undefined || netList(c.net)) && (c.chty === undefined || typeList(c.chty));
};
/** contentInfo: type/subtype:encoding[:transfer encoding] (TS-0004 m2m:contentInfo, as ACME checks it); no backtracking */
const CNF = /^[^:/]{1,64}\/[^:/]{1,64}:[0-2](?::[0-5])?$/;
/** App-ID: N<name> (non-registered) or R<a>.<b>.<c>... (registered), two characters at least (ACME AE.validate) */
const appId: Check = (v) => {
  if (typeof v !== 'string' || v.length < 2 || v.length > 256) return false;
  if (v.startsWith('N')) return true;
  return v.startsWith('R') && v.split('.').length >= 3;
};

interface AttributeRule {
  check: Check;
  /** may be set on create */
  create: boolean;
  /** may be changed by an update */
  update: boolean;
  /** must be present on create */
  mandatory?: boolean;
}

const C = (check: Check, mandatory = false): AttributeRule => ({ check, create: true, update: false, mandatory });
const CU = (check: Check, mandatory = false): AttributeRule => ({ check, create: true, update: true, mandatory });

const COMMON: Record<string, AttributeRule> = {
  rn: C(str(64)),
  lbl: CU(nonEmptyStrList(MAX_LABELS, 128)),
  // a oneM2M timestamp, basic ISO 8601 (TS-0004 m2m:timestamp): 20261204T170000 or with ,ffffff
  et: CU((v) => typeof v === 'string' && /^\d{8}T\d{6}(?:,\d{1,6})?$/.test(v)),
  cr: C((v) => v === null),
};

/** accessControlPolicyIDs, on the types that have it (TS-0004 clause 9.6.1.3; a contentInstance has none) */
const ACPI = CU(isAcpi);

const RULES: Readonly<Record<number, Record<string, AttributeRule>>> = {
  // selfPrivileges mandatory (ACME refuses an <accessControlPolicy> without pvs)
  [TY.ACP]: { pv: CU(isSetOfAcrs), pvs: CU(isSetOfAcrs, true) },
  [TY.AE]: {
    acpi: ACPI,
    api: C(appId, true),
    apn: CU(str(256)),
    rr: CU(bool, true),
    poa: CU(nonEmptyStrList(8, 512)),
    srv: CU((v) => Array.isArray(v) && v.length >= 1 && v.length <= 8 && v.every((x) => typeof x === 'string' && RELEASES.has(x)), true),
    csz: CU(strList(8, 64)),
  },
  [TY.CNT]: { acpi: ACPI, mni: CU(uint(2 ** 31)), mbs: CU(uint(2 ** 31)), mia: CU(uint(2 ** 31)) },
  // con: a string (ACME's attribute policy types it so; a number or an object is refused)
  [TY.CIN]: { con: C(str(1024 * 1024), true), cnf: C((v) => typeof v === 'string' && CNF.test(v)) },
  [TY.SUB]: {
    acpi: ACPI,
    nu: CU((v) => strList(8, 512)(v) && (v as string[]).length >= 1, true),
    enc: CU(eventCriteria),
    nct: CU((v) => uint(4)(v) && (v as number) >= 1),
    su: C(str(512)),
    exc: CU(uint(2 ** 31)),
  },
  [TY.FCNT]: { acpi: ACPI, cnd: C(str(256), true) },
};

const CUSTOM_NAME = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const RESERVED = new Set(['ri', 'pi', 'ty', 'ct', 'lt', 'st', 'cr', 'cni', 'cbs', 'cs', 'aei', 'csi', 'la', 'ol', 'acpi', 'or', 'nid', 'rn', 'lbl', 'et', 'cnd']);

/**
 * Checks the attributes of a create (`op` 'create') or an update and returns those to set
 * (null in an update: remove the attribute).
 */
export function checkAttributes(ty: number, body: Record<string, unknown>, op: 'create' | 'update'): Record<string, unknown> {
  const own = RULES[ty] ?? {};
  const out: Record<string, unknown> = {};
  let custom = 0;
  for (const [name, value] of Object.entries(body)) {
    const rule = own[name] ?? COMMON[name];
    if (!rule) {
      if (ty === TY.FCNT && CUSTOM_NAME.test(name) && !RESERVED.has(name)) {
        if (++custom > MAX_CUSTOM_ATTRIBUTES) throw new CseError(RSC.BAD_REQUEST, 'too many custom attributes');
        if (value !== null && !customValue(value)) throw new CseError(RSC.BAD_REQUEST, `bad value for attribute ${name}`);
        out[name] = value;
        continue;
      }
      throw new CseError(RSC.BAD_REQUEST, `attribute not allowed: ${name.slice(0, 32)}`);
    }
    if (op === 'update' && !rule.update) throw new CseError(RSC.BAD_REQUEST, `attribute cannot be updated: ${name}`);
    if (value === null && name !== 'cr') {
      if (op === 'update' && rule.mandatory) throw new CseError(RSC.BAD_REQUEST, `attribute cannot be removed: ${name}`);
      if (op === 'update') out[name] = null;
      continue;
    }
    if (!rule.check(value)) throw new CseError(RSC.BAD_REQUEST, `bad value for attribute ${name}`);
    out[name] = value;
  }
  if (op === 'create') {
    for (const [name, rule] of Object.entries(own)) {
      if (rule.mandatory && out[name] === undefined) throw new CseError(RSC.BAD_REQUEST, `missing mandatory attribute ${name}`);
    }
  }
  return out;
}
