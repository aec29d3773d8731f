/**
 * Containers and contentInstances on the embedded CSE over real HTTP: cni/cbs/st counters,
 * mni and mbs dropping the oldest instances, the CSE's caps, la and ol, cs and st on the
 * instance, 5207 for content too large, 4005 for an update of an instance.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { m2m } from '../../helpers/onem2m-http.js';

describe('embedded CSE: container and contentInstance', () => {
  const cse = new EmbeddedCse({ maxInstances: 10, maxBytes: 100 });
  let base = '';
  const O = { origin: 'Cmeter' };
  before(async () => {
    await cse.start();
    base = cse.url;
    await m2m(base, 'POST', '/cse-in', { ...O, ty: 2, body: { 'm2m:ae': { rn: 'meter', api: 'Nmeter', rr: false, srv: ['3'] } } });
  });
  after(() => cse.stop());

  const cin = (path: string, con: unknown, cnf?: string): ReturnType<typeof m2m> =>
    m2m(base, 'POST', path, { ...O, ty: 4, body: { 'm2m:cin': { con, ...(cnf ? { cnf } : {}) } } });

  it('keeps at most mni instances, the oldest dropped; la and ol follow', async () => {
    const c = await m2m(base, 'POST', '/cse-in/meter', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'temp', mni: 3, lbl: ['t'] } } });
    assert.equal(c.rsc, 2001);
    assert.deepEqual([c.body['m2m:cnt'].cni, c.body['m2m:cnt'].cbs, c.body['m2m:cnt'].st, c.body['m2m:cnt'].mni], [0, 0, 0, 3]);
    for (let i = 1; i <= 5; i++) {
      const r = await cin('/cse-in/meter/temp', `v${i}`, 'text/plain:0');
      assert.equal(r.rsc, 2001);
      assert.equal(r.body['m2m:cin'].st, i);
      assert.equal(r.body['m2m:cin'].cs, 2);
      assert.equal(r.body['m2m:cin'].cnf, 'text/plain:0');
    }
    const cnt = (await m2m(base, 'GET', '/cse-in/meter/temp', O)).body['m2m:cnt'];
    assert.deepEqual([cnt.cni, cnt.cbs, cnt.st], [3, 6, 5]);
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/temp/la', O)).body['m2m:cin'].con, 'v5');
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/temp/ol', O)).body['m2m:cin'].con, 'v3');
    assert.equal((await m2m(base, 'DELETE', '/cse-in/meter/temp/la', O)).rsc, 2002);
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/temp/la', O)).body['m2m:cin'].con, 'v4');
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/temp', O)).body['m2m:cnt'].cni, 2);
  });

  it('drops the oldest to stay within mbs and refuses content larger than mbs (5207)', async () => {
    await m2m(base, 'POST', '/cse-in/meter', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'bytes', mbs: 10 } } });
    await cin('/cse-in/meter/bytes', 'aaaa');
    await cin('/cse-in/meter/bytes', 'bbbb');
    await cin('/cse-in/meter/bytes', 'cccc');
    const cnt = (await m2m(base, 'GET', '/cse-in/meter/bytes', O)).body['m2m:cnt'];
    assert.deepEqual([cnt.cni, cnt.cbs], [2, 8]);
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/bytes/ol', O)).body['m2m:cin'].con, 'bbbb');
    const tooBig = await cin('/cse-in/meter/bytes', 'x'.repeat(11));
    assert.deepEqual([tooBig.status, tooBig.rsc], [406, 5207]);
  });

  it('caps mni and mbs at the CSE bounds; lowering mni by update trims', async () => {
    const c = await m2m(base, 'POST', '/cse-in/meter', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'capped', mni: 1_000_000, mbs: 1_000_000 } } });
    assert.deepEqual([c.body['m2m:cnt'].mni, c.body['m2m:cnt'].mbs], [10, 100]);
    for (let i = 0; i < 12; i++) await cin('/cse-in/meter/capped', String(i));
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/capped', O)).body['m2m:cnt'].cni, 10);
    const u = await m2m(base, 'PUT', '/cse-in/meter/capped', { ...O, body: { 'm2m:cnt': { mni: 2 } } });
    assert.deepEqual([u.rsc, u.body['m2m:cnt'].cni, u.body['m2m:cnt'].mni], [2004, 2, 2]);
  });

  it('refuses an update of an instance, la on an AE, instances without con', async () => {
    const r = await cin('/cse-in/meter/temp', 'x');
    const ri = r.body['m2m:cin'].ri as string;
    const upd = await m2m(base, 'PUT', `/${ri}`, { ...O, body: { 'm2m:cin': { con: 'y' } } });
    assert.deepEqual([upd.status, upd.rsc], [405, 4005]);
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/la', O)).rsc, 4004);
    assert.equal((await m2m(base, 'GET', '/cse-in/meter/temp/la/x', O)).rsc, 4004);
    assert.equal((await m2m(base, 'POST', '/cse-in/meter/temp', { ...O, ty: 4, body: { 'm2m:cin': { cnf: 'text/plain:0' } } })).rsc, 4000);
    assert.equal((await m2m(base, 'POST', '/cse-in/meter/temp', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'la' } } })).rsc, 4000);
    assert.equal((await m2m(base, 'POST', '/cse-in/meter/temp', { ...O, ty: 3, body: { 'm2m:cnt': { mni: -1 } } })).rsc, 4000);
  });
});
