/**
 * Which format the server uses when the caller names none, from what the client
 * announced: a 1.0 client that speaks TLV only, a 1.2 client that announced CBOR (60)
 * and LwM2M CBOR.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instance, resource } from '../../../src/lwm2m/node.js';
import type { ObjectInstanceNode } from '../../../src/lwm2m/node.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

describe('format choice over CoAP/UDP', () => {
  let fx: Fixture;
  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await fx.stop();
  });

  it('a 1.0 client that knows only TLV, text and opaque', async () => {
    const { client } = await fx.registered({ endpoint: 'fmt-10', version: '1.0', formats: [CF.TEXT, CF.OPAQUE, CF.TLV] });
    const r = await fx.server.read('fmt-10', '/3/0');
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal(r.contentFormat, CF.TLV);
    const inst = r.node as ObjectInstanceNode;
    assert.equal(inst.resources.get(1)?.kind === 'resource' ? inst.resources.get(1)!.kind : '', 'resource');
    const get = client.received.at(-1)!;
    assert.ok(get.accept === undefined || get.accept === CF.TLV, `Accept ${get.accept}`);

    const w = await fx.server.write('fmt-10', '/3311/0', instance(0, [resource(5851, 'integer', 4), resource(5750, 'string', 'tlv')]), { partial: true });
    assert.equal(w.code, '2.04', JSON.stringify(w));
    assert.equal(client.received.at(-1)!.contentFormat, CF.TLV);
    assert.equal(client.value('/3311/0/5750'), 'tlv');

    const s = await fx.server.write('fmt-10', '/3311/0/5851', resource(5851, 'integer', 6));
    assert.equal(s.code, '2.04');
    assert.equal(client.received.at(-1)!.contentFormat, CF.TEXT);
    assert.equal(client.value('/3311/0/5851'), 6);
  });

  it('a 1.2 client that announced CBOR and LwM2M CBOR', async () => {
    const { client } = await fx.registered({ endpoint: 'fmt-12', version: '1.2', contentFormats: [CF.CBOR, CF.LWM2M_CBOR] });
    const s = await fx.server.write('fmt-12', '/3311/0/5851', resource(5851, 'integer', 19));
    assert.equal(s.code, '2.04', JSON.stringify(s));
    assert.equal(client.received.at(-1)!.contentFormat, CF.CBOR);
    assert.equal(client.value('/3311/0/5851'), 19);
    const w = await fx.server.write('fmt-12', '/3311/0', instance(0, [resource(5850, 'boolean', false)]), { partial: true });
    assert.equal(w.code, '2.04', JSON.stringify(w));
    assert.equal(client.received.at(-1)!.contentFormat, CF.LWM2M_CBOR);
    assert.equal(client.value('/3311/0/5850'), false);
    const r = await fx.server.read('fmt-12', '/3311/0/5851', { format: CF.CBOR });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal((r.node as { value?: unknown }).value, 19);
  });
});
