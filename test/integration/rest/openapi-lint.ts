/**
 * A structural linter for the OpenAPI 3.1 document the REST API serves, covering what
 * the usual linters' recommended rules check: info with a license, declared and described
 * tags, every operation with a unique URL-safe operationId, a summary, a success response
 * and a description on every response, resolvable $refs, declared (and only declared)
 * path parameters, no identical or ambiguous paths, no unused components. Returns the
 * problems as `where: what` lines (none: clean).
 */
type Obj = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function pointer(doc: Obj, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), doc);
}

const isVar = (seg: string): boolean => /^\{[^{}]+\}$/.test(seg);

/**
 * Two path templates are ambiguous when some request path matches both and neither is
 * more specific: the same number of segments, equal literals wherever both have one,
 * and as many templated segments in each (so no "literal before template" rule decides).
 */
export function ambiguousPaths(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  if (x.length !== y.length) return false;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < x.length; i++) {
    const ax = isVar(x[i]!);
    const by = isVar(y[i]!);
    if (ax) vx++;
    if (by) vy++;
    if (!ax && !by && x[i] !== y[i]) return false;
  }
  return vx === vy;
}

export function lintOpenApi(doc: Obj): string[] {
  const out: string[] = [];
  const problem = (where: string, what: string): void => {
    out.push(`${where}: ${what}`);
  };
  const resolve = (v: unknown, where: string): Obj | undefined => {
    if (isObj(v) && typeof v.$ref === 'string') {
      const target = pointer(doc, v.$ref);
      if (!isObj(target)) problem(where, `unresolved $ref ${v.$ref}`);
      return isObj(target) ? target : undefined;
    }
    return isObj(v) ? v : undefined;
  };

  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) problem('openapi', 'must be 3.1.x');
  const info = isObj(doc.info) ? doc.info : {};
  if (typeof info.title !== 'string' || typeof info.version !== 'string') problem('info', 'needs title and version');
  const license = info.license;
  if (!isObj(license) || typeof license.name !== 'string') problem('info.license', 'a license with a name is required');
  else if ((license.identifier === undefined) === (license.url === undefined)) problem('info.license', 'needs exactly one of identifier, url');

  const tags = Array.isArray(doc.tags) ? (doc.tags as Obj[]) : [];
  const declared = new Set<string>();
  for (const [i, t] of tags.entries()) {
    if (typeof t.name !== 'string') problem(`tags[${i}]`, 'needs a name');
    else if (declared.has(t.name)) problem(`tags[${i}]`, `duplicate tag ${t.name}`);
    else declared.add(t.name);
    if (typeof t.description !== 'string' || t.description === '') problem(`tags[${i}]`, 'needs a description');
  }
  const usedTags = new Set<string>();
  const schemes = isObj(doc.components) && isObj(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const checkSecurity = (sec: unknown, where: string): void => {
    if (sec === undefined) return;
    if (!Array.isArray(sec)) return problem(where, 'security must be a list');
    for (const req of sec as Obj[]) for (const name of Object.keys(req)) if (!(name in schemes)) problem(where, `unknown security scheme ${name}`);
  };
  checkSecurity(doc.security, 'security');

  const paths = isObj(doc.paths) ? doc.paths : {};
  const ids = new Map<string, string>();
  const names = Object.keys(paths);
  for (const path of names) {
    const item = paths[path];
    if (!path.startsWith('/')) problem(path, 'a path starts with "/"');
    if (path.length > 1 && path.endsWith('/')) problem(path, 'trailing "/"');
    if (!isObj(item)) {
      problem(path, 'not a path item');
      continue;
    }
    const templated = [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!);
    if (new Set(templated).size !== templated.length) problem(path, 'a path parameter appears twice');
    const ops = Object.entries(item).filter(([m]) => METHODS.includes(m));
    if (ops.length === 0) problem(path, 'no operation');
    for (const [method, raw] of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      const op = isObj(raw) ? raw : {};
      if (typeof op.operationId !== 'string' || op.operationId === '') problem(where, 'needs an operationId');
      else {
        if (!/^[A-Za-z0-9_.~-]+$/.test(op.operationId)) problem(where, `operationId ${op.operationId} is not URL-safe`);
        const other = ids.get(op.operationId);
        if (other) problem(where, `operationId ${op.operationId} is also used by ${other}`);
        ids.set(op.operationId, where);
      }
      if (typeof op.summary !== 'string' || op.summary === '') problem(where, 'needs a summary');
      for (const t of Array.isArray(op.tags) ? (op.tags as string[]) : []) {
        usedTags.add(t);
        if (!declared.has(t)) problem(where, `tag ${t} is not declared`);
      }
      if (!Array.isArray(op.tags) || op.tags.length === 0) problem(where, 'needs a tag');
      checkSecurity(op.security, where);

      // parameters: resolvable, unique, path ones exactly those of the template
      const params = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])]
        .map((p, i) => resolve(p, `${where} parameters[${i}]`))
        .filter((p): p is Obj => p !== undefined);
      const keys = new Set<string>();
      for (const p of params) {
        const key = `${String(p.in)}:${String(p.name)}`;
        if (keys.has(key)) problem(where, `parameter ${key} declared twice`);
        keys.add(key);
        if (!['path', 'query', 'header', 'cookie'].includes(String(p.in))) problem(where, `parameter ${String(p.name)}: bad "in"`);
        if (p.in === 'path' && p.required !== true) problem(where, `path parameter ${String(p.name)} must be required`);
        if (p.schema === undefined && p.content === undefined) problem(where, `parameter ${String(p.name)} needs a schema`);
      }
      const inPath = params.filter((p) => p.in === 'path').map((p) => String(p.name));
      for (const t of templated) if (!inPath.includes(t)) problem(where, `path parameter {${t}} is not declared`);
      for (const n of inPath) if (!templated.includes(n)) problem(where, `path parameter ${n} is not in the path`);

      if (op.requestBody !== undefined) {
        const body = resolve(op.requestBody, `${where} requestBody`);
        if (body && !isObj(body.content)) problem(where, 'requestBody needs content');
      }
      const responses = isObj(op.responses) ? op.responses : {};
      const codes = Object.keys(responses);
      if (codes.length === 0) problem(where, 'no responses');
      if (!codes.some((c) => /^[23]\d\d$/.test(c) || /^[23]XX$/.test(c))) problem(where, 'no success response');
      for (const code of codes) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(code)) problem(where, `bad response code ${code}`);
        const r = resolve(responses[code], `${where} ${code}`);
        if (r && (typeof r.description !== 'string' || r.description === '')) problem(`${where} ${code}`, 'a response needs a description');
      }
    }
  }

  // identical (same shape, other names) and ambiguous templates
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = names[i]!;
      const b = names[j]!;
      if (a.replace(/\{[^{}]+\}/g, '{}') === b.replace(/\{[^{}]+\}/g, '{}')) problem(b, `identical to ${a}`);
      else if (ambiguousPaths(a, b)) problem(b, `ambiguous with ${a}`);
    }
  }
  for (const t of declared) if (!usedTags.has(t)) problem(`tags`, `tag ${t} is declared but not used`);

  // every $ref resolves; every component is referenced
  const refs = new Set<string>();
  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (isObj(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') refs.add(x);
        else walk(x, `${where}.${k}`);
      }
    }
  };
  walk(doc, '');
  for (const ref of refs) if (pointer(doc, ref) === undefined) problem(ref, 'unresolved $ref');
  const components = isObj(doc.components) ? doc.components : {};
  for (const kind of ['schemas', 'parameters', 'responses', 'requestBodies', 'headers']) {
    const group = components[kind];
    if (!isObj(group)) continue;
    for (const name of Object.keys(group)) if (!refs.has(`#/components/${kind}/${name}`)) problem(`components.${kind}.${name}`, 'not used');
  }
  return out;
}
