/**
 * Device AE names from LwM2M endpoint names (TS-0014 clause 6.2.2.2: the Endpoint Client
 * Name without "urn:"): kept when safe, otherwise cleaned with a hash of the whole name so
 * that two endpoints never share an AE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeName } from '../../../src/northbound/onem2m/ipe.js';

void test('an endpoint name becomes a resource name', () => {
  assert.equal(safeName('sem-1'), 'sem-1');
  assert.equal(safeName('urn:dev-7'), 'dev-7', '"urn:" is not part of the AE name');
  assert.match(safeName('urn:imei:490154203237518'), /^imei_490154203237518-[0-9a-f]{8}$/);
  assert.notEqual(safeName('urn:imei:1'), safeName('imei:1'), 'the hash covers the whole endpoint name');
  assert.notEqual(safeName('a/b'), safeName('a?b'));
  assert.ok(safeName('x'.repeat(200)).length <= 49, 'bounded');
  assert.equal(safeName('urn:'), 'urn_-' + safeName('urn:').slice(5), 'a bare "urn:" is cleaned, not emptied');
});
