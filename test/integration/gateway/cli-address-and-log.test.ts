/**
 * The command line with a coap.address that is no address (one line naming the key, no
 * stack), and with log.format json (every line a JSON object).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, tempConfig } from '../../helpers/cli-run.js';

const QUIET = 'mqtt:\n  enabled: false\nrest:\n  enabled: false\nmappings:\n  dir: null\n';

for (const address of ['999.1.1.1']) {
  void test(`coap.address ${address} is reported in one line naming coap.address`, async () => {
    const cfg = tempConfig(`coap:\n  port: 0\n  address: ${address}\n${QUIET}`);
    try {
      const exit = await runCli(['--config', cfg.file]);
      assert.equal(exit.code, 1, exit.stderr);
      const lines = exit.stderr.trim().split('\n').filter((l) => !/ (INFO|WARN) /.test(l));
      assert.equal(lines.length, 1, exit.stderr);
      assert.match(lines[0]!, new RegExp(`^UDP ${address.replace(/\./g, '\\.')} port 0: not an IP address of this host \\(\\w+\\): check coap\\.address`));
      assert.doesNotMatch(exit.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      cfg.done();
    }
  });
}

void test('log.format json: every line the gateway writes is one JSON object with time, level and msg', async () => {
  const cfg = tempConfig(`coap:\n  port: 0\n  address: 127.0.0.1\nlog:\n  level: info\n  format: json\n${QUIET}`);
  try {
    let sent = false;
    const exit = await runCli(['--config', cfg.file], (text, kill) => {
      if (!sent && /LwM2M server listening/.test(text)) {
        sent = true;
        kill('SIGTERM');
      }
    });
    assert.equal(exit.code, 0, exit.stderr);
    const lines = exit.stderr.trim().split('\n');
    assert.ok(lines.length >= 2, exit.stderr);
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const o of objects) {
      assert.equal(typeof o.time, 'string');
      assert.ok(['debug', 'info', 'warn', 'error'].includes(String(o.level)));
      assert.equal(typeof o.msg, 'string');
    }
    const listening = objects.find((o) => o.msg === 'LwM2M server listening');
    assert.equal(listening?.address, '127.0.0.1');
    assert.equal(typeof listening?.port, 'number');
    assert.ok(objects.some((o) => o.msg === 'stopping' && o.signal === 'SIGTERM'));
  } finally {
    cfg.done();
  }
});
