import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { MAPPING_SCHEMA } from '../../../src/mapping/index.js';

const FILE = new URL('../../../schema/mapping.schema.json', import.meta.url);

test('schema/mapping.schema.json equals the schema the loader uses', () => {
  const shipped: unknown = JSON.parse(readFileSync(FILE, 'utf8'));
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(MAPPING_SCHEMA)), 'regenerate the file: see the comment at the top of src/mapping/schema.ts');
});

test('the shipped schema compiles in strict mode (editors read it as draft-07)', () => {
  const ajv = new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true });
  const validate = ajv.compile(JSON.parse(readFileSync(FILE, 'utf8')) as object);
  assert.equal(validate({ targets: [{ object: 3303, mqtt: { publish: { topic: 't' } } }] }), true);
  assert.equal(validate({ targets: [] }), false);
});
