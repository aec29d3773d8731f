/** The file store keeps bootstrap configs (keys included) and bootstrap credentials across a restart, and after compaction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../../src/store/file/file-store.js';
import { DEFAULT_CONFIG_KEY, parseBootstrapConfig } from '../../../src/lwm2m/bootstrap/index.js';
import { psk } from '../../helpers/security-store-contract.js';

const KEY = '000102030405060708090a0b0c0d0e0f';

void test('bootstrap configs and credentials survive a reopen and a compaction of the file store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-bs-store-'));
  try {
    const r = parseBootstrapConfig({
      servers: [{ shortServerId: 2, uri: 'coaps://gw.example:5684', securityMode: 'psk', identity: 'dev-id', key: KEY, lifetime: 300 }],
      objects: { '/24/0': { 5: 60 } },
    });
    const d = parseBootstrapConfig({ servers: [] });
    assert.ok(r.ok && d.ok);
    let store = FileStore.open({ dir });
    store.bootstrap.put('dev', r.config);
    store.bootstrap.put(DEFAULT_CONFIG_KEY, d.config);
    store.bootstrap.put('gone', d.config);
    store.bootstrap.remove('gone');
    assert.ok(store.bootstrapSecurity.put(psk('dev', 'dev-bs', 'aabb')).ok);
    assert.ok(store.security.put(psk('dev', 'dev-id', KEY)).ok);
    await store.close();
    for (const round of ['reopened', 'compacted']) {
      store = FileStore.open({ dir });
      assert.deepEqual(store.bootstrap.endpoints().sort(), [DEFAULT_CONFIG_KEY, 'dev'], round);
      const back = store.bootstrap.get('dev')!;
      assert.deepEqual(back.servers[0]!.key, Buffer.from(KEY, 'hex'), round);
      assert.deepEqual(back.objects, { '/24/0': { 5: 60 } });
      assert.equal(back.servers[0]!.lifetime, 300);
      assert.deepEqual(store.bootstrapSecurity.pskFor(Buffer.from('dev-bs')), Buffer.from('aabb', 'hex'), round);
      assert.deepEqual(store.security.pskFor(Buffer.from('dev-id')), Buffer.from(KEY, 'hex'), round);
      assert.equal(store.bootstrapSecurity.pskFor(Buffer.from('dev-id')), undefined, 'the kinds stay apart');
      if (round === 'reopened') await store.compact();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
