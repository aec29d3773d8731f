import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposedHost, isLoopback } from '../../../src/config/exposure.js';

const base = { key: 'rest', credentialKey: 'rest.tokens', allowAnonymous: false } as const;

test('loopback addresses', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.0.2.2', 'fd00::2', '128.0.0.1']) assert.equal(isLoopback(h), false, h);
});

test('credentials: the host as configured, every address when null, nothing to say', () => {
  assert.deepEqual(exposedHost({ ...base, host: null, credentials: true }), { host: '0.0.0.0' });
  assert.deepEqual(exposedHost({ ...base, host: '192.0.2.2', credentials: true }), { host: '192.0.2.2' });
});

test('no credentials: loopback with a notice; a loopback host as it is; another host refused', () => {
  const r = exposedHost({ ...base, host: null, credentials: false });
  assert.equal('host' in r && r.host, '127.0.0.1');
  assert.match('notice' in r ? (r.notice ?? '') : '', /^rest: no rest\.tokens configured, so listening on 127\.0\.0\.1 only/);
  assert.deepEqual(exposedHost({ ...base, host: '::1', credentials: false }), { host: '::1' });
  const refused = exposedHost({ ...base, host: '::', credentials: false });
  assert.ok('error' in refused && refused.error.startsWith('rest.host is :: but no rest.tokens are configured'));
});

test('allowAnonymous opens any host without credentials, with a notice unless loopback', () => {
  const open = exposedHost({ ...base, allowAnonymous: true, host: null, credentials: false });
  assert.deepEqual(open, { host: '0.0.0.0', notice: 'rest: serving without login on 0.0.0.0 (rest.allowAnonymous: true)' });
  assert.deepEqual(exposedHost({ ...base, allowAnonymous: true, host: '127.0.0.1', credentials: false }), { host: '127.0.0.1' });
});
