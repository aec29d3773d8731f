/**
 * Send (POST /dp) over real UDP in SenML CBOR, SenML JSON and LwM2M CBOR, with and
 * without timestamps; Send from an unknown address and with a broken payload.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LwM2mNode } from '../../../src/lwm2m/node.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

function valueAt(nodes: Map<string, LwM2mNode>, path: string): unknown {
  const n = nodes.get(path);
  assert.ok(n, `no ${path} in ${[...nodes.keys()].join(',')}`);
  assert.equal(n.kind, 'resource');
  return (n as { value: unknown }).value;
}

describe('Send (/dp) over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const ep = 'send-1';

  before(async () => {
    fx = await Fixture.start();
    ({ client } = await fx.registered({ endpoint: ep, version: '1.2', contentFormats: [CF.SENML_CBOR] }));
  });
  after(async () => {
    await fx.stop();
  });

  for (const [name, format] of [
    ['SenML CBOR', CF.SENML_CBOR],
    ['SenML JSON', CF.SENML_JSON],
    ['LwM2M CBOR', CF.LWM2M_CBOR],
  ] as const) {
    it(`delivers the values sent in ${name}`, async () => {
      await client.set('/3303/0/5700', 19.5 + format / 1000);
      const got = fx.event('send', (e) => e.registration.endpoint === ep);
      const r = await client.send(['/3303/0/5700', '/3/0/9', '/3/0/0'], { format });
      assert.equal(r.code, '2.04');
      const [e] = await got;
      assert.equal(e.contentFormat, format);
      const nodes = new Map(e.data.flatMap((d) => [...d.nodes]));
      assert.equal(valueAt(nodes, '/3303/0/5700'), 19.5 + format / 1000);
      assert.equal(valueAt(nodes, '/3/0/9'), 87);
      assert.equal(valueAt(nodes, '/3/0/0'), 'Test Devices Ltd');
    });
  }

  it('keeps the base time of timestamped records', async () => {
    const got = fx.event('send', (e) => e.registration.endpoint === ep);
    const r = await client.send(['/3303/0/5700'], { format: CF.SENML_JSON, baseTime: 1_750_000_000 });
    assert.equal(r.code, '2.04');
    const [e] = await got;
    assert.equal(e.data.length, 1);
    assert.equal(e.data[0]!.time, 1_750_000_000);
  });

  for (const [name, format] of [
    ['SenML CBOR', CF.SENML_CBOR],
    ['SenML JSON', CF.SENML_JSON],
  ] as const) {
    it(`delivers a history of timestamped values in ${name}`, async () => {
      const t0 = 1_760_000_000;
      const got = fx.event('send', (e) => e.registration.endpoint === ep);
      const r = await client.sendHistory(
        [
          { path: '/3303/0/5700', time: t0, value: 20.5 },
          { path: '/3303/0/5700', time: t0 + 10, value: 21 },
          { path: '/3303/0/5700', time: t0 + 20, value: 21.5 },
        ],
        { format },
      );
      assert.equal(r.code, '2.04');
      const [e] = await got;
      assert.deepEqual(
        e.data.map((d) => [d.time, valueAt(d.nodes, '/3303/0/5700')]),
        [
          [t0, 20.5],
          [t0 + 10, 21],
          [t0 + 20, 21.5],
        ],
      );
    });
  }

  it('a Send larger than a block goes in Block1 blocks', async () => {
    const { client: chatty } = await fx.registered({ endpoint: 'send-blocks', version: '1.1', uplinkBlockSize: 64 });
    const got = fx.event('send', (e) => e.registration.endpoint === 'send-blocks');
    const r = await chatty.send(['/3/0', '/3303/0'], { format: CF.SENML_JSON });
    assert.equal(r.code, '2.04');
    assert.ok(chatty.uplinkBlocks > 3, `${chatty.uplinkBlocks} blocks`);
    const [e] = await got;
    const nodes = new Map(e.data.flatMap((d) => [...d.nodes]));
    assert.equal(valueAt(nodes, '/3/0/2'), 'SN-0001');
    assert.equal(valueAt(nodes, '/3303/0/5701'), 'Cel');
  });

  it('refuses a broken payload and a sender that is not registered', async () => {
    const bad = await client.request('POST', ['dp'], { contentFormat: CF.SENML_CBOR, payload: Buffer.from([0xff, 0x00, 0x13]) });
    assert.equal(bad.code, '4.00');
    const stranger = await fx.client({ endpoint: 'not-registered', version: '1.2' });
    const r = await stranger.send(['/3303/0/5700']);
    assert.equal(r.code, '4.04');
  });
});
