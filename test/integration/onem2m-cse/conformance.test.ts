/**
 * The embedded CSE refuses what an independent, complete CSE (ACME's attribute policies and
 * resource validation) refuses, so that the IPE's tests catch a request such a CSE would
 * not take: a missing X-M2M-RVI, App-ID forms, empty optional lists, a malformed et, contentInfo format, a content that is not a
 * string, subscription criteria (chty a possible child type, nct with net); and `chty`
 * narrows child-created/deleted notifications to the types it names.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { m2m, NotificationReceiver } from '../../helpers/onem2m-http.js';

describe('embedded CSE: what an independent CSE refuses', () => {
  const cse = new EmbeddedCse();
  const rx = new NotificationReceiver();
  let base = '';
  let nu = '';
  const O = { origin: 'Cconf' };
  const ae = (body: Record<string, unknown>, origin = 'Cx'): Promise<{ rsc: number }> => m2m(base, 'POST', '/cse-in', { origin, ty: 2, body: { 'm2m:ae': { rr: true, srv: ['3'], ...body } } });
  before(async () => {
    await cse.start();
    base = cse.url;
    nu = await rx.start();
    assert.equal((await ae({ rn: 'conf', api: 'Nconf' }, 'Cconf')).rsc, 2001);
    await m2m(base, 'POST', '/cse-in/conf', { ...O, ty: 3, body: { 'm2m:cnt': { rn: 'box' } } });
  });
  after(async () => {
    await cse.stop();
    await rx.stop();
  });

  it('App-ID: N<name> or R<registered, dotted>; lists present are not empty', async () => {
    assert.equal((await ae({ api: 'Rshort' }, 'Ca1')).rsc, 4000, 'a registered App-ID has dotted parts');
    assert.equal((await ae({ api: 'N' }, 'Ca2')).rsc, 4000, 'two characters at least');
    assert.equal((await ae({ api: 'xapp' }, 'Ca3')).rsc, 4000);
    assert.equal((await ae({ api: 'Rorg.example.app' }, 'Ca4')).rsc, 2001);
    assert.equal((await ae({ api: 'Nx1', lbl: [] }, 'Ca5')).rsc, 4000, 'lbl [] is refused');
    assert.equal((await ae({ api: 'Nx1', poa: [] }, 'Ca6')).rsc, 4000, 'poa [] is refused');
    assert.equal((await ae({ api: 'Nx1', rr: true, srv: undefined }, 'Ca7')).rsc, 4000, 'srv is mandatory');
  });

  it('headers: X-M2M-RVI is required (no RVI is release 1: 4001); et is a oneM2M timestamp', async () => {
    const none = await m2m(base, 'GET', '/cse-in', { ...O, rvi: null });
    assert.deepEqual([none.status, none.rsc], [400, 4001]);
    assert.equal((await m2m(base, 'GET', '/cse-in', { ...O, rvi: '4' })).rsc, 2000);
    const et = (v: string): Promise<{ rsc: number }> => m2m(base, 'POST', '/cse-in/conf', { ...O, ty: 3, body: { 'm2m:cnt': { et: v } } });
    assert.equal((await et('2030-01-01T00:00:00Z')).rsc, 4000);
    assert.equal((await et('20300101T000000')).rsc, 2001);
  });

  it('contentInstance: con a string, cnf type/subtype:encoding', async () => {
    const cin = (body: Record<string, unknown>): Promise<{ rsc: number }> => m2m(base, 'POST', '/cse-in/conf/box', { ...O, ty: 4, body: { 'm2m:cin': body } });
    assert.equal((await cin({ con: 21.5 })).rsc, 4000);
    assert.equal((await cin({ con: { v: 1 } })).rsc, 4000);
    assert.equal((await cin({ con: '1', cnf: 'text/plain' })).rsc, 4000, 'the encoding is missing');
    assert.equal((await cin({ con: '1', cnf: 'text/plain:7' })).rsc, 4000);
    assert.equal((await cin({ con: '1', cnf: 'application/senml+json:0' })).rsc, 2001);
    assert.equal((await cin({ con: '1', cnf: 'application/json:0:1' })).rsc, 2001);
  });

  it('subscription: chty names possible children, nct goes with net; chty narrows the notifications', async () => {
    const sub = (body: Record<string, unknown>): Promise<{ rsc: number }> => m2m(base, 'POST', '/cse-in/conf/box', { ...O, ty: 23, body: { 'm2m:sub': { nu: [nu], ...body } } });
    assert.equal((await sub({ enc: { net: [3], chty: [28] } })).rsc, 4000, 'a container has no flexContainer child');
    assert.equal((await sub({ enc: { net: [3] }, nct: 2 })).rsc, 4000, 'modified attributes only go with an update');
    assert.equal((await sub({ enc: { net: [3], foo: 1 } })).rsc, 4000);
    assert.equal((await sub({ rn: 'subs-only', enc: { net: [3, 4], chty: [23] } })).rsc, 2001);
    await m2m(base, 'POST', '/cse-in/conf/box', { ...O, ty: 4, body: { 'm2m:cin': { con: 'not for chty 23' } } });
    assert.equal((await sub({ rn: 'other', enc: { net: [1] } })).rsc, 2001);
    const created = await rx.waitFor((n) => n.body['m2m:sgn']?.nev?.net === 3);
    assert.equal(created.body['m2m:sgn'].nev.rep['m2m:sub'].rn, 'other');
    assert.equal((await m2m(base, 'DELETE', '/cse-in/conf/box/other', O)).rsc, 2002);
    const deleted = await rx.waitFor((n) => n.body['m2m:sgn']?.nev?.net === 4);
    assert.equal(deleted.body['m2m:sgn'].nev.rep['m2m:sub'].rn, 'other');
    assert.ok(!rx.received.some((n) => n.body['m2m:sgn']?.nev?.rep?.['m2m:cin']), 'no contentInstance reached a chty [23] subscriber');
    assert.equal((await m2m(base, 'PUT', '/cse-in/conf/box/subs-only', { ...O, body: { 'm2m:sub': { nct: 2 } } })).rsc, 4000, 'an update is checked too');
  });
});
