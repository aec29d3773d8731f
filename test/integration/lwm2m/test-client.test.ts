/**
 * Self-test of the LwM2M test client against a bare CoAP peer made of a UDP socket and
 * coap-packet, so that the client is proven on its own before it tests the gateway.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { generate, parse } from 'coap-packet';
import type { ParsedPacket } from 'coap-packet';
import { Decoder } from 'cbor-x';
import { CF, Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

const cbor = new Decoder({ mapsAsObjects: false, useRecords: false });

interface In {
  p: ParsedPacket;
  from: RemoteInfo;
}

const uint = (n: number): Buffer => {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.from(out);
};
const optValue = (p: ParsedPacket, name: string): Buffer | undefined => p.options.find((o) => o.name === name)?.value;
const optUint = (p: ParsedPacket, name: string): number | undefined => {
  const v = optValue(p, name);
  return v === undefined ? undefined : v.reduce((a, b) => a * 256 + b, 0);
};
const optStrings = (p: ParsedPacket, name: string): string[] => p.options.filter((o) => o.name === name).map((o) => o.value.toString());

/** A bare CoAP endpoint standing in for the server. */
class BareServer {
  private inbox: In[] = [];
  private wake: (() => void) | undefined;
  private mid = 100;
  private constructor(readonly socket: Socket) {
    socket.on('message', (buf, from) => {
      try {
        this.inbox.push({ p: parse(buf), from });
      } catch {
        return;
      }
      this.wake?.();
    });
  }

  static async open(): Promise<BareServer> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return new BareServer(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  async next(timeoutMs = 2000): Promise<In> {
    const end = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = end - Date.now();
      if (left <= 0) throw new Error('nothing received');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    return this.inbox.shift()!;
  }

  async quiet(ms: number): Promise<In[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.splice(0);
  }

  send(to: RemoteInfo | { address: string; port: number }, packet: Parameters<typeof generate>[0]): void {
    this.socket.send(generate(packet, 65535), to.port, to.address);
  }

  /** Answers a CON request with a piggybacked response. */
  ack(req: In, code: string, options: { name: string; value: Buffer }[] = [], payload?: Buffer): void {
    this.send(req.from, { ack: true, code, messageId: req.p.messageId, token: req.p.token, options, payload });
  }

  /** Sends a CON request to the client and returns its piggybacked answer. */
  async request(
    to: { address: string; port: number },
    code: string,
    path: string,
    o: { options?: { name: string; value: Buffer }[]; payload?: Buffer; token?: Buffer; mid?: number } = {},
  ): Promise<ParsedPacket> {
    const messageId = o.mid ?? ++this.mid;
    const options = [...path.split('/').filter(Boolean).map((s) => ({ name: 'Uri-Path', value: Buffer.from(s) })), ...(o.options ?? [])];
    this.send(to, { confirmable: true, code, messageId, token: o.token ?? Buffer.from([1, 2, 3, this.mid & 0xff]), options, payload: o.payload });
    for (;;) {
      const r = await this.next();
      if (r.p.ack && r.p.messageId === messageId) return r.p;
    }
  }

  /** GET with Accept, following Block2 to the end; the first response with the whole body. */
  async read(to: { address: string; port: number }, path: string, accept: number): Promise<ParsedPacket> {
    const acc = { name: 'Accept', value: uint(accept) };
    const first = await this.request(to, 'GET', path, { options: [acc] });
    const parts = [first.payload];
    let b = optUint(first, 'Block2');
    for (let num = 1; b !== undefined && b & 8; num++) {
      const r = await this.request(to, 'GET', path, { options: [acc, { name: 'Block2', value: uint(num * 16 + (b & 7)) }] });
      parts.push(r.payload);
      b = optUint(r, 'Block2');
    }
    return { ...first, payload: Buffer.concat(parts) };
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

describe('LwM2M test client on its own', () => {
  let server: BareServer;
  let client: Lwm2mTestClient;
  let to: { address: string; port: number };

  before(async () => {
    server = await BareServer.open();
    client = await new Lwm2mTestClient({
      serverPort: server.port,
      endpoint: 'self-test-1',
      version: '1.1',
      queueMode: true,
      contentFormats: [CF.SENML_CBOR, CF.LWM2M_CBOR],
      blockSize: 64,
      timing: { ackTimeoutMs: 100 },
    }).start();
    to = { address: '127.0.0.1', port: client.port };
  });

  after(async () => {
    await client.stop();
    await server.close();
  });

  it('registers with query, link payload, and retransmits an unanswered CON', async () => {
    const done = client.register();
    const first = await server.next();
    const again = await server.next(); // not answered: the same message comes back
    assert.equal(again.p.messageId, first.p.messageId);
    assert.equal(first.p.code, '0.02');
    assert.deepEqual(optStrings(first.p, 'Uri-Path'), ['rd']);
    assert.deepEqual(optStrings(first.p, 'Uri-Query'), ['ep=self-test-1', 'lt=300', 'lwm2m=1.1', 'b=U', 'Q']);
    assert.equal(optUint(first.p, 'Content-Format'), 40);
    const links = first.p.payload.toString();
    assert.ok(links.startsWith('</>;rt="oma.lwm2m";ct="112 11544",'), links);
    assert.ok(links.includes('</3/0>') && links.includes('</3303/0>') && links.includes('</1/0>'), links);
    server.ack(again, '2.01', [
      { name: 'Location-Path', value: Buffer.from('rd') },
      { name: 'Location-Path', value: Buffer.from('r1') },
    ]);
    const r = await done;
    assert.equal(r.code, '2.01');
    assert.equal(client.registrationId, 'r1');
    assert.ok(client.retransmissions >= 1);
  });

  it('answers reads as text, TLV, SenML JSON, SenML CBOR and LwM2M CBOR', async () => {
    const text = await server.request(to, 'GET', '/3/0/0', { options: [{ name: 'Accept', value: uint(0) }] });
    assert.equal(text.code, '2.05');
    assert.equal(text.payload.toString(), 'Test Devices Ltd');
    const tlv = await server.request(to, 'GET', '/3/0/9', { options: [{ name: 'Accept', value: uint(11542) }] });
    assert.equal(tlv.payload.toString('hex'), 'c10957'); // resource 9, length 1, value 87
    const multi = await server.request(to, 'GET', '/3/0/7', { options: [{ name: 'Accept', value: uint(11542) }] });
    // multiple resource 7 holding instances 0 (3800) and 1 (5000), two bytes each
    assert.equal(multi.payload.toString('hex'), '8807084200' + '0ed8' + '4201' + '1388');
    const json = await server.read(to, '/3303/0', 110);
    assert.equal(optUint(json, 'Content-Format'), 110);
    const records = JSON.parse(json.payload.toString()) as { bn?: string; n: string; v?: number; vs?: string }[];
    assert.equal(records[0]!.bn, '/3303/0/');
    assert.deepEqual(records.find((r) => r.n === '5700'), { n: '5700', v: 21.5 });
    const senmlCbor = await server.read(to, '/3303/0/5701', 112);
    const recs = cbor.decode(senmlCbor.payload) as Map<number, unknown>[];
    assert.equal(recs[0]!.get(-2), '/3303/0/');
    assert.equal(recs[0]!.get(0), '5701');
    assert.equal(recs[0]!.get(3), 'Cel');
    const lw = await server.read(to, '/3303/0/5700', 11544);
    const tree = cbor.decode(lw.payload) as Map<number, Map<number, Map<number, unknown>>>;
    assert.equal(tree.get(3303)?.get(0)?.get(5700), 21.5);
  });

  it('refuses formats it cannot produce, and unknown paths', async () => {
    const omaJson = await server.request(to, 'GET', '/3/0', { options: [{ name: 'Accept', value: uint(11543) }] });
    assert.equal(omaJson.code, '4.06');
    const textInstance = await server.request(to, 'GET', '/3/0', { options: [{ name: 'Accept', value: uint(0) }] });
    assert.equal(textInstance.code, '4.06');
    assert.equal((await server.request(to, 'GET', '/3/7')).code, '4.04');
    assert.equal((await server.request(to, 'GET', '/3/0/4')).code, '4.05'); // executable
  });

  it('writes, executes, creates, deletes and discovers', async () => {
    const cfText = [{ name: 'Content-Format', value: uint(0) }];
    assert.equal((await server.request(to, 'PUT', '/3311/0/5851', { options: cfText, payload: Buffer.from('75') })).code, '2.04');
    assert.equal(client.value('/3311/0/5851'), 75);
    assert.equal((await server.request(to, 'PUT', '/3/0/0', { options: cfText, payload: Buffer.from('x') })).code, '4.05');
    // partial update in TLV: 5850 = false, 5706 = "00FF00"
    const tlv = Buffer.from('e1' + '16da' + '00' + 'e6' + '164a' + Buffer.from('00FF00').toString('hex'), 'hex');
    const partial = await server.request(to, 'POST', '/3311/0', { options: [{ name: 'Content-Format', value: uint(11542) }], payload: tlv });
    assert.equal(partial.code, '2.04');
    assert.equal(client.value('/3311/0/5850'), false);
    assert.equal(client.value('/3311/0/5706'), '00FF00');
    const exec = await server.request(to, 'POST', '/3/0/4', { payload: Buffer.from("0='now'") });
    assert.equal(exec.code, '2.04');
    assert.deepEqual(client.executed.at(-1), { path: '/3/0/4', args: "0='now'" });
    const senml = JSON.stringify([{ bn: '/3303/5/', n: '5700', v: -3.5 }, { n: '5701', vs: 'Cel' }]);
    const created = await server.request(to, 'POST', '/3303', { options: [{ name: 'Content-Format', value: uint(110) }], payload: Buffer.from(senml) });
    assert.equal(created.code, '2.01');
    assert.deepEqual(optStrings(created, 'Location-Path'), ['3303', '5']);
    assert.equal(client.value('/3303/5/5700'), -3.5);
    const links = await server.read(to, '/3303', 40);
    assert.equal(links.code, '2.05');
    assert.ok(links.payload.toString().startsWith('</3303>,</3303/0>,'), links.payload.toString());
    assert.ok(links.payload.toString().includes('</3303/5/5700>'));
    assert.equal((await server.request(to, 'DELETE', '/3303/5')).code, '2.02');
    assert.equal(client.store.hasInstance(3303, 5), false);
    const attrs = await server.request(to, 'PUT', '/3303/0/5700', {
      options: [{ name: 'Uri-Query', value: Buffer.from('pmin=5') }, { name: 'Uri-Query', value: Buffer.from('st=0.5') }],
    });
    assert.equal(attrs.code, '2.04');
    assert.deepEqual(client.store.attributes.get('/3303/0/5700'), ['pmin=5', 'st=0.5']);
  });

  it('observes, notifies with increasing sequence numbers, and cancels', async () => {
    const token = Buffer.from('0b5e', 'hex');
    const obs = await server.request(to, 'GET', '/3303/0/5700', {
      token,
      options: [{ name: 'Observe', value: uint(0) }, { name: 'Accept', value: uint(0) }],
    });
    assert.equal(obs.code, '2.05');
    const seq0 = optUint(obs, 'Observe')!;
    await client.set('/3303/0/5700', 22.25);
    const n1 = await server.next();
    assert.ok(n1.p.token.equals(token));
    assert.equal(n1.p.payload.toString(), '22.25');
    assert.ok(optUint(n1.p, 'Observe')! > seq0);
    const acked = client.set('/3303/0/5700', 23, { confirmable: true });
    const n2 = await server.next();
    assert.equal(n2.p.confirmable, true);
    assert.ok(optUint(n2.p, 'Observe')! > optUint(n1.p, 'Observe')!);
    server.send(n2.from, { ack: true, code: '0.00', messageId: n2.p.messageId });
    await acked;
    assert.equal(client.observations().length, 1);
    const cancel = await server.request(to, 'GET', '/3303/0/5700', { token, options: [{ name: 'Observe', value: uint(1) }] });
    assert.equal(cancel.code, '2.05');
    assert.equal(optUint(cancel, 'Observe'), undefined);
    assert.equal(client.observations().length, 0);
  });

  it('cancels an observation on RST, and deduplicates a retransmitted request', async () => {
    const token = Buffer.from('77', 'hex');
    await server.request(to, 'GET', '/3311/0/5851', { token, options: [{ name: 'Observe', value: uint(0) }] });
    await client.set('/3311/0/5851', 1);
    const n = await server.next();
    server.send(n.from, { reset: true, code: '0.00', messageId: n.p.messageId });
    await server.quiet(50);
    assert.equal(client.observations().length, 0);
    const before = client.received.length;
    const a = await server.request(to, 'GET', '/3/0/1', { mid: 4242, options: [{ name: 'Accept', value: uint(0) }] });
    const b = await server.request(to, 'GET', '/3/0/1', { mid: 4242, options: [{ name: 'Accept', value: uint(0) }] });
    assert.deepEqual(b, a);
    assert.equal(client.received.length, before + 1);
    assert.equal(client.duplicatesReceived, 1);
  });

  it('serves a large read in Block2 blocks and takes a large write in Block1 blocks', async () => {
    const first = await server.request(to, 'GET', '/3/0', { options: [{ name: 'Accept', value: uint(110) }] });
    const b0 = optUint(first, 'Block2')!;
    assert.equal(b0 & 7, 2); // 64-byte blocks, the client's size
    assert.ok(b0 & 8, 'more blocks');
    const total = optUint(first, 'Size2')!;
    const parts = [first.payload];
    for (let num = 1; ; num++) {
      const r = await server.request(to, 'GET', '/3/0', {
        options: [{ name: 'Accept', value: uint(110) }, { name: 'Block2', value: uint(num * 16 + 2) }],
      });
      parts.push(r.payload);
      if (!(optUint(r, 'Block2')! & 8)) break;
    }
    const body = Buffer.concat(parts);
    assert.equal(body.length, total);
    assert.ok(Array.isArray(JSON.parse(body.toString())));

    const pkg = Buffer.alloc(1000, 0);
    for (let k = 0; k < pkg.length; k++) pkg[k] = (k * 7) & 0xff;
    const token = Buffer.from('f1f1', 'hex');
    let num = 0;
    let szx = 4; // 256 bytes; the client asks for 64
    for (let off = 0; off < pkg.length; ) {
      const size = 16 << szx;
      const more = off + size < pkg.length;
      const r = await server.request(to, 'PUT', '/5/0/0', {
        token,
        options: [{ name: 'Content-Format', value: uint(42) }, { name: 'Block1', value: uint(num * 16 + (more ? 8 : 0) + szx) }],
        payload: pkg.subarray(off, off + size),
      });
      off += size;
      if (!more) {
        assert.equal(r.code, '2.04');
        break;
      }
      assert.equal(r.code, '2.31');
      szx = Math.min(szx, optUint(r, 'Block1')! & 7);
      num = off / (16 << szx);
    }
    assert.deepEqual(Buffer.from(client.value('/5/0/0') as Uint8Array), pkg);
  });

  it('reads composite, writes composite all or nothing', async () => {
    const body = JSON.stringify([{ n: '/3/0/0' }, { n: '/3303/0/5700' }]);
    const r = await server.request(to, 'FETCH', '/', {
      options: [{ name: 'Content-Format', value: uint(110) }, { name: 'Accept', value: uint(11544) }],
      payload: Buffer.from(body),
    });
    assert.equal(r.code, '2.05');
    const tree = cbor.decode(r.payload) as Map<number, Map<number, Map<number, unknown>>>;
    assert.equal(tree.get(3)?.get(0)?.get(0), 'Test Devices Ltd');
    assert.equal(typeof tree.get(3303)?.get(0)?.get(5700), 'number');
    const bad = JSON.stringify([{ n: '/3311/0/5851', v: 10 }, { n: '/3/0/0', vs: 'no' }]);
    const refused = await server.request(to, 'iPATCH', '/', { options: [{ name: 'Content-Format', value: uint(110) }], payload: Buffer.from(bad) });
    assert.equal(refused.code, '4.05');
    assert.notEqual(client.value('/3311/0/5851'), 10);
    const good = JSON.stringify([{ n: '/3311/0/5851', v: 10 }, { n: '/3311/0/5750', vs: 'hall' }]);
    const ok = await server.request(to, 'iPATCH', '/', { options: [{ name: 'Content-Format', value: uint(110) }], payload: Buffer.from(good) });
    assert.equal(ok.code, '2.04');
    assert.equal(client.value('/3311/0/5851'), 10);
    assert.equal(client.value('/3311/0/5750'), 'hall');
  });

  it('sends /dp, sleeps, wakes with an Update, moves to another port', async () => {
    const sending = client.send(['/3303/0/5700', '/3/0/9'], { format: CF.SENML_JSON });
    const dp = await server.next();
    assert.deepEqual(optStrings(dp.p, 'Uri-Path'), ['dp']);
    assert.equal(optUint(dp.p, 'Content-Format'), 110);
    const names = (JSON.parse(dp.p.payload.toString()) as { n: string }[]).map((r) => r.n);
    assert.deepEqual(names, ['/3303/0/5700', '/3/0/9']);
    server.ack(dp, '2.04');
    assert.equal((await sending).code, '2.04');

    client.sleep();
    server.send(to, { confirmable: true, code: 'GET', messageId: 999, token: Buffer.from([9]), options: [{ name: 'Uri-Path', value: Buffer.from('3') }] });
    assert.deepEqual(await server.quiet(150), []);
    assert.equal(client.droppedWhileAsleep, 1);
    const waking = client.wake();
    const upd = await server.next();
    assert.deepEqual(optStrings(upd.p, 'Uri-Path'), ['rd', 'r1']);
    server.ack(upd, '2.04');
    assert.equal((await waking)?.code, '2.04');

    const oldPort = client.port;
    const moving = client.rebind();
    const upd2 = await server.next();
    assert.notEqual(upd2.from.port, oldPort);
    assert.equal(upd2.from.port, client.port);
    server.ack(upd2, '2.04');
    await moving;
    to = { address: '127.0.0.1', port: client.port };
    const r = await server.request(to, 'GET', '/3/0/2', { options: [{ name: 'Accept', value: uint(0) }] });
    assert.equal(r.payload.toString(), 'SN-0001');
  });

  it('sends a large request in Block1 blocks and follows a smaller size asked in 2.31', async () => {
    const up = await new Lwm2mTestClient({ serverPort: server.port, endpoint: 'up', uplinkBlockSize: 128 }).start();
    try {
      const sending = up.send(['/3/0'], { format: CF.SENML_JSON });
      const parts: Buffer[] = [];
      for (;;) {
        const blk = await server.next();
        const b1 = optUint(blk.p, 'Block1')!;
        const num = b1 >> 4;
        const szx = b1 & 7;
        assert.equal(num * (16 << szx), Buffer.concat(parts).length, 'blocks in order, no gap');
        parts.push(blk.p.payload);
        if (!(b1 & 8)) {
          server.ack(blk, '2.04', [{ name: 'Block1', value: uint(b1) }]);
          break;
        }
        // ask for 64-byte blocks from now on
        server.ack(blk, '2.31', [{ name: 'Block1', value: uint(num * 16 + 8 + Math.min(szx, 2)) }]);
      }
      assert.equal((await sending).code, '2.04');
      const records = JSON.parse(Buffer.concat(parts).toString()) as { n: string }[];
      assert.ok(records.some((r) => r.n === '/3/0/0'));
      assert.ok(up.uplinkBlocks > 3);
    } finally {
      await up.stop();
    }
  });

  it('reads and writes a single value as plain CBOR (60)', async () => {
    const r = await server.request(to, 'GET', '/3/0/9', { options: [{ name: 'Accept', value: uint(60) }] });
    assert.equal(r.code, '2.05');
    assert.equal(cbor.decode(r.payload), 87);
    const w = await server.request(to, 'PUT', '/3311/0/5850', { options: [{ name: 'Content-Format', value: uint(60) }], payload: Buffer.from([0xf5]) });
    assert.equal(w.code, '2.04');
    assert.equal(client.value('/3311/0/5850'), true);
  });

  it('uses an alternate path', async () => {
    const alt = await new Lwm2mTestClient({ serverPort: server.port, endpoint: 'alt', version: '1.2', rootPath: '/lwm2m' }).start();
    try {
      const reg = alt.register();
      const req = await server.next();
      assert.ok(req.p.payload.toString().startsWith('</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,'), req.p.payload.toString());
      server.ack(req, '2.01', [{ name: 'Location-Path', value: Buffer.from('rd') }, { name: 'Location-Path', value: Buffer.from('a') }]);
      await reg;
      const altTo = { address: '127.0.0.1', port: alt.port };
      const ok = await server.request(altTo, 'GET', '/lwm2m/3/0/1', { options: [{ name: 'Accept', value: uint(0) }] });
      assert.equal(ok.payload.toString(), 'TD-1');
      assert.equal((await server.request(altTo, 'GET', '/3/0/1')).code, '4.04');
      assert.equal(alt.received.at(-2)?.path, '/3/0/1');
      assert.equal(alt.received.at(-1)?.path, '');
    } finally {
      await alt.stop();
    }
  });
});
