/**
 * flexContainers (custom attributes, containerDefinition, st on update) and discovery
 * (fu=1 with ty, lbl and rn filters, m2m:uril, drt=2, limited to what the originator may
 * retrieve) on the embedded CSE over real HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { m2m } from '../../helpers/onem2m-http.js';

describe('embedded CSE: flexContainer and discovery', () => {
  const cse = new EmbeddedCse();
  let base = '';
  const O = { origin: 'Cdev' };
  before(async () => {
    await cse.start();
    base = cse.url;
    await m2m(base, 'POST', '/cse-in', { ...O, ty: 2, body: { 'm2m:ae': { rn: 'dev', api: 'Ndev', rr: true, srv: ['3'] } } });
    await m2m(base, 'POST', '/cse-in', { origin: 'Cother', ty: 2, body: { 'm2m:ae': { rn: 'other', api: 'Nother', rr: true, srv: ['3'] } } });
    await m2m(base, 'POST', '/cse-in/other', { origin: 'Cother', ty: 3, body: { 'm2m:cnt': { rn: 'hidden', lbl: ['temp'] } } });
  });
  after(() => cse.stop());

  it('creates a flexContainer with custom attributes; an update bumps st', async () => {
    const body = { 'cod:tempe': { rn: 'temperature', cnd: 'org.onem2m.common.moduleclass.temperature', curT0: 21.5, unit: 'Cel', lbl: ['temp'] } };
    const c = await m2m(base, 'POST', '/cse-in/dev', { ...O, ty: 28, body });
    assert.equal(c.rsc, 2001);
    const f = c.body['cod:tempe'];
    assert.deepEqual([f.ty, f.curT0, f.unit, f.cnd, f.st], [28, 21.5, 'Cel', 'org.onem2m.common.moduleclass.temperature', 0]);
    const u = await m2m(base, 'PUT', '/cse-in/dev/temperature', { ...O, body: { 'cod:tempe': { curT0: 22 } } });
    assert.deepEqual([u.rsc, u.body['cod:tempe'].curT0, u.body['cod:tempe'].st], [2004, 22, 1]);
    assert.equal((await m2m(base, 'PUT', '/cse-in/dev/temperature', { ...O, body: { 'cod:other': { curT0: 22 } } })).rsc, 4000, 'another specialization');
  });

  it('refuses a flexContainer without cnd, with bad or too many custom attributes', async () => {
    assert.equal((await m2m(base, 'POST', '/cse-in/dev', { ...O, ty: 28, body: { 'cod:x': { a: 1 } } })).rsc, 4000);
    assert.equal((await m2m(base, 'POST', '/cse-in/dev', { ...O, ty: 28, body: { 'cod:x': { cnd: 'c', a: { nested: 1 } } } })).rsc, 4000);
    const many: Record<string, unknown> = { cnd: 'c' };
    for (let i = 0; i < 40; i++) many[`a${i}`] = i;
    assert.equal((await m2m(base, 'POST', '/cse-in/dev', { ...O, ty: 28, body: { 'cod:x': many } })).rsc, 4000);
    assert.equal((await m2m(base, 'POST', '/cse-in/dev', { ...O, ty: 28, body: { 'm2m:cnt': { cnd: 'c' } } })).rsc, 4000);
  });

  it('discovers by ty, lbl and rn; answers m2m:uril; only what the originator may retrieve', async () => {
    await m2m(base, 'POST', '/cse-in/dev', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'a', lbl: ['temp', 'x'] } } });
    await m2m(base, 'POST', '/cse-in/dev', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'b', lbl: ['hum'] } } });
    await m2m(base, 'POST', '/cse-in/dev/a', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'b', lbl: ['temp'] } } });
    const byTy = await m2m(base, 'GET', '/cse-in/dev?fu=1&ty=3', O);
    assert.equal(byTy.rsc, 2000);
    assert.deepEqual(byTy.body['m2m:uril'], ['cse-in/dev/a', 'cse-in/dev/a/b', 'cse-in/dev/b']);
    const byLbl = await m2m(base, 'GET', '/cse-in?fu=1&lbl=temp', O);
    assert.deepEqual(byLbl.body['m2m:uril'], ['cse-in/dev/temperature', 'cse-in/dev/a', 'cse-in/dev/a/b'], 'not the other AE\'s container');
    const admin = await m2m(base, 'GET', '/cse-in?fu=1&lbl=temp', { origin: 'CAdmin' });
    assert.ok(admin.body['m2m:uril'].includes('cse-in/other/hidden'));
    const byRn = await m2m(base, 'GET', '/cse-in/dev?fu=1&rn=b&ty=3', O);
    assert.deepEqual(byRn.body['m2m:uril'], ['cse-in/dev/a/b', 'cse-in/dev/b']);
    const both = await m2m(base, 'GET', '/cse-in/dev?fu=1&ty=28&ty=2&lbl=temp', O);
    assert.deepEqual(both.body['m2m:uril'], ['cse-in/dev/temperature']);
    const ris = await m2m(base, 'GET', '/cse-in/dev?fu=1&rn=a&drt=2', O);
    assert.match(ris.body['m2m:uril'][0], /^cnt[0-9a-f]{12}$/);
    const lim = await m2m(base, 'GET', '/cse-in/dev?fu=1&ty=3&lim=1', O);
    assert.equal(lim.body['m2m:uril'].length, 1);
    assert.equal((await m2m(base, 'GET', '/cse-in/dev?fu=1&ty=abc', O)).rsc, 4000);
    assert.equal((await m2m(base, 'GET', '/cse-in/other?fu=1', O)).rsc, 4103);
  });
});
