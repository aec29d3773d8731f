/**
 * Subscriptions on the embedded CSE over real HTTP: the verification request on creation
 * (X-M2M-Origin the CSE-ID, vrq/sur/cr), a refusing target (no subscription), and the
 * notifications m2m:sgn with nev/rep/net and sur for net 1 (update), 3 (child created),
 * 4 (child deleted), 2 (deleted); an AE-ID as target reaches the AE's poa.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { m2m, NotificationReceiver } from '../../helpers/onem2m-http.js';

describe('embedded CSE: subscriptions and notifications', () => {
  const cse = new EmbeddedCse();
  const rx = new NotificationReceiver();
  let base = '';
  let nu = '';
  const O = { origin: 'Capp' };
  before(async () => {
    await cse.start();
    base = cse.url;
    nu = await rx.start();
    await m2m(base, 'POST', '/cse-in', { ...O, ty: 2, body: { 'm2m:ae': { rn: 'app', api: 'Napp', rr: true, srv: ['3'], poa: [nu] } } });
    await m2m(base, 'POST', '/cse-in/app', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'cmd' } } });
  });
  after(async () => {
    await cse.stop();
    await rx.stop();
  });

  it('sends the verification request on creation and notifies a new instance (net 3)', async () => {
    const s = await m2m(base, 'POST', '/cse-in/app/cmd', { ...O, ty: 23, body: { 'm2m:sub': { rn: 'sub1', nu: [nu], enc: { net: [3] } } } });
    assert.equal(s.rsc, 2001);
    const sub = s.body['m2m:sub'];
    const vrq = rx.received.find((n) => n.body['m2m:sgn']?.vrq === true);
    assert.ok(vrq, 'verification request received');
    assert.equal(vrq.headers['x-m2m-origin'], '/id-in');
    assert.ok(vrq.headers['x-m2m-ri']);
    assert.equal(vrq.body['m2m:sgn'].sur, `/id-in/${sub.ri}`);
    assert.equal(vrq.body['m2m:sgn'].cr, 'Capp');
    await m2m(base, 'POST', '/cse-in/app/cmd', { ...O, ty: 4, body: { 'm2m:cin': { con: 'on' } } });
    const n = await rx.waitFor((x) => x.body['m2m:sgn']?.nev?.net === 3);
    assert.equal(n.body['m2m:sgn'].nev.rep['m2m:cin'].con, 'on');
    assert.equal(n.body['m2m:sgn'].sur, `/id-in/${sub.ri}`);
    assert.equal(n.headers['content-type'], 'application/json');
  });

  it('refuses the subscription when the target does not accept the verification', async () => {
    rx.refuse = true;
    try {
      const s = await m2m(base, 'POST', '/cse-in/app/cmd', { ...O, ty: 23, body: { 'm2m:sub': { rn: 'sub2', nu: [nu] } } });
      assert.equal(s.rsc, 4101);
      assert.equal((await m2m(base, 'GET', '/cse-in/app/cmd/sub2', O)).rsc, 4004);
      const unreachable = await m2m(base, 'POST', '/cse-in/app/cmd', { ...O, ty: 23, body: { 'm2m:sub': { rn: 'sub3', nu: ['http://127.0.0.1:1/none'] } } });
      assert.deepEqual([unreachable.status, unreachable.rsc], [500, 5204]);
    } finally {
      rx.refuse = false;
    }
  });

  it('notifies an update (net 1, the default), deletions (net 4, net 2); an AE-ID target uses its poa without verification', async () => {
    await m2m(base, 'POST', '/cse-in/app', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'watched' } } });
    const before = rx.received.length;
    const s = await m2m(base, 'POST', '/cse-in/app/watched', { ...O, ty: 23, body: { 'm2m:sub': { rn: 's', nu: ['Capp'] } } });
    assert.equal(s.rsc, 2001);
    assert.equal(rx.received.length, before, 'no verification for the subscriber itself');
    await m2m(base, 'PUT', '/cse-in/app/watched', { ...O, body: { 'm2m:cnt': { lbl: ['changed'] } } });
    const upd = await rx.waitFor((x) => x.body['m2m:sgn']?.nev?.net === 1);
    assert.deepEqual(upd.body['m2m:sgn'].nev.rep['m2m:cnt'].lbl, ['changed']);
    await m2m(base, 'POST', '/cse-in/app', { ...O, ty: 23, body: { 'm2m:sub': { rn: 'children', nu: ['Capp'], enc: { net: [4] } } } });
    await m2m(base, 'PUT', '/cse-in/app/watched/s', { ...O, body: { 'm2m:sub': { enc: { net: [2] } } } });
    assert.equal((await m2m(base, 'DELETE', '/cse-in/app/watched', O)).rsc, 2002);
    const gone = await rx.waitFor((x) => x.body['m2m:sgn']?.nev?.net === 2);
    assert.equal(gone.body['m2m:sgn'].nev.rep['m2m:cnt'].rn, 'watched');
    const child = await rx.waitFor((x) => x.body['m2m:sgn']?.nev?.net === 4);
    assert.equal(child.body['m2m:sgn'].nev.rep['m2m:cnt'].rn, 'watched');
  });

  it('refuses malformed subscriptions', async () => {
    assert.equal((await m2m(base, 'POST', '/cse-in/app', { ...O, ty: 23, body: { 'm2m:sub': { rn: 'x' } } })).rsc, 4000);
    assert.equal((await m2m(base, 'POST', '/cse-in/app', { ...O, ty: 23, body: { 'm2m:sub': { nu: ['Capp'], enc: { net: [9] } } } })).rsc, 4000);
    assert.equal((await m2m(base, 'POST', '/cse-in/app', { ...O, ty: 23, body: { 'm2m:sub': { nu: Array(9).fill('Capp') } } })).rsc, 4000);
  });
});
