/**
 * The embedded CSE's bounds over real HTTP: the resource count, labels, notification
 * targets, a malformed X-M2M-RI or target, a deeply nested body; it keeps serving after each.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { m2m } from '../../helpers/onem2m-http.js';

describe('embedded CSE: bounds', () => {
  const cse = new EmbeddedCse({ maxResources: 5 });
  let base = '';
  const O = { origin: 'Cbound' };
  before(async () => {
    await cse.start();
    base = cse.url;
    await m2m(base, 'POST', '/cse-in', { ...O, ty: 2, body: { 'm2m:ae': { rn: 'bound', api: 'Nb', rr: true, srv: ['3'] } } });
  });
  after(() => cse.stop());

  it('refuses resources beyond the count (5207)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await m2m(base, 'POST', '/cse-in/bound', { ...O, ty: 3, body: { 'm2m:cnt': {} } })).rsc);
    assert.deepEqual(codes, [2001, 2001, 2001, 5207, 5207]);
  });

  it('refuses oversized lists and malformed headers, targets and bodies', async () => {
    assert.equal((await m2m(base, 'PUT', '/cse-in/bound', { ...O, body: { 'm2m:ae': { lbl: Array(17).fill('x') } } })).rsc, 4000);
    assert.equal((await m2m(base, 'PUT', '/cse-in/bound', { ...O, body: { 'm2m:ae': { lbl: ['x'.repeat(129)] } } })).rsc, 4000);
    assert.equal((await m2m(base, 'GET', '/cse-in', { ri: 'a'.repeat(300) })).rsc, 4000);
    assert.equal((await m2m(base, 'GET', '/cse-in/%E0%A4%A')).rsc, 4000);
    assert.equal((await m2m(base, 'GET', '/cse-in' + '/x'.repeat(40))).rsc, 4000);
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    assert.equal((await m2m(base, 'PUT', '/cse-in/bound', { ...O, rawBody: `{"m2m:ae":{"lbl":${deep}}}` })).rsc, 4000);
    assert.equal((await m2m(base, 'POST', '/cse-in/bound', { ...O, ty: 99, body: { 'm2m:xyz': {} } })).rsc, 4000);
    assert.equal((await m2m(base, 'GET', '/cse-in', O)).rsc, 2000, 'still serving');
  });
});
