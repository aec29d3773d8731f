/**
 * Composite operations over real UDP: Read-Composite (FETCH), Write-Composite (iPATCH,
 * all or nothing) and Observe-Composite, in SenML JSON, SenML CBOR and LwM2M CBOR.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource } from '../../../src/lwm2m/node.js';
import type { LwM2mNode } from '../../../src/lwm2m/node.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

function valueAt(nodes: Map<string, LwM2mNode | null> | undefined, path: string): unknown {
  const n = nodes?.get(path);
  assert.ok(n, `no node for ${path} in ${[...(nodes?.keys() ?? [])].join(',')}`);
  assert.equal(n.kind, 'resource');
  return (n as { value: unknown }).value;
}

const FORMATS = [
  ['SenML JSON', CF.SENML_JSON],
  ['SenML CBOR', CF.SENML_CBOR],
  ['LwM2M CBOR', CF.LWM2M_CBOR],
] as const;

describe('composite operations over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const ep = 'comp-1';

  before(async () => {
    fx = await Fixture.start();
    ({ client } = await fx.registered({ endpoint: ep, version: '1.2', contentFormats: [CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR] }));
  });
  after(async () => {
    await fx.stop();
  });

  for (const [name, format] of FORMATS) {
    it(`reads several paths at once, answered in ${name}`, async () => {
      const from = client.received.length;
      const r = await fx.server.readComposite(ep, ['/3/0/0', '/3303/0/5700', '/3/0/9'], { format });
      assert.equal(r.code, '2.05', JSON.stringify(r.error));
      assert.equal(valueAt(r.nodes, '/3/0/0'), 'Test Devices Ltd');
      assert.equal(valueAt(r.nodes, '/3303/0/5700'), client.value('/3303/0/5700'));
      assert.equal(valueAt(r.nodes, '/3/0/9'), client.value('/3/0/9'));
      const req = await client.waitForRequest((q) => q.method === 'FETCH', { from });
      assert.equal(req.accept, format);
      assert.equal(req.path, '/');
    });

    it(`writes several resources at once in ${name}`, async () => {
      const nodes = new Map<string, LwM2mNode | null>([
        ['/3311/0/5851', resource(5851, 'integer', format % 100)],
        ['/3311/0/5750', resource(5750, 'string', `composite ${name}`)],
      ]);
      const w = await fx.server.writeComposite(ep, nodes, { format });
      assert.equal(w.code, '2.04', JSON.stringify(w));
      assert.equal(client.value('/3311/0/5851'), format % 100);
      assert.equal(client.value('/3311/0/5750'), `composite ${name}`);
      assert.equal(client.received.at(-1)!.method, 'iPATCH');
      assert.equal(client.received.at(-1)!.contentFormat, format);
    });
  }

  it('a composite write with one read-only target changes nothing', async () => {
    const before = client.value('/3311/0/5851');
    const nodes = new Map<string, LwM2mNode | null>([
      ['/3311/0/5851', resource(5851, 'integer', 999)],
      ['/3/0/0', resource(0, 'string', 'not writable')],
    ]);
    const w = await fx.server.writeComposite(ep, nodes, { format: CF.SENML_CBOR });
    assert.equal(w.code, '4.05');
    assert.equal(w.success, false);
    assert.equal(client.value('/3311/0/5851'), before);
    assert.equal(client.value('/3/0/0'), 'Test Devices Ltd');
  });

  it('observes several paths at once and cancels', async () => {
    const r = await fx.server.observeComposite(ep, ['/3303/0/5700', '/3311/0/5850'], { format: CF.SENML_CBOR });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.ok(r.observationId);
    assert.equal(client.observations().find((o) => o.composite)?.paths.length, 2);
    const next = fx.event('notification', (e) => e.observation.id === r.observationId);
    await client.set('/3303/0/5700', 30.5);
    const [n] = await next;
    assert.equal(valueAt(n.nodes, '/3303/0/5700'), 30.5);
    assert.equal(valueAt(n.nodes, '/3311/0/5850'), client.value('/3311/0/5850'));

    const c = await fx.server.cancelObservation(ep, r.observationId!);
    assert.equal(c.success, true, JSON.stringify(c));
    const req = client.received.at(-1)!;
    assert.equal(req.method, 'FETCH');
    assert.equal(req.observe, 1);
    assert.equal(client.observations().some((o) => o.composite), false);
  });
});
