/** `lwm2m-gateway validate [DIR]` as users run it: exit codes and file:line messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function validate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'validate', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

void test('the shipped mappings folder validates clean against the built-in objects', () => {
  const r = validate('mappings');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\d+ mapping file\(s\) OK/);
});

void test('a broken mapping file: exit 1, an error naming file, line and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-validate-'));
  try {
    copyFileSync('mappings/temperature.yaml', join(dir, 'good.yaml'));
    writeFileSync(join(dir, 'broken.yaml'), 'devices:\n  endpoint: "*"\ntargets:\n  - object: 3303\nobsreve: true\n');
    const r = validate(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /broken\.yaml:5:1: obsreve: unknown field/);
    assert.doesNotMatch(r.stderr, /good\.yaml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('an alias bomb: exit 1, one positioned line and the summary, no stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-validate-'));
  try {
    const levels = 'abcdefghi'.split('');
    const lines = ['targets:', '  - object: 3303', '    onem2m:', '      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < levels.length; i++) lines.push(`      ${levels[i]}: &${levels[i]} [${Array(9).fill(`*${levels[i - 1]}`).join(',')}]`);
    writeFileSync(join(dir, 'bomb.yaml'), lines.join('\n') + '\n');
    const r = validate(dir);
    assert.equal(r.status, 1);
    const out = r.stderr.trim().split('\n');
    assert.equal(out.length, 2, r.stderr);
    assert.match(out[0]!, /bomb\.yaml:5:\d+: YAML error: the aliases \(\*name\) expand too much/);
    assert.match(out[1]!, /1 error\(s\) in 1 file\(s\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('npm run validate works in a checkout from the sources, without a build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-validate-'));
  try {
    writeFileSync(join(dir, 'typo.yaml'), 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpont}"\n');
    // the script runs the sources through tsx and needs no dist/
    const r = spawnSync('npm', ['run', '--silent', 'validate', '--', dir], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /typo\.yaml:5:19: targets\[0\]\.mqtt\.publish\.topic: bad template: unknown placeholder \{endpont\} \(did you mean \{endpoint\}\?\)/);
    const good = spawnSync('npm', ['run', '--silent', 'validate'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /\d+ mapping file\(s\) OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
