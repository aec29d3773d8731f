/**
 * The `onem2m` sections: modes, mni, flexContainer specialization and attributes, command
 * containers; every mistake is an error naming its field (what `validate` reports).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings } from '../../../src/mapping/index.js';
import { testModels } from './fixtures.js';

const models = testModels();

function compile(text: string): { errors: string[]; onem2m: unknown } {
  const { mappings, errors } = compileMappings([{ file: 'maps/m.yaml', text }], models);
  return { errors: errors.map((e) => `${e.field}: ${e.message}`), onem2m: mappings.files[0]?.targets[0]?.onem2m };
}

void test('a flexContainer section resolves its attributes and defaults its names', () => {
  const { errors, onem2m } = compile('targets:\n  - object: 3303\n    onem2m: { mode: flexContainer, attributes: { curT0: 5700, unit: Sensor Units } }\n');
  assert.deepEqual(errors, []);
  const flex = (onem2m as { flex: { specialization: string; cnd: string; attributes: Map<number, string> } }).flex;
  assert.equal(flex.specialization, 'lwm2m:obj3303');
  assert.equal(flex.cnd, 'org.openmobilealliance.lwm2m.3303');
  assert.deepEqual([...flex.attributes], [[5700, 'curT0'], [5701, 'unit']]);
});

void test('mistakes are errors with their field', () => {
  const cases: [string, RegExp][] = [
    ['{ mode: full }', /onem2m\.mode: .*must be one of/],
    ['{ mni: 0 }', /onem2m\.mni/],
    ['{ container: x }', /onem2m.*container/],
    ['{ mode: semantic, attributes: { a: 5700 } }', /attributes applies to mode flexContainer only/],
    ['{ mode: flexContainer, specialization: "no colon" }', /specialization/],
    ['{ mode: flexContainer, attributes: { a: 9999 } }', /onem2m\.attributes\.a/],
    ['{ commands: { reset: { execute: 5700 } } }', /does not allow execute/],
    ['{ commands: { reset: { write: 5700, execute: 5605 } } }', /onem2m\.commands\.reset/],
    ['{ commands: { "1bad": { execute: 5605 } } }', /command name/],
  ];
  for (const [section, re] of cases) {
    const { errors } = compile(`targets:\n  - object: 3303\n    onem2m: ${section}\n`);
    assert.ok(errors.some((e) => re.test(e)), `${section}: ${errors.join('; ')}`);
  }
  const file = compile('onem2m: { mode: nope, extra: 1 }\ntargets: [{ object: 3303 }]\n');
  assert.ok(file.errors.some((e) => /onem2m\.mode: .*must be one of/.test(e)), file.errors.join('; '));
  assert.ok(file.errors.some((e) => /extra/.test(e)), file.errors.join('; '));
});
