/**
 * `npm run bench:attack -- --quick` end to end: the gateway as a process with a small fleet
 * whose notifications flow to MQTT, attacked from outside (hostile datagrams, forbidden
 * endpoint names, the glob attack, alias-bomb mapping files, an oversized PUBLISH, a
 * foreign Update, a Register flood). Every row of the drill must hold: the gateway stays up,
 * answers CoAP, keeps delivering notifications, refuses what it must, and gives memory back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchScript } from '../../helpers/bench-script.js';

test('the attack drill --quick: every attack is withstood', { timeout: 118_000 }, async () => {
  const { code, stdout, stderr } = await runBenchScript('bench/attack/run.ts', ['--quick']);
  const rows = stdout.split('\n').filter((l) => /^(ok|FAIL) /.test(l));
  assert.ok(rows.length >= 8, `the drill printed its rows:\n${stdout}\n${stderr.slice(-3000)}`);
  assert.deepEqual(rows.filter((l) => l.startsWith('FAIL')), [], `failed rows:\n${stdout}`);
  assert.equal(code, 0, `drill exited ${code}:\n${stderr.slice(-3000)}`);
});
