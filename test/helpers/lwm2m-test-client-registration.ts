/**
 * What the test client says when it registers: the Register query (`ep`, `lt`, `lwm2m`,
 * `b`, `Q`, extras) and the link-format object list (root link with `rt` and `ct`,
 * alternate path prefix, object versions with `ver`).
 */
import type { ObjectStore } from './lwm2m-test-client-store.js';

export interface RegisterQueryOptions {
  endpoint: string;
  lifetime?: number;
  binding?: string;
  queueMode?: boolean;
  extraQuery?: string[];
}

/** 1.0 states queue mode in the binding (`b=UQ`), 1.1+ with a valueless `Q`. */
export function registerQuery(o: RegisterQueryOptions, version: string): string[] {
  const q = [`ep=${o.endpoint}`, `lt=${o.lifetime ?? 300}`, `lwm2m=${version}`];
  const b = o.binding ?? 'U';
  if (o.queueMode && version === '1.0') q.push(`b=${b.includes('Q') ? b : b + 'Q'}`);
  else q.push(`b=${b}`);
  if (o.queueMode && version !== '1.0') q.push('Q');
  q.push(...(o.extraQuery ?? []));
  return q;
}

/** `</lwm2m>;rt="oma.lwm2m";ct="110 112",</lwm2m/1/0>,</lwm2m/3>;ver=1.1,</lwm2m/3/0>,...` */
export function objectLinks(store: ObjectStore, root: readonly string[], contentFormats: readonly number[] | undefined): string {
  const prefix = root.length ? '/' + root.join('/') : '';
  const links: string[] = [];
  const ct = contentFormats;
  const ctAttr = ct && ct.length ? `;ct=${ct.length === 1 ? ct[0] : `"${ct.join(' ')}"`}` : '';
  if (prefix || ctAttr) links.push(`<${prefix || '/'}>;rt="oma.lwm2m"${ctAttr}`);
  for (const o of store.objects()) {
    if (o.id === 0) continue;
    if (o.version && o.version !== '1.0') links.push(`<${prefix}/${o.id}>;ver=${o.version}`);
    else if (o.instances.length === 0) links.push(`<${prefix}/${o.id}>`);
    for (const i of o.instances) links.push(`<${prefix}/${o.id}/${i}>`);
  }
  return links.join(',');
}
