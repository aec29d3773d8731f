/**
 * Content formats a server must accept in answers (LWM2M-NOTES "Content formats": "Servers
 * must accept all", legacy numbers of old clients) and root-link variants that decide the
 * paths and formats the gateway uses, from a raw device.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LwM2mNode } from '../../../src/lwm2m/node.js';
import { Fixture } from '../lwm2m/fixture.js';
import { RawDevice, cbor as encode, uriPath } from './raw-device.js';

/** TLV of /3303/0/5700 = 21.5 (resource, 16-bit id, 8-byte float). */
const TLV_5700 = (() => {
  const f = Buffer.alloc(8);
  f.writeDoubleBE(21.5);
  return Buffer.concat([Buffer.from([0xe8, 0x16, 0x44, 8]), f]);
})();

function valueOf(node: LwM2mNode | undefined): unknown {
  if (node?.kind === 'resource') return node.value;
  if (node?.kind === 'instance') {
    const r = node.resources.get(5700);
    return r?.kind === 'resource' ? r.value : undefined;
  }
  return undefined;
}

describe('conformance: content formats and root links over CoAP/UDP', () => {
  let fx: Fixture;
  let d: RawDevice;

  before(async () => {
    fx = await Fixture.start();
    d = await RawDevice.open(fx.port);
    await d.register(['ep=f-dev', 'lwm2m=1.0', 'lt=300'], '</1/0>,</3/0>,</3303/0>');
  });
  after(async () => {
    await d.close();
    await fx.stop();
  });

  const answers: [string, number, Buffer | string][] = [
    ['text (0)', 0, '21.5'],
    ['legacy text (1541)', 1541, '21.5'],
    ['TLV (11542)', 11542, TLV_5700],
    ['legacy TLV (1542)', 1542, TLV_5700],
    ['OMA JSON (11543)', 11543, JSON.stringify({ bn: '/3303/0/5700', e: [{ n: '', v: 21.5 }] })],
    ['legacy OMA JSON (1543)', 1543, JSON.stringify({ bn: '/3303/0/5700', e: [{ n: '', v: 21.5 }] })],
    ['SenML JSON (110)', 110, JSON.stringify([{ n: '/3303/0/5700', v: 21.5 }])],
    ['CBOR (60)', 60, Buffer.from([0xf9, 0x4d, 0x60])], // half float 21.5
    ['SenML CBOR (112)', 112, encode([new Map<number, unknown>([[0, '/3303/0/5700'], [2, 21.5]])])],
    ['LwM2M CBOR nested maps (11544)', 11544, encode(new Map([[3303, new Map([[0, new Map([[5700, 21.5]])]])]]))],
    ['LwM2M CBOR with an array key (11544)', 11544, encode(new Map([[[3303, 0, 5700], 21.5]]))],
  ];
  for (const [name, cf, payload] of answers) {
    it(`a resource read answered in ${name} is decoded`, async () => {
      const pending = fx.server.read('f-dev', '/3303/0/5700');
      const get = await d.nextRequest();
      d.answer(get, '2.05', { contentFormat: cf, payload });
      const r = await pending;
      assert.equal(r.code, '2.05', JSON.stringify(r.error));
      assert.equal(valueOf(r.node), 21.5, JSON.stringify(r.node, (_k, v: unknown) => (v instanceof Map ? [...v] : v)));
    });
  }

  it('an alternate path of several segments, given with a trailing slash, prefixes device management', async () => {
    const dev = await RawDevice.open(fx.port);
    try {
      await dev.register(['ep=f-alt2', 'lwm2m=1.1'], '</a/b/>;rt="oma.lwm2m";ct=110,</a/b/1/0>,</a/b/3/0>');
      assert.equal(fx.server.getRegistration('f-alt2')?.rootPath, '/a/b');
      const pending = fx.server.read('f-alt2', '/3/0/0', { format: 0 });
      const get = await dev.nextRequest();
      assert.equal(uriPath(get), '/a/b/3/0/0');
      dev.answer(get, '2.05', { contentFormat: 0, payload: 'X' });
      assert.equal((await pending).code, '2.05');
    } finally {
      await dev.close();
    }
  });

  it('the root link need not come first: ct is still read from it', async () => {
    const dev = await RawDevice.open(fx.port);
    try {
      await dev.register(['ep=f-rootlast', 'lwm2m=1.1'], '</1/0>,</3/0>,</>;rt="oma.lwm2m";ct=112');
      assert.deepEqual(fx.server.getRegistration('f-rootlast')?.contentFormats, [112]);
      assert.equal(fx.server.getRegistration('f-rootlast')?.rootPath, '/');
    } finally {
      await dev.close();
    }
  });
});
