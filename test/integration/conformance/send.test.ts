/**
 * Send (POST /dp) from a raw device: answers on the wire for CON and NON, formats, a
 * missing Content-Format (pitfall 3), an unsupported one, a wrong method.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SendEvent } from '../../../src/lwm2m/server/index.js';
import { Fixture } from '../lwm2m/fixture.js';
import { CODE, LINKS, RawDevice, cbor, senmlCbor } from './raw-device.js';

function valueAt(e: SendEvent, path: string): unknown {
  for (const group of e.data) {
    const n = group.nodes.get(path);
    if (n?.kind === 'resource') return n.value;
  }
  return undefined;
}

describe('conformance: Send over CoAP/UDP', () => {
  let fx: Fixture;
  let d: RawDevice;

  before(async () => {
    fx = await Fixture.start();
    d = await RawDevice.open(fx.port);
    await d.register(['ep=s-dev', 'lwm2m=1.1'], LINKS);
  });
  after(async () => {
    await d.close();
    await fx.stop();
  });

  const cases: [string, number | undefined, Buffer | string][] = [
    ['SenML CBOR (112)', 112, senmlCbor([['/3303/0/5700', 21.5]])],
    ['SenML JSON (110)', 110, JSON.stringify([{ n: '/3303/0/5700', v: 21.5 }])],
    ['LwM2M CBOR (11544)', 11544, cbor(new Map([[3303, new Map([[0, new Map([[5700, 21.5]])]])]]))],
    ['SenML JSON without Content-Format', undefined, JSON.stringify([{ n: '/3303/0/5700', v: 21.5 }])],
    ['SenML CBOR without Content-Format', undefined, senmlCbor([['/3303/0/5700', 21.5]])],
  ];
  for (const [name, cf, payload] of cases) {
    it(`a CON Send in ${name}: 2.04 piggybacked, values delivered`, async () => {
      const got = fx.event('send', (e) => e.registration.endpoint === 's-dev');
      const req = d.build({ code: CODE.POST, path: ['dp'], ...(cf !== undefined ? { contentFormat: cf } : {}), payload });
      d.send(req);
      const res = await d.responseTo(req);
      assert.deepEqual([res.type, res.code, res.mid], ['ACK', '2.04', req.mid]);
      const [e] = await got;
      assert.equal(valueAt(e, '/3303/0/5700'), 21.5);
    });
  }

  it('a NON Send is answered with a NON 2.04', async () => {
    const req = d.build({ code: CODE.POST, path: ['dp'], contentFormat: 112, payload: senmlCbor([['/3303/0/5700', 1]]), type: 'NON' });
    d.send(req);
    const res = await d.next((m) => m.token.equals(req.token));
    assert.deepEqual([res.type, res.code], ['NON', '2.04']);
  });

  it('a Send in a format that cannot carry it (text) gets 4.15; GET /dp gets 4.05', async () => {
    assert.equal((await d.request({ code: CODE.POST, path: ['dp'], contentFormat: 0, payload: '21.5' })).code, '4.15');
    assert.equal((await d.request({ code: CODE.GET, path: ['dp'] })).code, '4.05');
  });
});
