/**
 * The device AE's <accessControlPolicy> as the IPE writes it: the operation bits of the
 * config (TS-0004 accessControlOperations), the rules (the device and the IPE everything,
 * the applications what the config says), and acpi set on a create body.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { acopOf, policyFor, withAcpi } from '../../../src/northbound/onem2m/device-acp.js';

describe('oneM2M IPE: the device policy', () => {
  it('turns operations into accessControlOperations bits', () => {
    assert.equal(acopOf(['create']), 1);
    assert.equal(acopOf(['retrieve', 'create', 'discover']), 35);
    assert.equal(acopOf(['create', 'retrieve', 'update', 'delete', 'notify', 'discover']), 63);
  });

  it('grants the device and the IPE everything, the applications the configured operations', () => {
    const p = policyFor('Cdev', { ipe: 'CIpe', originators: ['Capp', 'Cdash'], operations: ['retrieve'] });
    assert.deepEqual(p.pv.acr, [{ acor: ['Cdev', 'CIpe'], acop: 63 }, { acor: ['Capp', 'Cdash'], acop: 2 }]);
    assert.deepEqual(p.pvs.acr, [{ acor: ['Cdev', 'CIpe'], acop: 63 }], 'only they may change the policy');
    const none = policyFor('Cdev', { ipe: 'CIpe', originators: [], operations: ['retrieve'] });
    assert.deepEqual(none.pv.acr, [{ acor: ['Cdev', 'CIpe'], acop: 63 }], 'no application rule when none is configured');
  });

  it('puts acpi in the one member of a create body', () => {
    assert.deepEqual(withAcpi({ 'm2m:cnt': { rn: 'a' } }, 'acp1'), { 'm2m:cnt': { rn: 'a', acpi: ['acp1'] } });
    assert.deepEqual(withAcpi({ 'cod:light': { rn: 'f', cnd: 'x' } }, 'acp1'), { 'cod:light': { rn: 'f', cnd: 'x', acpi: ['acp1'] } });
    assert.deepEqual(withAcpi({ 'm2m:cnt': { rn: 'a' } }, undefined), { 'm2m:cnt': { rn: 'a' } });
  });
});
