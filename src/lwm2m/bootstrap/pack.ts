/**
 * Bootstrap-Pack (LwM2M 1.2 Core 6.1.7.8): the whole configuration in one answer to
 * GET /bspack?ep=, as SenML CBOR (default) or SenML JSON: the same instances a session
 * writes, with the same Security instance ids.
 */
import type { CodecRegistry } from '../codec/registry.js';
import { ContentFormat, DEFAULT_LIMITS } from '../codec/codec.js';
import type { ModelProvider } from '../model/types.js';
import type { LwM2mNode } from '../node.js';
import type { UplinkResult } from '../transport.js';
import type { BootstrapConfig } from './config.js';
import { ASSUMED_SECURITY_IDS, instanceWrites } from './plan.js';

const PACK_FORMATS: readonly number[] = [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON];

export function bootstrapPack(config: BootstrapConfig, accept: number | undefined, codecs: CodecRegistry, models: ModelProvider): UplinkResult {
  const format = accept ?? ContentFormat.SENML_CBOR;
  if (!PACK_FORMATS.includes(format)) return { code: 'notAcceptable' };
  const nodes = new Map<string, LwM2mNode | null>();
  for (const w of instanceWrites(config, models, ASSUMED_SECURITY_IDS)) nodes.set(w.path.toString(), w.node);
  const r = codecs.encodeNodes(format, nodes, { model: models, limits: DEFAULT_LIMITS });
  if (!r.ok) return { code: 'internalServerError' };
  return { code: 'content', contentFormat: format, payload: r.value };
}
