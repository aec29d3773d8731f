/**
 * Conformance of Register / Update / De-register over real UDP, seen byte by byte from a
 * raw device (LWM2M-NOTES "Registration", pitfalls 1, 10, 11, 12; RFC 7252 message layer).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Registration } from '../../../src/lwm2m/server/index.js';
import { Fixture, sleep } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, getStrings, uriPath } from './raw-device.js';

describe('conformance: registration over CoAP/UDP', () => {
  let fx: Fixture;
  const devices: RawDevice[] = [];
  const device = async (): Promise<RawDevice> => {
    const d = await RawDevice.open(fx.port);
    devices.push(d);
    return d;
  };

  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await fx.stop();
  });

  it('2.01 piggybacked in the ACK: same MID and token, Location-Path rd/<id>, address recorded', async () => {
    const d = await device();
    const req = d.build({ code: CODE.POST, path: ['rd'], query: ['ep=c-wire', 'lt=300', 'lwm2m=1.1'], contentFormat: 40, payload: LINKS });
    d.send(req);
    const res = await d.responseTo(req);
    assert.deepEqual([res.type, res.code, res.mid, res.token.toString('hex')], ['ACK', '2.01', req.mid, req.token.toString('hex')]);
    const loc = getStrings(res, O.LocationPath);
    const reg = fx.server.getRegistration('c-wire');
    assert.ok(reg);
    assert.deepEqual(loc, ['rd', reg.id]);
    assert.equal(reg.peer.port, d.port);
    assert.equal(res.payload.length, 0);
    assert.equal(getStrings(res, O.LocationQuery).length, 0);
  });

  it('versions: 1.2 accepted (pitfall 12), missing lwm2m is 1.0, another x.y gets 4.12, garbage 4.00', async () => {
    const d = await device();
    const cases: [string, string | undefined, string][] = [
      ['c-v12', 'lwm2m=1.2', '2.01'],
      ['c-vnone', undefined, '2.01'],
      ['c-v13', 'lwm2m=1.3', '4.12'],
      ['c-v20', 'lwm2m=2.0', '4.12'],
      ['c-v09', 'lwm2m=0.9', '4.12'],
      ['c-vbad', 'lwm2m=1', '4.00'],
      ['c-vbad2', 'lwm2m=v1.1', '4.00'],
    ];
    for (const [ep, v, code] of cases) {
      const res = await d.request({ code: CODE.POST, path: ['rd'], query: [`ep=${ep}`, ...(v ? [v] : [])], contentFormat: 40, payload: LINKS });
      assert.equal(res.code, code, `${ep} ${v}`);
      assert.equal(res.type, 'ACK');
    }
    assert.equal(fx.server.getRegistration('c-v12')?.version, '1.2');
    assert.equal(fx.server.getRegistration('c-vnone')?.version, '1.0');
    for (const ep of ['c-v13', 'c-v20', 'c-v09', 'c-vbad', 'c-vbad2']) assert.equal(fx.server.getRegistration(ep), undefined, ep);
  });

  it('ct list variants on the root link: bare, quoted, quoted list, unquoted with spaces (pitfall 1)', async () => {
    const d = await device();
    const cases: [string, number[]][] = [
      ['ct=110', [110]],
      ['ct="112"', [112]],
      ['ct="110 112"', [110, 112]],
      ['ct=110 112', [110, 112]],
      ['ct="110 112 11544"', [110, 112, 11544]],
    ];
    let i = 0;
    for (const [ct, want] of cases) {
      const ep = `c-ct${i++}`;
      await d.register([`ep=${ep}`, 'lwm2m=1.1'], `</>;rt="oma.lwm2m";${ct},</1/0>,</3/0>`);
      assert.deepEqual([...(fx.server.getRegistration(ep)?.contentFormats ?? [])].sort((a, b) => a - b), want, ct);
    }
  });

  it('lenient object links: spaces after commas, trailing slashes, quoted and bare ver, unknown objects kept', async () => {
    const d = await device();
    await d.register(['ep=c-links', 'lwm2m=1.1'], '</>;rt="oma.lwm2m", </1/0/>, </3/0/>,</3303>;ver="1.1", </3311/0>;ver=1.2, </40000/3>');
    const reg = fx.server.getRegistration('c-links');
    assert.ok(reg);
    assert.deepEqual([...reg.objects.keys()].sort((a, b) => a - b), [1, 3, 3303, 3311, 40000]);
    assert.deepEqual(reg.objects.get(3)?.instances, [0]);
    assert.equal(reg.objects.get(3303)?.version, '1.1');
    assert.equal(reg.objects.get(3311)?.version, '1.2');
    assert.deepEqual(reg.objects.get(40000)?.instances, [3]);
  });

  it('a Register without Content-Format whose payload is link-format is accepted (pitfall 3)', async () => {
    const d = await device();
    const res = await d.request({ code: CODE.POST, path: ['rd'], query: ['ep=c-nocf', 'lwm2m=1.1'], payload: LINKS });
    assert.equal(res.code, '2.01');
    assert.deepEqual([...(fx.server.getRegistration('c-nocf')?.objects.keys() ?? [])].sort((a, b) => a - b), [1, 3, 3303]);
  });

  it(
    'a Register with a Content-Format the server does not take (application/json) gets 4.15',
    async () => {
      const d = await device();
      const res = await d.request({ code: CODE.POST, path: ['rd'], query: ['ep=c-json'], contentFormat: 50, payload: '{"objects":[3]}' });
      assert.equal(res.code, '4.15');
      assert.equal(fx.server.getRegistration('c-json'), undefined);
    },
  );

  it('alternate path: Register and Update stay on /rd, device management goes below the prefix; /prefix/rd is 4.04', async () => {
    const d = await device();
    const wrong = await d.request({ code: CODE.POST, path: ['lwm2m', 'rd'], query: ['ep=c-alt'], contentFormat: 40, payload: '</lwm2m>;rt="oma.lwm2m",</lwm2m/3/0>' });
    assert.equal(wrong.code, '4.04');
    const id = await d.register(['ep=c-alt', 'lwm2m=1.1'], '</lwm2m>;rt="oma.lwm2m";ct=110,</lwm2m/1/0>,</lwm2m/3/0>');
    const read = fx.server.read('c-alt', '/3/0/0');
    const get = await d.nextRequest();
    assert.equal(uriPath(get), '/lwm2m/3/0/0');
    d.answer(get, '2.05', { contentFormat: 0, payload: 'ACME' });
    assert.equal((await read).code, '2.05');
    const upd = await d.request({ code: CODE.POST, path: ['rd', id], query: ['lt=500'] });
    assert.equal(upd.code, '2.04');
    assert.equal(fx.server.getRegistration('c-alt')?.rootPath, '/lwm2m');
    assert.equal((await d.request({ code: CODE.POST, path: ['lwm2m', 'rd', id] })).code, '4.04');
  });

  it('Update with PUT is accepted like POST (pitfall 11)', async () => {
    const d = await device();
    const id = await d.register(['ep=c-put', 'lt=300', 'lwm2m=1.0'], LINKS);
    const res = await d.request({ code: CODE.PUT, path: ['rd', id], query: ['lt=600'] });
    assert.equal(res.code, '2.04');
    assert.equal(fx.server.getRegistration('c-put')?.lifetime, 600);
  });

  it('Update carrying ep is accepted and cannot rename the registration (pitfall 11)', async () => {
    const d = await device();
    const id = await d.register(['ep=c-epu', 'lt=300'], LINKS);
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id], query: ['ep=c-epu', 'lt=400'] })).code, '2.04');
    assert.equal(fx.server.getRegistration('c-epu')?.lifetime, 400);
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id], query: ['ep=someone-else'] })).code, '2.04');
    assert.equal(fx.server.getRegistration('c-epu')?.id, id);
    assert.equal(fx.server.getRegistration('someone-else'), undefined);
  });

  it('Update with an object list replaces the whole list (removed objects are gone); without one keeps it', async () => {
    const d = await device();
    const id = await d.register(['ep=c-objs', 'lwm2m=1.1'], LINKS);
    await d.request({ code: CODE.POST, path: ['rd', id], query: ['lt=300'] });
    assert.deepEqual([...(fx.server.getRegistration('c-objs')?.objects.keys() ?? [])].sort((a, b) => a - b), [1, 3, 3303]);
    const res = await d.request({ code: CODE.POST, path: ['rd', id], contentFormat: 40, payload: '</1/0>,</3/0>,</3311/0>,</3311/1>' });
    assert.equal(res.code, '2.04');
    const reg = fx.server.getRegistration('c-objs');
    assert.deepEqual([...(reg?.objects.keys() ?? [])].sort((a, b) => a - b), [1, 3, 3311]);
    assert.deepEqual(reg?.objects.get(3311)?.instances, [0, 1]);
    assert.deepEqual(reg?.contentFormats, [110], 'an Update without root link keeps ct');
  });

  it('queue mode: b=UQ (1.0) and Q (1.1); a 1.1 Update (which has no Q parameter) keeps it, a 1.0 Update with b=U ends it (pitfall 10)', async () => {
    const d = await device();
    const id10 = await d.register(['ep=c-q10', 'lwm2m=1.0', 'b=UQ'], LINKS);
    const id11 = await d.register(['ep=c-q11', 'lwm2m=1.1', 'b=U', 'Q'], LINKS);
    assert.equal(fx.server.getRegistration('c-q10')?.queueMode, true);
    assert.equal(fx.server.getRegistration('c-q11')?.queueMode, true);
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id11], query: ['lt=300'] })).code, '2.04');
    assert.equal(fx.server.getRegistration('c-q11')?.queueMode, true);
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id11] })).code, '2.04');
    assert.equal(fx.server.getRegistration('c-q11')?.queueMode, true);
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id10], query: ['b=U'] })).code, '2.04');
    assert.equal(fx.server.getRegistration('c-q10')?.queueMode, false);
  });

  it('a retransmitted Register (same MID) is answered with the same bytes and makes one registration', async () => {
    const d = await device();
    let count = 0;
    const onReg = (r: Registration): void => {
      if (r.endpoint === 'c-dup') count++;
    };
    fx.server.on('registered', onReg);
    try {
      const req = d.build({ code: CODE.POST, path: ['rd'], query: ['ep=c-dup', 'lwm2m=1.1'], contentFormat: 40, payload: LINKS });
      d.send(req);
      const first = await d.responseTo(req);
      d.send(req); // the ACK was "lost": the client retransmits
      const second = await d.responseTo(req);
      const raws = d.log.filter((r) => r.msg.mid === req.mid).map((r) => r.raw.toString('hex'));
      assert.equal(raws.length, 2);
      assert.equal(raws[1], raws[0], 'byte for byte the same answer');
      assert.deepEqual(second, first);
      await sleep(200);
      assert.equal(count, 1);
      assert.equal(fx.server.registrations().filter((r) => r.endpoint === 'c-dup').length, 1);
    } finally {
      fx.server.off('registered', onReg);
    }
  });

  it('the same MID from two different devices is two requests, not a duplicate', async () => {
    const a = await device();
    const b = await device();
    const mid = RawDevice.mid();
    const ra = await a.request({ code: CODE.POST, path: ['rd'], query: ['ep=c-mid-a'], contentFormat: 40, payload: LINKS, mid });
    const rb = await b.request({ code: CODE.POST, path: ['rd'], query: ['ep=c-mid-b'], contentFormat: 40, payload: LINKS, mid });
    assert.equal(ra.code, '2.01');
    assert.equal(rb.code, '2.01');
    assert.notDeepEqual(getStrings(ra, O.LocationPath), getStrings(rb, O.LocationPath));
  });

  it('no device-management request reaches the device before the 2.01', async () => {
    const d = await device();
    const onReg = (r: Registration): void => {
      if (r.endpoint === 'c-order') void fx.server.read('c-order', '/3/0/0', { timeoutMs: 1500 });
    };
    fx.server.on('registered', onReg);
    try {
      const req = d.build({ code: CODE.POST, path: ['rd'], query: ['ep=c-order'], contentFormat: 40, payload: LINKS });
      d.send(req);
      const get = await d.nextRequest();
      d.answer(get, '2.05', { contentFormat: 0, payload: 'x' });
      const created = d.log.findIndex((r) => r.msg.code === '2.01' && r.msg.mid === req.mid);
      const requested = d.log.findIndex((r) => r.msg === get);
      assert.ok(created >= 0 && created < requested, `2.01 at ${created}, GET at ${requested}`);
    } finally {
      fx.server.off('registered', onReg);
    }
  });
});
