/**
 * CoRE Link Format (RFC 6690), content format 40, as LwM2M uses it: registration payloads
 * (`</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</5>;ver=1.1`) and Discover answers
 * (`</3/0>;pmin=10,</3/0/6>;dim=2,</3/0/7>;gt=50;lt=42.2`).
 *
 * Parsing is lenient, because real clients are: whitespace around commas, semicolons and
 * `=`; `ct="110 112"`, `ct=110 112` or `ct=110`; quoted or bare values (`ver="1.1"`,
 * `ver=1.1`); `ct=110,112` (a comma in a bare value); valueless attributes (`Q`, `</>;rt="oma.lwm2m";obs`); trailing slashes in
 * link targets (`</3/0/>`); an empty payload (no links). What cannot be read as links
 * throws CodecError MALFORMED (the registration handler answers 4.00 to it), also when
 * the payload is over the bounds.
 *
 * Emission is strict: `<uri>` then `;name=value` for each attribute, links joined by `,`
 * with no whitespace. Numbers are written bare (LwM2M's pmin, pmax, gt, lt, st, dim, ver,
 * ct=110 ...); other values are quoted as RFC 6690 writes rt, if and title; a valueless
 * attribute is its name alone.
 */
import { CodecError } from './codec.js';

export interface Link {
  /** e.g. "/3/0" or "/" */
  uri: string;
  /** attribute name -> value; valueless attributes (e.g. "Q") are `true`. Quotes removed. */
  attributes: Map<string, string | true>;
}

export interface LinkLimits {
  /** Longest payload, in characters. */
  maxLength: number;
  /** Most links in one payload. */
  maxLinks: number;
  /** Most attributes on one link. */
  maxAttributes: number;
}

export const DEFAULT_LINK_LIMITS: LinkLimits = { maxLength: 256 * 1024, maxLinks: 10_000, maxAttributes: 64 };

/** RFC 5987 parmname characters, and `*` for extended names such as `title*`. */
const NAME = /^[A-Za-z0-9!#$&+\-.^_`|~*]+$/;
/** Values written without quotes: decimal numbers, as LwM2M writes its attributes. */
const BARE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
/** Attributes RFC 6690 always quotes, numeric or not. */
const ALWAYS_QUOTED = new Set(['rt', 'if', 'title', 'anchor', 'rel', 'rev', 'type', 'hreflang', 'media']);

function malformed(msg: string, at: number): CodecError {
  return new CodecError('MALFORMED', `link-format: ${msg} at character ${at}`);
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20 || s.charCodeAt(i) === 0x7f) return true;
  return false;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Target without a trailing slash (but "/" stays "/"). */
function normalizeUri(uri: string): string {
  let u = uri.trim();
  while (u.length > 1 && u.endsWith('/')) u = u.slice(0, -1);
  return u;
}

class LinkParser {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly limits: LinkLimits,
  ) {}

  private skipSpace(): void {
    while (isSpace(this.s[this.i])) this.i++;
  }

  parse(): Link[] {
    const links: Link[] = [];
    this.skipSpace();
    if (this.i >= this.s.length) return links;
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === ',') {
        // an empty element (",," or a trailing comma): skip it
        this.i++;
        continue;
      }
      if (this.i >= this.s.length) break;
      if (this.s[this.i] !== '<' && this.continueBareValue(links[links.length - 1])) continue;
      if (links.length >= this.limits.maxLinks) throw malformed(`more than ${this.limits.maxLinks} links`, this.i);
      links.push(this.link());
      this.skipSpace();
      if (this.i >= this.s.length) break;
      if (this.s[this.i] !== ',') throw malformed(`expected "," after a link, found "${this.s[this.i]}"`, this.i);
      this.i++;
    }
    return links;
  }

  /** Name of the last attribute parsed, when its value was bare (unquoted). */
  private lastBare: string | undefined;

  /**
   * `</>;ct=110,112,</1/0>`: a comma inside an unquoted value. A list element that is not
   * a link but a plain token right after a bare value is taken as more of that value.
   */
  private continueBareValue(prev: Link | undefined): boolean {
    if (!prev || this.lastBare === undefined) return false;
    const m = /^[^<>";,\s]+/.exec(this.s.slice(this.i, this.i + 64));
    const after = m ? this.s[this.i + m[0].length] : undefined;
    if (!m || (after !== undefined && after !== ',' && !isSpace(after))) return false;
    const v = prev.attributes.get(this.lastBare);
    if (typeof v !== 'string') return false;
    prev.attributes.set(this.lastBare, `${v},${m[0]}`);
    this.i += m[0].length;
    this.skipSpace();
    if (this.i < this.s.length && this.s[this.i] !== ',') throw malformed(`expected "," after a value, found "${this.s[this.i]}"`, this.i);
    this.i++;
    return true;
  }

  private link(): Link {
    this.lastBare = undefined;
    if (this.s[this.i] !== '<') throw malformed('a link starts with "<"', this.i);
    const end = this.s.indexOf('>', this.i + 1);
    if (end < 0) throw malformed('"<" without ">"', this.i);
    const raw = this.s.slice(this.i + 1, end);
    if (/[<\s"]/.test(raw.trim()) || hasControl(raw)) throw malformed('bad character in a link target', this.i);
    const uri = normalizeUri(raw);
    this.i = end + 1;
    const attributes = new Map<string, string | true>();
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] !== ';') break;
      this.i++;
      this.skipSpace();
      const c = this.s[this.i];
      if (c === ';' || c === ',' || c === undefined) continue; // an empty parameter: skip it
      const [name, value] = this.param();
      if (!attributes.has(name) && attributes.size >= this.limits.maxAttributes) {
        throw malformed(`more than ${this.limits.maxAttributes} attributes on one link`, this.i);
      }
      attributes.set(name, value);
    }
    return { uri, attributes };
  }

  private param(): [string, string | true] {
    const start = this.i;
    while (this.i < this.s.length && !'=;,'.includes(this.s[this.i] as string) && !isSpace(this.s[this.i])) this.i++;
    const name = this.s.slice(start, this.i);
    if (!NAME.test(name)) throw malformed(`bad attribute name "${name.slice(0, 40)}"`, start);
    this.skipSpace();
    this.lastBare = undefined;
    if (this.s[this.i] !== '=') return [name, true];
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === '"') return [name, this.quoted()];
    this.lastBare = name;
    // a bare value runs to the next ";" or "," (so `ct=110 112` keeps its space)
    const vstart = this.i;
    while (this.i < this.s.length && this.s[this.i] !== ';' && this.s[this.i] !== ',') {
      if (this.s[this.i] === '"' || this.s[this.i] === '<' || this.s[this.i] === '>') throw malformed('bad character in a value', this.i);
      this.i++;
    }
    return [name, this.s.slice(vstart, this.i).trim()];
  }

  private quoted(): string {
    const start = this.i;
    this.i++; // opening quote
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw malformed('unterminated quoted string', start);
      this.i++;
      if (c === '"') return out;
      if (c === '\\') {
        const n = this.s[this.i];
        if (n === undefined) throw malformed('unterminated quoted string', start);
        out += n;
        this.i++;
      } else out += c;
    }
  }
}

/** Parses a link-format payload; throws CodecError MALFORMED on what is not one. */
export function parseLinks(text: string, limits: LinkLimits = DEFAULT_LINK_LIMITS): Link[] {
  if (typeof text !== 'string') throw new CodecError('MALFORMED', 'link-format: not text');
  if (text.length > limits.maxLength) throw new CodecError('MALFORMED', `link-format: payload over ${limits.maxLength} characters`);
  return new LinkParser(text, limits).parse();
}

function quote(v: string): string {
  return '"' + v.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** Writes links in the strict form; throws CodecError MALFORMED for a target or name that cannot be written. */
export function serializeLinks(links: readonly Link[]): string {
  const parts: string[] = [];
  for (const link of links) {
    if (/[<>"\s]/.test(link.uri) || hasControl(link.uri)) {
      throw new CodecError('MALFORMED', `link-format: cannot write link target "${link.uri}"`);
    }
    let out = `<${link.uri}>`;
    for (const [name, value] of link.attributes) {
      if (!NAME.test(name)) throw new CodecError('MALFORMED', `link-format: cannot write attribute name "${name}"`);
      if (value === true) out += `;${name}`;
      else out += `;${name}=${BARE.test(value) && !ALWAYS_QUOTED.has(name) ? value : quote(value)}`;
    }
    parts.push(out);
  }
  return parts.join(',');
}

/** The content formats of a `ct` attribute (`110`, `"110 112"`, `110 112`); invalid entries are left out. */
export function contentFormats(value: string | true | undefined): number[] {
  if (typeof value !== 'string') return [];
  return value
    .split(/[\s,]+/)
    .filter((t) => /^\d{1,5}$/.test(t))
    .map(Number)
    .filter((n) => n <= 65535);
}
