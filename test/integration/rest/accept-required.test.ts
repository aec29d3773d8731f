/**
 * Regression: the REST API reads a 1.1 client that answers 5.00 to a GET without Accept
 * (built with SenML JSON as its only multi-value format, `ct=110`), and clients that know
 * only TLV or only SenML CBOR: resources and instances read (no 502), a write reads back,
 * an observation gives its value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture } from './fixture.js';
import { CF } from '../../helpers/lwm2m-test-client.js';

const CLIENTS = [
  { ep: 'rest-json', multi: CF.SENML_JSON },
  { ep: 'rest-tlv', multi: CF.TLV },
  { ep: 'rest-cbor', multi: CF.SENML_CBOR },
];

describe('REST reads of clients that need an Accept', () => {
  let f: RestFixture;

  before(async () => {
    f = await RestFixture.start();
    for (const c of CLIENTS) {
      await f.registered({ endpoint: c.ep, version: '1.1', contentFormats: [c.multi], formats: [CF.TEXT, CF.OPAQUE, c.multi], requireAccept: true });
    }
  });
  after(() => f.stop());

  for (const c of CLIENTS) {
    it(`${c.ep}: GET of /3/0/0 and /3/0 answer 200 with the values`, async () => {
      const one = await f.api('GET', `/api/devices/${c.ep}/3/0/0`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.value, 'Test Devices Ltd');
      const inst = await f.api('GET', `/api/devices/${c.ep}/3/0`);
      assert.equal(inst.status, 200, inst.text);
      assert.equal(inst.body.value['0'], 'Test Devices Ltd');
      assert.equal(inst.body.value['9'], 87);
      assert.equal(inst.body.contentFormat, c.multi);
    });

    it(`${c.ep}: a write reads back, at the resource and in its instance`, async () => {
      const w = await f.api('PUT', `/api/devices/${c.ep}/3311/0/5851`, { body: { value: 61 } });
      assert.equal(w.status, 204, w.text);
      const r = await f.api('GET', `/api/devices/${c.ep}/3311/0/5851`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.value, 61);
      const inst = await f.api('GET', `/api/devices/${c.ep}/3311/0`);
      assert.equal(inst.body.value['5851'], 61);
    });

    it(`${c.ep}: observe answers with the current value`, async () => {
      const r = await f.api('POST', `/api/devices/${c.ep}/3303/0/observe`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.value['5700'], 21.5);
      const c2 = await f.api('DELETE', `/api/devices/${c.ep}/3303/0/observe`);
      assert.equal(c2.status, 204, c2.text);
    });
  }
});
