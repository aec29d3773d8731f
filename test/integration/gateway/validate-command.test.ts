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
