/**
 * The served OpenAPI document through Redocly's own linter (the rules of `redocly lint`,
 * "recommended" set): no error and no warning, with no mapping files and with the shipped
 * ones. openapi-lint.ts checks the same document with rules of our own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { RestFixture } from './fixture.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { compileMappings, loadMappingDir, type CompiledMappings } from '../../../src/mapping/index.js';

async function redoclyProblems(doc: unknown): Promise<string[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
  return problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer ?? '').join(', ')}`);
}

describe('the OpenAPI document under redocly lint', () => {
  let f: RestFixture;
  let current: CompiledMappings = compileMappings([], ModelRegistry.withBuiltins()).mappings;
  before(async () => {
    f = await RestFixture.start({ northbound: { mappings: () => current } });
  });
  after(() => f.stop());

  it('has no error and no warning without mapping files', async () => {
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    assert.deepEqual(await redoclyProblems(doc), []);
  });

  it('has no error and no warning with the shipped mapping files', async () => {
    const dir = fileURLToPath(new URL('../../../mappings', import.meta.url));
    const { mappings, errors } = loadMappingDir(dir, ModelRegistry.withBuiltins());
    assert.deepEqual(errors, []);
    current = mappings;
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    assert.ok(Object.keys(doc.paths).some((p: string) => !p.startsWith('/api/')), 'mapped routes are in the document');
    assert.deepEqual(await redoclyProblems(doc), []);
  });

  it('reports a response without a description (the linter is live)', async () => {
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    const first = Object.values(doc.paths as Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>)[0]!;
    const op = Object.values(first).find((o) => o && typeof o === 'object' && 'responses' in o)!;
    delete Object.values(op.responses!)[0]!.description;
    delete doc.info.license;
    const problems = await redoclyProblems(doc);
    assert.ok(problems.some((p) => p.startsWith('error')), problems.join('\n'));
    assert.ok(problems.some((p) => /license/.test(p)), problems.join('\n'));
  });
});
