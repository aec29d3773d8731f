/**
 * The endpoint glob matcher (src/glob.ts): examples, agreement with a reference regular
 * expression on small inputs, the bounds on patterns from outside, and the attack
 * pattern that makes a backtracking regexp take minutes, also in a mapping file's
 * `devices.endpoint`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_GLOB_LENGTH, MAX_GLOBS, globListProblem, globMatch, globsMatcher } from '../../../src/glob.js';
import { compileMappings } from '../../../src/mapping/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { registration } from '../mapping/fixtures.js';

/** The reference: the glob as an anchored regexp (fine on the small inputs of the property). */
function reference(glob: string, name: string): boolean {
  const body = [...glob].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'u').test(name);
}

describe('globMatch', () => {
  it('matches `*`, `?` and literal characters', () => {
    assert.ok(globMatch('dev-*', 'dev-12'));
    assert.ok(globMatch('dev-*', 'dev-'));
    assert.ok(!globMatch('dev-*', 'dev'));
    assert.ok(globMatch('a?c', 'abc'));
    assert.ok(!globMatch('a?c', 'abbc'));
    assert.ok(!globMatch('dev.1', 'devx1'));
    assert.ok(globMatch('urn:imei:(1)', 'urn:imei:(1)'));
    assert.ok(globMatch('*', ''));
    assert.ok(globMatch('', ''));
    assert.ok(!globMatch('', 'a'));
    assert.ok(globMatch('*a*b', 'xxaxxbxxb'));
    assert.ok(!globMatch('*a*b', 'xxaxxbxxc'));
    assert.ok(globMatch('**?**', 'z'));
    assert.ok(!globMatch('**?**', ''));
  });

  it('agrees with a reference regexp on small inputs', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', '.', '(', '\\');
    const glob = fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join(''));
    const name = fc.array(fc.constantFrom('a', 'b', '*', '?', '.', '(', '\\', '\n'), { maxLength: 12 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(glob, name, (g, n) => globMatch(g, n) === reference(g, n)),
      { numRuns: 5000 },
    );
  });

  it('answers the backtracking attack pattern on a 10,000-character name', () => {
    const name = 'a'.repeat(10_000);
    assert.equal(globMatch('*a*a*a*a*a*b', name), false);
    assert.equal(globMatch('*a*a*a*a*a*a', name), true);
    assert.equal(globMatch('*a*a*a*a*a*b', name + 'b'), true);
  });
});

describe('globsMatcher and globListProblem', () => {
  it('matches any of several globs and exact names', () => {
    const m = globsMatcher(['meter-1', 'tracker-*']);
    assert.ok(m('meter-1'));
    assert.ok(!m('meter-2'));
    assert.ok(m('tracker-9'));
    assert.ok(!globsMatcher([])('x'));
  });

  it('refuses too many or too long patterns', () => {
    assert.equal(globListProblem(['a*', 'b']), undefined);
    assert.equal(globListProblem(['x'.repeat(MAX_GLOB_LENGTH)]), undefined);
    assert.match(globListProblem(['x'.repeat(MAX_GLOB_LENGTH + 1)]) ?? '', /at most 256 characters/);
    assert.match(globListProblem(Array.from({ length: MAX_GLOBS + 1 }, (_, i) => `d${i}`)) ?? '', /at most 32 patterns/);
  });
});

describe('mapping files: devices.endpoint globs', () => {
  it('select a device with a 10,000-character name without backtracking', () => {
    const text = 'devices: { endpoint: ["*a*a*a*a*a*b", "meter-?"] }\ntargets: [{ object: 3303, observe: {} }]\n';
    const { mappings, errors } = compileMappings([{ file: 'long.yaml', text }], ModelRegistry.withBuiltins());
    assert.deepEqual(errors, []);
    const file = mappings.files[0]!;
    assert.equal(file.matches(registration('a'.repeat(10_000), { 3303: [0] })), false);
    assert.equal(file.matches(registration('a'.repeat(10_000) + 'b', { 3303: [0] })), true);
    assert.equal(file.matches(registration('meter-1', { 3303: [0] })), true);
    assert.equal(file.matches(registration('meter-10', { 3303: [0] })), false);
  });
});
