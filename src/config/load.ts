/**
 * Loads the gateway config: YAML file, then environment overrides, validated by the
 * JSON Schema. Errors name the file, line, column and key.
 */
import { readFileSync } from 'node:fs';
import { resolve, dirname, isAbsolute } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { CONFIG_SCHEMA, DEFAULT_CONFIG, type GatewayConfig } from './schema.js';
import { FILE_REF, SECRET_KEYS, SecretFileError, resolveSecretFiles } from './secrets.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file: string | undefined,
    readonly key: string | undefined,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Prefix of environment overrides; `__` separates keys: LWM2MGW_COAP__PORT=5690. A secret
 * key with the suffix `_FILE` takes its value from that file: LWM2MGW_MQTT__EXTERNAL__PASSWORD_FILE.
 */
export const ENV_PREFIX = 'LWM2MGW_';

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? merge(b, v) : v;
  }
  return out;
}

function parseEnvValue(raw: string): unknown {
  if (raw === 'null') return null;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  // lists and mappings as JSON: LWM2MGW_REST__TOKENS='[{"token":"...","scope":"read"}]'
  if (raw.startsWith('[') || raw.startsWith('{')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw; // not JSON: the schema says what is wrong, naming the variable
    }
  }
  return raw;
}

/** Maps environment variables to config keys, case-insensitively against the defaults' key names. */
export function envOverrides(env: NodeJS.ProcessEnv): { overrides: Plain; keys: string[] } {
  const overrides: Plain = {};
  const keys: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const parts = name.slice(ENV_PREFIX.length).split('__').map((p) => p.toLowerCase());
    const last = parts[parts.length - 1]!;
    const secretFile = last.endsWith('_file') && [...SECRET_KEYS].some((k) => k.toLowerCase() === last.slice(0, -5));
    if (secretFile) parts[parts.length - 1] = last.slice(0, -5);
    let node: Plain = overrides;
    let shape: unknown = DEFAULT_CONFIG;
    const path: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const want = parts[i]!;
      const key = isPlain(shape) ? (Object.keys(shape).find((k) => k.toLowerCase() === want) ?? want) : want;
      path.push(key);
      shape = isPlain(shape) ? shape[key] : undefined;
      if (i === parts.length - 1) node[key] = secretFile ? FILE_REF + raw : parseEnvValue(raw);
      else {
        const next = node[key];
        node = isPlain(next) ? next : (node[key] = {});
      }
    }
    keys.push(path.join('.'));
  }
  return { overrides, keys };
}

function keyOf(err: ErrorObject): string[] {
  const path = err.instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (err.keyword === 'additionalProperties') path.push(String((err.params as { additionalProperty: string }).additionalProperty));
  return path;
}

function describe(err: ErrorObject): string {
  if (err.keyword === 'additionalProperties') return 'unknown key';
  if (err.keyword === 'enum') return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return err.message ?? 'invalid';
}

function position(doc: Document | undefined, lc: LineCounter, path: string[], atKey = false): string {
  if (!doc) return '';
  for (let n = path.length; n > 0; n--) {
    const sub = path.slice(0, n);
    const parent = n > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === sub[sub.length - 1]);
      const node = (n === path.length && !atKey ? (pair?.value ?? pair?.key) : pair?.key) as { range?: [number, number, number] } | null | undefined;
      if (node?.range) {
        const { line, col } = lc.linePos(node.range[0]);
        return `:${line}:${col}`;
      }
    }
  }
  return '';
}

export interface LoadedConfig {
  config: GatewayConfig;
  file: string | undefined;
  /** the folder relative paths in the config are resolved against */
  baseDir: string;
}

export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let fromFile: Plain = {};
  let doc: Document | undefined;
  const lc = new LineCounter();
  const where = file ?? '(defaults)';
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`${file}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file, undefined);
    }
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      const { line, col } = lc.linePos(first.pos[0]);
      throw new ConfigError(`${file}:${line}:${col}: YAML error: ${first.message.split('\n')[0]}`, file, undefined);
    }
    let js: unknown;
    try {
      // yaml's default alias limit (100) refuses real files; an alias bomb still exceeds this one
      js = doc.toJS({ maxAliasCount: 10_000 });
    } catch (e) {
      throw new ConfigError(`${file}:1:1: YAML error: ${(e as Error).message.split('\n')[0]}`, file, undefined);
    }
    if (js !== null && js !== undefined && !isPlain(js)) throw new ConfigError(`${file}:1:1: the config must be a mapping of keys`, file, undefined);
    fromFile = (js as Plain | null) ?? {};
    try {
      resolveSecretFiles(fromFile, dirname(resolve(file)));
    } catch (e) {
      if (!(e instanceof SecretFileError)) throw e;
      throw new ConfigError(`${file}${position(doc, lc, e.key.split('.'))}: ${e.message}`, file, e.key);
    }
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(CONFIG_SCHEMA);
  if (!validate(fromFile)) {
    const lines = (validate.errors ?? []).map((e) => {
      const key = keyOf(e);
      return `${where}${position(doc, lc, key, e.keyword === 'additionalProperties')}: ${key.join('.') || '(root)'}: ${describe(e)}`;
    });
    throw new ConfigError(lines.join('\n'), file, keyOf(validate.errors![0]!).join('.'));
  }
  const { overrides, keys } = envOverrides(env);
  try {
    resolveSecretFiles(overrides, process.cwd());
  } catch (e) {
    if (!(e instanceof SecretFileError)) throw e;
    throw new ConfigError(`environment: ${e.message}`, file, e.key);
  }
  const merged = merge(merge(structuredClone(DEFAULT_CONFIG) as unknown as Plain, fromFile), overrides);
  if (!validate(merged)) {
    const lines = (validate.errors ?? []).map((e) => {
      const key = keyOf(e).join('.');
      const envName = ENV_PREFIX + keyOf(e).map((k) => k.toUpperCase()).join('__');
      return `environment ${keys.includes(key) ? envName : ''}: ${key}: ${describe(e)}`.replace('environment :', 'config:');
    });
    throw new ConfigError(lines.join('\n'), file, keyOf(validate.errors![0]!).join('.'));
  }
  const config = merged as unknown as GatewayConfig;
  const lt = config.lwm2m.lifetime;
  if (lt.min > lt.max || lt.default < lt.min || lt.default > lt.max) {
    throw new ConfigError(`${where}${position(doc, lc, ['lwm2m', 'lifetime'])}: lwm2m.lifetime: need min <= default <= max`, file, 'lwm2m.lifetime');
  }
  const baseDir = file ? dirname(resolve(file)) : process.cwd();
  resolvePaths(config, fromFile, baseDir);
  return { config, file, baseDir };
}

/**
 * Folder and file keys become absolute: a path written in the config file is relative to
 * that file; a default or an environment value is relative to the working directory.
 */
function resolvePaths(config: GatewayConfig, fromFile: Plain, baseDir: string): void {
  const inFile = (keys: string[]): boolean => {
    let v: unknown = fromFile;
    for (const k of keys) v = isPlain(v) ? v[k] : undefined;
    return typeof v === 'string';
  };
  const abs = (value: string | null, keys: string[]): string | null => {
    if (!value || isAbsolute(value)) return value;
    return resolve(inFile(keys) ? baseDir : process.cwd(), value);
  };
  config.models.dir = abs(config.models.dir, ['models', 'dir']);
  config.mappings.dir = abs(config.mappings.dir, ['mappings', 'dir']);
  config.data.dir = abs(config.data.dir, ['data', 'dir']) ?? config.data.dir;
  const tls = config.mqtt.external.tls;
  tls.ca = abs(tls.ca, ['mqtt', 'external', 'tls', 'ca']);
  tls.cert = abs(tls.cert, ['mqtt', 'external', 'tls', 'cert']);
  tls.key = abs(tls.key, ['mqtt', 'external', 'tls', 'key']);
  const brokerTls = config.mqtt.embedded.tls;
  for (const k of ['cert', 'key', 'ca'] as const) brokerTls[k] = abs(brokerTls[k], ['mqtt', 'embedded', 'tls', k]);
  const restTls = config.rest.tls;
  if (restTls) for (const k of ['cert', 'key'] as const) restTls[k] = abs(restTls[k], ['rest', 'tls', k]);
  const dtls = config.dtls;
  dtls.certificate = abs(dtls.certificate, ['dtls', 'certificate']);
  dtls.privateKey = abs(dtls.privateKey, ['dtls', 'privateKey']);
  dtls.trustedCertificates = abs(dtls.trustedCertificates, ['dtls', 'trustedCertificates']);
  const httpTls = config.http.tls;
  for (const k of ['cert', 'key', 'ca'] as const) httpTls[k] = abs(httpTls[k], ['http', 'tls', k]);
}
