/**
 * The embedded CSE over real HTTP: the CSEBase, AE registration, the TS-0009 headers
 * (X-M2M-RI echoed, X-M2M-RVI, X-M2M-RSC with its HTTP status, ty in Content-Type), the
 * failures (4000, 4001, 4004, 4005, 4015, 4105, 4117) and the access control on X-M2M-Origin.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { m2m } from '../../helpers/onem2m-http.js';

const AE = (rn: string): unknown => ({ 'm2m:ae': { rn, api: 'Nlwm2m.test', rr: true, srv: ['3'] } });

describe('embedded CSE: CSEBase and AE', () => {
  const cse = new EmbeddedCse({ access: { admin: 'CAdmin', registration: ['*'], allowed: { friendly: ['CFriend'] } }, bodyLimit: 4096 });
  let base = '';
  before(async () => {
    await cse.start();
    base = cse.url;
  });
  after(() => cse.stop());

  it('answers the CSEBase with ri, rn, csi and the binding headers', async () => {
    const r = await m2m(base, 'GET', '/cse-in', { origin: 'Canyone', ri: 'abc-1', rvi: '3' });
    assert.equal(r.status, 200);
    assert.equal(r.rsc, 2000);
    assert.equal(r.headers.get('x-m2m-ri'), 'abc-1');
    assert.equal(r.headers.get('x-m2m-rvi'), '3');
    assert.deepEqual([r.body['m2m:cb'].ri, r.body['m2m:cb'].rn, r.body['m2m:cb'].csi, r.body['m2m:cb'].ty], ['id-in', 'cse-in', '/id-in', 5]);
    assert.equal((await m2m(base, 'GET', '/id-in')).rsc, 2000, 'unstructured address of the CSEBase');
    assert.equal((await m2m(base, 'GET', '/~/id-in/cse-in')).rsc, 2000, 'SP-relative address');
  });

  it('registers an AE: the CSE assigns an AE-ID for "C", keeps a given one, refuses duplicates', async () => {
    const a = await m2m(base, 'POST', '/cse-in', { origin: 'C', ty: 2, body: AE('assigned') });
    assert.equal(a.status, 201);
    assert.equal(a.rsc, 2001);
    const ae = a.body['m2m:ae'];
    assert.match(ae.aei, /^C[0-9a-f]{12}$/);
    assert.equal(ae.ri, ae.aei);
    assert.equal(ae.pi, 'id-in');
    assert.equal(ae.ty, 2);
    assert.match(ae.ct, /^\d{8}T\d{6}/);
    assert.equal(a.headers.get('content-location'), ae.ri);
    const b = await m2m(base, 'POST', '/cse-in', { origin: 'Cmine', ty: 2, body: AE('mine') });
    assert.equal(b.body['m2m:ae'].aei, 'Cmine');
    const again = await m2m(base, 'POST', '/cse-in', { origin: 'Cmine', ty: 2, body: AE('mine2') });
    assert.deepEqual([again.status, again.rsc], [403, 4117]);
    const sameName = await m2m(base, 'POST', '/cse-in', { origin: 'Cother', ty: 2, body: AE('mine') });
    assert.deepEqual([sameName.status, sameName.rsc], [409, 4105]);
    assert.equal((await m2m(base, 'GET', '/cse-in/mine', { origin: 'Cmine' })).body['m2m:ae'].api, 'Nlwm2m.test');
    assert.equal((await m2m(base, 'GET', '/Cmine', { origin: 'Cmine' })).rsc, 2000, 'unstructured address of an AE');
  });

  it('refuses malformed requests with the matching status codes', async () => {
    const noApi = await m2m(base, 'POST', '/cse-in', { origin: 'Cx1', ty: 2, body: { 'm2m:ae': { rn: 'x', rr: true, srv: ['3'] } } });
    assert.deepEqual([noApi.status, noApi.rsc], [400, 4000]);
    assert.equal(typeof noApi.body['m2m:dbg'], 'string');
    const unknownAttr = await m2m(base, 'POST', '/cse-in', { origin: 'Cx1', ty: 2, body: { 'm2m:ae': { api: 'Nx', rr: true, srv: ['3'], foo: 1 } } });
    assert.equal(unknownAttr.rsc, 4000);
    const wrongName = await m2m(base, 'POST', '/cse-in', { origin: 'Cx1', ty: 2, body: { 'm2m:cnt': {} } });
    assert.equal(wrongName.rsc, 4000);
    const xml = await m2m(base, 'POST', '/cse-in', { origin: 'Cx1', body: AE('x'), contentType: 'application/xml;ty=2' });
    assert.deepEqual([xml.status, xml.rsc], [415, 4015]);
    const noTy = await m2m(base, 'POST', '/cse-in', { origin: 'Cx1', body: AE('x') });
    assert.equal(noTy.rsc, 4000);
    const badJson = await m2m(base, 'POST', '/cse-in', { origin: 'Cx1', ty: 2, rawBody: '{"m2m:ae":' });
    assert.equal(badJson.rsc, 4000);
    const noRi = await m2m(base, 'GET', '/cse-in', { ri: null });
    assert.deepEqual([noRi.status, noRi.rsc], [400, 4000]);
    const noOrigin = await m2m(base, 'GET', '/cse-in', { origin: null });
    assert.equal(noOrigin.rsc, 4000);
    const rvi = await m2m(base, 'GET', '/cse-in', { rvi: '9' });
    assert.equal(rvi.rsc, 4001);
    const missing = await m2m(base, 'GET', '/cse-in/nobody');
    assert.deepEqual([missing.status, missing.rsc], [404, 4004]);
    const patch = await m2m(base, 'PATCH', '/cse-in', { body: {} });
    assert.deepEqual([patch.status, patch.rsc], [405, 4005]);
    const delBase = await m2m(base, 'DELETE', '/cse-in');
    assert.equal(delBase.rsc, 4005);
    const big = await m2m(base, 'POST', '/cse-in', { origin: 'Cbig', ty: 2, body: { 'm2m:ae': { api: 'N' + 'x'.repeat(5000), rr: true, srv: ['3'] } } });
    assert.equal(big.rsc, 4000);
    const cinUnderCse = await m2m(base, 'POST', '/cse-in', { ty: 4, body: { 'm2m:cin': { con: 'x' } } });
    assert.deepEqual([cinUnderCse.status, cinUnderCse.rsc], [403, 4108]);
    assert.equal((await m2m(base, 'GET', '/cse-in')).rsc, 2000, 'still serving');
  });

  it('checks X-M2M-Origin: the AE itself, the originators allowed for it, the admin; no one else', async () => {
    await m2m(base, 'POST', '/cse-in', { origin: 'Cfriendly', ty: 2, body: AE('friendly') });
    const cnt = { 'm2m:cnt': { rn: 'data' } };
    assert.equal((await m2m(base, 'POST', '/cse-in/friendly', { origin: 'Cstranger', ty: 3, body: cnt })).rsc, 4103);
    assert.equal((await m2m(base, 'POST', '/cse-in/friendly', { origin: 'CFriend', ty: 3, body: cnt })).rsc, 2001);
    const stranger = await m2m(base, 'GET', '/cse-in/friendly/data', { origin: 'Cstranger' });
    assert.deepEqual([stranger.status, stranger.rsc], [403, 4103]);
    assert.equal((await m2m(base, 'GET', '/cse-in/friendly/data', { origin: 'Cfriendly' })).rsc, 2000);
    assert.equal((await m2m(base, 'GET', '/cse-in/friendly/data', { origin: 'CAdmin' })).rsc, 2000);
    assert.equal((await m2m(base, 'DELETE', '/cse-in/friendly', { origin: 'Cstranger' })).rsc, 4103);
    assert.equal((await m2m(base, 'POST', '/cse-in', { origin: 'Cstranger', ty: 3, body: cnt })).rsc, 4103, 'only the admin creates under the CSEBase');
    const del = await m2m(base, 'DELETE', '/cse-in/friendly', { origin: 'Cfriendly' });
    assert.deepEqual([del.status, del.rsc], [200, 2002]);
    assert.equal((await m2m(base, 'GET', '/cse-in/friendly/data')).rsc, 4004, 'the subtree went with the AE');
  });

  it('updates an AE (2004) and refuses read-only attributes', async () => {
    await m2m(base, 'POST', '/cse-in', { origin: 'Cupd', ty: 2, body: AE('upd') });
    const u = await m2m(base, 'PUT', '/cse-in/upd', { origin: 'Cupd', body: { 'm2m:ae': { lbl: ['offline'], poa: ['http://127.0.0.1:1/x'] } } });
    assert.deepEqual([u.status, u.rsc], [200, 2004]);
    assert.deepEqual(u.body['m2m:ae'].lbl, ['offline']);
    assert.equal((await m2m(base, 'PUT', '/cse-in/upd', { origin: 'Cupd', body: { 'm2m:ae': { api: 'Nnew' } } })).rsc, 4000);
    assert.equal((await m2m(base, 'PUT', '/cse-in/upd', { origin: 'Cupd', body: { 'm2m:ae': { ri: 'x' } } })).rsc, 4000);
  });
});
