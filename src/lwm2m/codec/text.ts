/**
 * text/plain (content format 0, legacy 1541): one resource or resource-instance value as
 * UTF-8 text. Numbers are decimal, booleans "1"/"0", opaque values base64, time integer
 * seconds, object links "oid:iid".
 *
 * Decoding is lenient where it costs nothing: surrounding white space around numbers,
 * "true"/"false" for booleans, both base64 alphabets with or without padding, and
 * "NaN"/"Infinity" for floats. A resource the model does not know is kept as its text,
 * typed string and flagged `unknown`.
 */
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode, Value } from '../node.js';
import type { ResourceType } from '../model/types.js';
import { CodecError, ContentFormat, resourceModel, type CodecContext, type NodeCodec } from './codec.js';
import {
  checkPayloadSize,
  INT64_MAX,
  INT64_MIN,
  UINT64_MAX,
  canonicalInteger,
  isObjLink,
  requireValuePath,
  singleValueNode,
  singleValueOf,
} from './plain-values.js';

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function formatTextValue(type: ResourceType, value: Value): string {
  switch (type) {
    case 'string':
    case 'corelnk':
      return value as string;
    case 'integer':
    case 'unsigned':
    case 'time':
      return String(value as number | bigint);
    case 'float': {
      const n = value as number;
      return Object.is(n, -0) ? '-0.0' : String(n);
    }
    case 'boolean':
      return value ? '1' : '0';
    case 'opaque':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'objlnk': {
      if (!isObjLink(value)) throw new CodecError('TYPE_MISMATCH', 'objlnk value expected');
      return `${value.objectId}:${value.instanceId}`;
    }
    case 'none':
      return '';
  }
}

function bad(type: ResourceType, text: string): CodecError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return new CodecError('TYPE_MISMATCH', `text "${shown}" is not a valid ${type}`);
}

const INTEGER = /^[+-]?\d+$/;
// one way to match each text (not `\d+\.?\d*`, which splits a run of digits every way: quadratic on a long bad one)
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(?:inf|infinity)$/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const OBJLNK = /^(\d{1,5}):(\d{1,5})$/;

function parseInteger(type: ResourceType, text: string, min: bigint, max: bigint): number | bigint {
  const s = text.trim();
  if (!INTEGER.test(s) || s.length > 40) throw bad(type, text);
  const b = BigInt(s);
  if (b < min || b > max) throw bad(type, text);
  return canonicalInteger(b);
}

export function parseTextValue(type: ResourceType, text: string): Value {
  switch (type) {
    case 'string':
    case 'corelnk':
      return text;
    case 'integer':
    case 'time':
      return parseInteger(type, text, INT64_MIN, INT64_MAX);
    case 'unsigned':
      return parseInteger(type, text, 0n, UINT64_MAX);
    case 'float': {
      const s = text.trim();
      if (FLOAT.test(s)) return Number(s);
      if (/^nan$/i.test(s)) return NaN;
      const inf = NON_FINITE.exec(s);
      if (inf) return inf[1] === '-' ? -Infinity : Infinity;
      throw bad(type, text);
    }
    case 'boolean': {
      const s = text.trim().toLowerCase();
      if (s === '1' || s === 'true') return true;
      if (s === '0' || s === 'false') return false;
      throw bad(type, text);
    }
    case 'opaque': {
      const s = text.replace(/\s+/g, '');
      if (!BASE64.test(s) || s.replace(/=+$/, '').length % 4 === 1) throw bad(type, text);
      return new Uint8Array(Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64'));
    }
    case 'objlnk': {
      const m = OBJLNK.exec(text.trim());
      const objectId = Number(m?.[1]);
      const instanceId = Number(m?.[2]);
      if (!m || objectId > 0xffff || instanceId > 0xffff) throw bad(type, text);
      return { objectId, instanceId };
    }
    case 'none':
      if (text.trim() !== '') throw bad(type, text);
      return null;
  }
}

export const textCodec: NodeCodec = {
  formats: [ContentFormat.TEXT, ContentFormat.OLD_TEXT],
  name: 'text',

  encode(path: LwM2mPath, node: LwM2mNode, _ctx: CodecContext): Uint8Array {
    const { type, value } = singleValueOf('text', path, node);
    return utf8.encode(formatTextValue(type, value));
  },

  decode(path: LwM2mPath, payload: Uint8Array, ctx: CodecContext): LwM2mNode {
    requireValuePath('text', path);
    checkPayloadSize(payload, ctx);
    let text: string;
    try {
      text = utf8Strict.decode(payload);
    } catch {
      throw new CodecError('MALFORMED', 'text payload is not valid UTF-8');
    }
    const rm = resourceModel(ctx, path.objectId, path.resourceId);
    if (!rm) return singleValueNode(path, 'string', text, true);
    return singleValueNode(path, rm.type, parseTextValue(rm.type, text), false);
  },
};
