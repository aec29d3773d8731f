/**
 * A misbehaving or quirky client: broken payloads, answers without Content-Format, TLV
 * with an extra instance wrapper, unknown resources, garbage notifications. The server
 * reports what it can, never crashes, and keeps serving the client.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectInstanceNode } from '../../../src/lwm2m/node.js';
import { CF, O, opt } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture, sleep } from './fixture.js';

describe('a misbehaving client over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const ep = 'bad-1';

  before(async () => {
    fx = await Fixture.start();
    ({ client } = await fx.registered({ endpoint: ep, version: '1.1', contentFormats: [CF.SENML_CBOR] }));
  });
  beforeEach(() => {
    client.tamper = undefined;
  });
  after(async () => {
    await fx.stop();
  });

  const stillServes = async (): Promise<void> => {
    client.tamper = undefined;
    const r = await fx.server.read(ep, '/3/0/1', { format: CF.TEXT });
    assert.equal(r.code, '2.05');
    assert.equal((r.node as { value?: unknown }).value, 'TD-1');
  };

  for (const [name, format, payload] of [
    ['truncated TLV', CF.TLV, Buffer.from('c8000548656c', 'hex')],
    ['garbage SenML CBOR', CF.SENML_CBOR, Buffer.from('9fa2ff00', 'hex')],
    ['SenML JSON that is not JSON', CF.SENML_JSON, Buffer.from('[{"n":')],
    ['LwM2M CBOR with a text key', CF.LWM2M_CBOR, Buffer.from('a1617801', 'hex')],
  ] as const) {
    it(`reports ${name} as a bad response`, async () => {
      client.tamper = (out) => ({ ...out, payload });
      const r = await fx.server.read(ep, '/3/0', { format });
      assert.equal(r.code, '2.05');
      assert.equal(r.success, false);
      assert.equal(r.error?.code, 'BAD_RESPONSE');
      await stillServes();
    });
  }

  it('passes error codes through', async () => {
    client.tamper = () => ({ code: '5.00', options: [], payload: Buffer.from('internal') });
    const r = await fx.server.read(ep, '/3/0/0');
    assert.equal(r.code, '5.00');
    assert.equal(r.success, false);
    await stillServes();
  });

  it('infers the format of an answer without Content-Format from the Accept sent', async () => {
    client.tamper = (out) => ({ ...out, options: out.options.filter((o) => o.number !== O.ContentFormat) });
    const r = await fx.server.read(ep, '/3/0', { format: CF.TLV });
    assert.equal(r.code, '2.05');
    assert.equal(r.success, true, JSON.stringify(r.error));
    const inst = r.node as ObjectInstanceNode;
    const model = inst.resources.get(1);
    assert.equal(model?.kind === 'resource' ? model.value : undefined, 'TD-1');
  });

  it('takes a single-resource TLV answer wrapped in an object instance', async () => {
    // instance 0 (length 3) holding resource 9 = 87
    client.tamper = (out) => ({ ...out, payload: Buffer.from('0300c10957', 'hex') });
    const r = await fx.server.read(ep, '/3/0/9', { format: CF.TLV });
    assert.equal(r.success, true, JSON.stringify(r.error));
    assert.equal((r.node as { value?: unknown }).value, 87);
  });

  it('keeps a resource the model does not know, flagged', async () => {
    const records = [
      { bn: '/3303/0/', n: '5700', v: 20 },
      { n: '9999', vs: 'vendor' },
    ];
    client.tamper = (out) => ({ ...out, options: [opt(O.ContentFormat, CF.SENML_JSON)], payload: Buffer.from(JSON.stringify(records)) });
    const r = await fx.server.read(ep, '/3303/0', { format: CF.SENML_JSON });
    assert.equal(r.success, true, JSON.stringify(r.error));
    const inst = r.node as ObjectInstanceNode;
    const vendor = inst.resources.get(9999);
    assert.ok(vendor, 'the unknown resource is kept');
    assert.equal(vendor.unknown, true);
  });

  it('survives a garbage notification and delivers the next good one', async () => {
    const obs = await fx.server.observe(ep, '/3303/0/5700', { format: CF.SENML_CBOR });
    assert.equal(obs.code, '2.05');
    let events = 0;
    const count = (): void => {
      events++;
    };
    fx.server.on('notification', count);
    try {
      client.tamper = (out) => (out.kind === 'notification' ? { ...out, payload: Buffer.from('ffffffff', 'hex') } : out);
      await client.set('/3303/0/5700', 1);
      await sleep(200);
      assert.equal(events, 0);
      client.tamper = undefined;
      const next = fx.event('notification', (e) => e.observation.id === obs.observationId);
      await client.set('/3303/0/5700', 2);
      const [n] = await next;
      assert.equal((n.node as { value?: unknown }).value, 2);
    } finally {
      fx.server.off('notification', count);
    }
  });
});
