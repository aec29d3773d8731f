/**
 * The structural OpenAPI linter the REST tests run on the served document: it finds each
 * kind of defect it is there for (so a clean result means something).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ambiguousPaths, lintOpenApi } from '../../integration/rest/openapi-lint.js';
import { openApiDocument } from '../../../src/northbound/rest/openapi.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const clean = (): Obj => structuredClone(openApiDocument()) as Obj;

describe('OpenAPI lint', () => {
  it('passes the served document', () => {
    assert.deepEqual(lintOpenApi(clean()), []);
  });

  it('finds ambiguous paths', () => {
    assert.ok(ambiguousPaths('/api/devices/{endpoint}/{objectId}/discover', '/api/devices/{endpoint}/observations/{observationId}'));
    assert.ok(!ambiguousPaths('/api/devices/{endpoint}/{objectId}', '/api/devices/{endpoint}/composite'));
    assert.ok(!ambiguousPaths('/api/devices/{endpoint}/{objectId}/{instanceId}', '/api/devices/{endpoint}/observations/{observationId}'));
    assert.ok(!ambiguousPaths('/a/{x}/b', '/a/{x}/c'));
    const doc = clean();
    doc.paths['/api/devices/{endpoint}/observations/{observationId}'] = doc.paths['/api/observations/{endpoint}/{observationId}'];
    delete doc.paths['/api/observations/{endpoint}/{observationId}'];
    assert.ok(lintOpenApi(doc).some((p) => /ambiguous with \/api\/devices\/\{endpoint\}\/\{objectId\}\/discover/.test(p)));
  });

  it('finds responses without a description, duplicate operationIds, undeclared tags and path parameters', () => {
    const doc = clean();
    doc.paths['/api/devices/{endpoint}'].get.responses['200'] = { content: { 'application/json': { schema: {} } } };
    doc.paths['/api/health'].get.operationId = 'openapi';
    doc.paths['/api/events'].get.tags = ['nowhere'];
    doc.paths['/api/requests/{requestId}'].get.parameters = [];
    const problems = lintOpenApi(doc);
    assert.ok(problems.includes('GET /api/devices/{endpoint} 200: a response needs a description'), problems.join('\n'));
    assert.ok(problems.some((p) => /operationId openapi is also used/.test(p)));
    assert.ok(problems.some((p) => /tag nowhere is not declared/.test(p)));
    assert.ok(problems.some((p) => /path parameter \{requestId\} is not declared/.test(p)));
  });

  it('finds a missing license, undescribed tags, unresolved refs, unused components', () => {
    const doc = clean();
    delete doc.info.license;
    doc.tags = doc.tags.map((t: Obj) => ({ name: t.name }));
    doc.paths['/api/devices/{endpoint}'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    doc.components.schemas.Orphan = { type: 'string' };
    const problems = lintOpenApi(doc);
    assert.ok(problems.some((p) => /^info\.license/.test(p)));
    assert.ok(problems.some((p) => /needs a description/.test(p) && /^tags\[/.test(p)));
    assert.ok(problems.includes('#/components/schemas/Nope: unresolved $ref'), problems.join('\n'));
    assert.ok(problems.includes('components.schemas.Orphan: not used'));
  });
});
