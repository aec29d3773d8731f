/**
 * The Accept of a Read / Observe (and their composite forms) when the caller names no
 * format, and the order of formats to try when a client refuses one.
 *
 * A server must not rely on a client choosing a format by itself: some 1.1 clients built
 * without TLV answer 5.00 to a GET without Accept. So every Read and Observe to a 1.1 or
 * 1.2 client carries an Accept:
 *
 * | target                                         | first Accept                                          |
 * |------------------------------------------------|-------------------------------------------------------|
 * | one value (single resource, resource instance) | text 0 (1.2 client that announced CBOR 60: CBOR 60)   |
 * | ... of type opaque                             | opaque 42                                             |
 * | object, instance, multiple resource            | the first multi-value format of `ct` (its preference) |
 * |                                                | we have a codec for; SenML JSON when none is listed   |
 * | a resource the model does not know             | as a multiple resource: a multi-value format carries  |
 * |                                                | one value as well as several                          |
 * | composite (FETCH)                              | see operations/format.ts (compositeAcceptFormat)      |
 *
 * CBOR 60 for a 1.2 client that announced it: the same choice as for writes
 * (operations/format.ts); text stays the next format to try.
 * LwM2M CBOR (11544) is a 1.2 format: a 1.1 client is never asked for it. TLV is asked
 * for only when listed in `ct` (a 1.1 client may lack it).
 *
 * The formats after the first are tried, once, when the client answers 4.06 or 5.00:
 * the next in this order. When the client announced no multi-value format at all, the
 * last resort is a request without Accept (what a 1.0 client always gets: it keeps
 * today's rule, no Accept and no retry). An explicit `format` from the caller is sent as
 * asked, without retry.
 */
import { ContentFormat } from '../../codec/codec.js';
import type { CodecRegistry } from '../../codec/registry.js';
import type { LwM2mPath } from '../../path.js';
import type { OperationRequest, Registration } from '../types.js';
import { toPath, type OperationContext } from './common.js';
import { atLeast, codecFormat, compositeAcceptFormat, compositePathFormat, MULTI_VALUE_FORMATS } from './format.js';

const CF = ContentFormat;

/** Stands for "no Accept option" in a list of formats to try. */
export const NO_ACCEPT = -1;

/** What a remembered format applies to: reads of one value, of one opaque value, of several values, composite reads. */
export type AcceptKind = 'value' | 'opaque' | 'multi' | 'composite';

export interface AcceptChoice {
  kind: AcceptKind;
  /** formats to try, best first (NO_ACCEPT: none); never empty */
  formats: number[];
}

/** The codes with which a client refuses the format asked for (4.06), or fails to produce it (5.00). */
export function refusesFormat(code: string | undefined): boolean {
  return code === '4.06' || code === '5.00';
}

function usable(codecs: CodecRegistry, f: number): boolean {
  return codecs.supports(codecFormat(codecs, f));
}

/** Multi-value formats to ask for, in the order of the client's `ct`, then the fallbacks. */
function multiValueAccepts(reg: Registration, codecs: CodecRegistry): number[] {
  const v12 = atLeast(reg, '1.2');
  const out: number[] = [];
  for (const f of reg.contentFormats) {
    if (out.length >= 8) break; // a long hostile `ct` list costs nothing
    if (!MULTI_VALUE_FORMATS.includes(f) || out.includes(f) || !usable(codecs, f)) continue;
    if (f === CF.LWM2M_CBOR && !v12) continue;
    out.push(f);
  }
  if (out.length === 0) {
    if (usable(codecs, CF.SENML_JSON)) out.push(CF.SENML_JSON);
    out.push(NO_ACCEPT);
  }
  return out;
}

/** One value, one opaque value, or (several values or unknown) a multi-value read. */
function shapeOf(reg: Registration, ctx: OperationContext, path: LwM2mPath): AcceptKind {
  if (path.depth < 3 || path.objectId === undefined || path.resourceId === undefined) return 'multi';
  const model = ctx.models.getResource(path.objectId, path.resourceId, reg.objects?.get(path.objectId)?.version);
  if (!model) return 'multi';
  if (path.depth === 3 && model.multiple) return 'multi';
  return model.type === 'opaque' ? 'opaque' : 'value';
}

function composite(reg: Registration, codecs: CodecRegistry): AcceptChoice {
  const out = [compositeAcceptFormat(reg, codecs, compositePathFormat(reg, codecs))];
  const allowed: number[] = atLeast(reg, '1.2') ? [CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR] : [CF.SENML_JSON, CF.SENML_CBOR];
  for (const f of reg.contentFormats) {
    if (out.length >= 4) break;
    if (allowed.includes(f) && !out.includes(f) && usable(codecs, f)) out.push(f);
  }
  if (!out.includes(CF.SENML_JSON) && usable(codecs, CF.SENML_JSON)) out.push(CF.SENML_JSON);
  return { kind: 'composite', formats: out };
}

/**
 * The formats to try for `req`, or undefined when there is no choice to make: not a
 * read-like request, an explicit format, or a 1.0 client. Throws OperationError on a bad path.
 */
export function readAcceptChoice(reg: Registration, req: OperationRequest, ctx: OperationContext): AcceptChoice | undefined {
  if (req.op !== 'read' && req.op !== 'observe' && req.op !== 'readComposite' && req.op !== 'observeComposite') return undefined;
  if (req.format !== undefined || !atLeast(reg, '1.1')) return undefined;
  const { codecs } = ctx;
  if (req.op === 'readComposite' || req.op === 'observeComposite') return composite(reg, codecs);
  const multi = multiValueAccepts(reg, codecs);
  const kind = shapeOf(reg, ctx, toPath(req.path));
  if (kind === 'multi') return { kind, formats: multi };
  const single: number[] = [];
  if (kind === 'opaque') single.push(CF.OPAQUE);
  else {
    if (atLeast(reg, '1.2') && reg.contentFormats.includes(CF.CBOR) && usable(codecs, CF.CBOR)) single.push(CF.CBOR);
    single.push(CF.TEXT);
  }
  for (const f of multi) if (!single.includes(f)) single.push(f);
  return { kind, formats: single };
}

/** `choice.formats` with `remembered` (if it is one of them) moved first. */
export function acceptOrder(choice: AcceptChoice, remembered: number | undefined): number[] {
  if (remembered === undefined || !choice.formats.includes(remembered) || choice.formats[0] === remembered) return choice.formats;
  return [remembered, ...choice.formats.filter((f) => f !== remembered)];
}

/**
 * Per registration, the format that worked after the first one was refused, by kind of
 * read. At most one entry per live registration (dropped with it) of at most four numbers.
 */
export class AcceptMemory {
  private readonly byRegistration = new Map<string, Partial<Record<AcceptKind, number>>>();

  get(registrationId: string, kind: AcceptKind): number | undefined {
    return this.byRegistration.get(registrationId)?.[kind];
  }

  /** `format` worked; `isDefault`: it is the first choice anyway, nothing to remember. */
  worked(registrationId: string, kind: AcceptKind, format: number, isDefault: boolean): void {
    const entry = this.byRegistration.get(registrationId);
    if (isDefault) {
      if (!entry || entry[kind] === undefined) return;
      delete entry[kind];
      if (Object.keys(entry).length === 0) this.byRegistration.delete(registrationId);
      return;
    }
    if (entry) entry[kind] = format;
    else this.byRegistration.set(registrationId, { [kind]: format });
  }

  forget(registrationId: string): void {
    this.byRegistration.delete(registrationId);
  }

  clear(): void {
    this.byRegistration.clear();
  }

  get size(): number {
    return this.byRegistration.size;
  }
}
