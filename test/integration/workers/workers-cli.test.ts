/** `workers` on the command line: a number above 1 for a config that cannot be sharded is one line and exit 1; auto says why it stays on one shard. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { runCli, tempConfig } from '../../helpers/cli-run.js';

void test('workers: 2 with the file store: one line naming store.type, exit 1, nothing started', async () => {
  const cfg = tempConfig('workers: 2\ncoap: { port: 0 }\nmqtt: { enabled: false }\nrest: { enabled: false }\nonem2m: { enabled: false }\n');
  try {
    const r = await runCli(['--config', cfg.file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'workers 2: store.type is file: shards share their state through store.type redis (or set workers: 1)');
  } finally {
    cfg.done();
  }
});

const oneCore = availableParallelism() < 2 && 'one core: auto is one shard without a reason to give';

void test('workers: auto on a config that cannot be sharded runs one shard and says why', { skip: oneCore }, async () => {
  const cfg = tempConfig('coap: { port: 0, address: 127.0.0.1 }\nmqtt: { enabled: false }\nrest: { enabled: false }\nonem2m: { enabled: false }\n');
  try {
    const r = await runCli(['--config', cfg.file], (text, kill) => {
      if (text.includes('LwM2M server listening')) kill('SIGTERM');
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /INFO {2}workers auto: one shard, store\.type is file/);
    assert.doesNotMatch(r.stderr, /shards=/);
  } finally {
    cfg.done();
  }
});
