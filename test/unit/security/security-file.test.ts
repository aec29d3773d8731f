import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSecurityFile } from '../../../src/security/security-file.js';
import { parseHex } from '../../../src/lwm2m/server/security.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { SecurityFileSource } from '../../../src/security/security-file-source.js';

const KEY = '000102030405060708090a0b0c0d0e0f';

void test('security file: psk, rpk and x509 entries are read', () => {
  const text = [
    `- { endpoint: dev1, mode: psk, identity: dev1-id, key: ${KEY} }`,
    '- endpoint: dev2',
    '  mode: rpk',
    '  publicKey: 3059301306072A8648',
    '- { endpoint: dev3, mode: x509 }',
    '',
  ].join('\n');
  const r = parseSecurityFile('sec.yaml', text);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(
    r.entries.map((e) => [e.field, e.line, e.info.mode, e.info.endpoint]),
    [['[0]', 1, 'psk', 'dev1'], ['[1]', 2, 'rpk', 'dev2'], ['[2]', 5, 'x509', 'dev3']],
  );
  const first = r.entries[0]!.info;
  assert.ok(first.mode === 'psk' && first.key.equals(Buffer.from(KEY, 'hex')) && first.identity === 'dev1-id');
  const second = r.entries[1]!.info;
  assert.ok(second.mode === 'rpk' && second.publicKey.equals(Buffer.from('3059301306072a8648', 'hex')));
});

void test('security file: an empty file holds no entries', () => {
  const r = parseSecurityFile('sec.yaml', '# nothing yet\n');
  assert.deepEqual(r, { ok: true, entries: [] });
});

void test('security file: errors name file, line and field, and never quote a key', () => {
  const secret = 'abcdefabcdefabcdefZZ';
  const text = [
    `- { endpoint: ok1, mode: psk, identity: id1, key: ${KEY} }`,
    `- { endpoint: dev2, mode: psk, identity: id2, key: ${secret} }`,
    '- { endpoint: dev3, mode: nosec }',
    `- { endpoint: dev4, mode: psk, identity: id1, key: ${KEY} }`,
    `- { endpoint: ok1, mode: x509 }`,
    `- { endpoint: dev6, mode: psk, identity: id6, key: ${'00'.repeat(65)} }`,
    `- { endpoint: dev7, mode: x509, key: ${KEY} }`,
    `- { endpoint: dev8, mode: psk, key: ${KEY} }`,
    '',
  ].join('\n');
  const r = parseSecurityFile('sec.yaml', text);
  assert.equal(r.ok, false);
  if (r.ok) return;
  const where = r.errors.map((e) => `${e.file}:${e.line}:${e.field}`);
  assert.deepEqual(where, [
    'sec.yaml:2:[1].key',
    'sec.yaml:3:[2].mode',
    'sec.yaml:4:[3].identity',
    'sec.yaml:5:[4].endpoint',
    'sec.yaml:6:[5].key',
    'sec.yaml:7:[6].key',
    'sec.yaml:8:[7].identity',
  ]);
  for (const e of r.errors) assert.ok(!e.message.includes(secret) && !e.message.includes(KEY), e.message);
});

void test('security file: not a list, broken YAML, bad endpoint names are positioned errors', () => {
  const notList = parseSecurityFile('sec.yaml', 'endpoint: dev1\n');
  assert.ok(!notList.ok && notList.errors[0]!.line === 1);
  const broken = parseSecurityFile('sec.yaml', '- { endpoint: a, mode: x509\n');
  assert.ok(!broken.ok && /YAML error/.test(broken.errors[0]!.message));
  const dup = parseSecurityFile('sec.yaml', '- { endpoint: a, endpoint: b, mode: x509 }\n');
  assert.ok(!dup.ok);
  const ctl = parseSecurityFile('sec.yaml', '- { endpoint: "a\\u0001b", mode: x509 }\n- 7\n');
  assert.ok(!ctl.ok);
  assert.deepEqual(ctl.errors.map((e) => [e.line, e.field]), [[1, '[0]'], [2, '[1]']]);
});

void test('parseHex: even count of hex digits within the bound, nothing else', () => {
  assert.deepEqual(parseHex('0aFF', 2), Buffer.from([10, 255]));
  for (const bad of ['', 'a', '0g', '0x00', ' 00', '00 ', '000000']) assert.equal(parseHex(bad, 2), undefined, bad);
});

void test('security file: bootstrap: true entries are the bootstrap credentials, kept apart from the server ones', () => {
  const text = [
    `- { endpoint: dev1, mode: psk, identity: dev1-id, key: ${KEY} }`,
    `- { endpoint: dev1, mode: psk, identity: dev1-id, key: aabb, bootstrap: true }`,
    `- { endpoint: dev2, mode: x509, bootstrap: true }`,
    '',
  ].join('\n');
  const r = parseSecurityFile('sec.yaml', text);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.entries.map((e) => [e.info.endpoint, e.bootstrap]), [['dev1', false], ['dev1', true], ['dev2', true]]);
  const dup = parseSecurityFile('sec.yaml', `- { endpoint: d, mode: x509, bootstrap: true }\n- { endpoint: d, mode: x509, bootstrap: true }\n`);
  assert.ok(!dup.ok && dup.errors[0]!.message.includes('endpoint already in entry 0'));
  const bad = parseSecurityFile('sec.yaml', `- { endpoint: d, mode: x509, bootstrap: yes please }\n`);
  assert.ok(!bad.ok && bad.errors[0]!.message.includes('bootstrap is true or false'));

  const dir = mkdtempSync(join(tmpdir(), 'secfile-'));
  try {
    const file = join(dir, 'sec.yaml');
    writeFileSync(file, text);
    const store = new MemoryStore();
    const source = new SecurityFileSource({ file, store: store.security, bootstrapStore: store.bootstrapSecurity });
    source.load();
    assert.deepEqual(store.security.pskFor(Buffer.from('dev1-id')), Buffer.from(KEY, 'hex'));
    assert.deepEqual(store.bootstrapSecurity.pskFor(Buffer.from('dev1-id')), Buffer.from('aabb', 'hex'));
    assert.equal(store.bootstrapSecurity.get('dev2')?.mode, 'x509');
    assert.equal(store.security.get('dev2'), undefined);
    writeFileSync(file, `- { endpoint: dev1, mode: psk, identity: dev1-id, key: ${KEY} }\n`);
    assert.equal(source.reload(), true);
    assert.equal(store.bootstrapSecurity.size, 0, 'the bootstrap entries the file no longer names are gone');
    assert.equal(store.security.size, 1);
    source.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
