/**
 * `npm run demo` as a user runs it (on free ports): the commands it prints work as printed.
 * The Read-Composite URL answers the simulated devices' values, the libcoap register
 * command prints the Location-Path whose id the printed de-register command takes, and
 * Ctrl-C (SIGINT to the whole process group, as a terminal sends it) de-registers the
 * devices, then stops the gateway.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('../../../', import.meta.url).pathname;
const LIBCOAP = '/usr/bin/coap-client-notls';

/** Runs one of the printed shell commands (the demo's own text, no outside input). */
function sh(cmd: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', cmd], { timeout: 15_000, encoding: 'utf8' }, (_err, stdout, stderr) => resolve(stdout + stderr));
  });
}

test('the demo prints commands that work as printed, and stops on Ctrl-C', { timeout: 90_000 }, async () => {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--devices', '2', '--coap-port', '0', '--mqtt-port', '0', '--rest-port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group of its own, as a shell gives a foreground job
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!out.includes('Ctrl-C stops') && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /Ctrl-C stops/, out);

    // Read-Composite, as printed
    const url = /curl '(http:\/\/127\.0\.0\.1:\d+\/api\/devices\/demo-0\/composite\?paths=[^']+)'/.exec(out)?.[1];
    assert.ok(url, `a Read-Composite example:\n${out}`);
    const res = await fetch(url);
    const body = (await res.json()) as { values: Record<string, unknown> };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(typeof body.values['/3303/0/5700'], 'number');
    assert.equal(typeof body.values['/3/0/9'], 'number');

    // the libcoap register command shows the Location-Path; the de-register command takes its id
    const register = /^ {2}(coap-client-notls -v 6 -m post .*)$/m.exec(out)?.[1];
    const deregister = /^ {2}(coap-client-notls -v 6 -m delete .*<id>.*)$/m.exec(out)?.[1];
    assert.ok(register && deregister, `libcoap commands:\n${out}`);
    if (existsSync(LIBCOAP)) {
      const reg = await sh(register);
      const id = /c:2\.01 .*Location-Path:rd, Location-Path:([A-Za-z0-9_-]+) \]/.exec(reg)?.[1];
      assert.ok(id, `the Location-Path in:\n${reg}`);
      const del = await sh(deregister.replace('<id>', id));
      assert.match(del, /c:2\.02/, del);
    }
  } finally {
    if (proc.exitCode === null) process.kill(-proc.pid!, 'SIGINT'); // Ctrl-C
  }
  // the demo stops its gateway itself; a last resort if it hangs
  const guard = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(guard);
  assert.equal(code, 0, out);
  assert.match(out, /stopped\./);
  const gone = out.indexOf('deregistered endpoint=demo-1');
  const gatewayStops = out.search(/INFO {2}stopping signal=/);
  assert.ok(gone > 0 && gatewayStops > gone, `the devices de-register before the gateway stops:\n${out}`);
});
