/**
 * The fleet simulator against the gateway's LwM2M server over UDP: clients register (with
 * and without a shared socket), answer reads in every format they speak, writes, executes,
 * discover, and send notifications for observations.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import type { NotificationEvent } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { CoapUdpTransport } from '../../../src/transport/coap/index.js';
import { resource } from '../../../src/lwm2m/node.js';
import { Fleet } from '../../../bench/fleet/fleet.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';

describe('fleet simulator', () => {
  let server: LwM2mServer;
  let transport: CoapUdpTransport;
  let fleet: Fleet;

  before(async () => {
    server = new LwM2mServer({ models: ModelRegistry.withBuiltins(), store: new MemoryStore(), requestTimeoutMs: 4000 });
    transport = new CoapUdpTransport({ handler: server, port: 0, address: '127.0.0.1', requestTimeoutMs: 4000 });
    server.addTransport(transport);
    server.start();
    const { port } = await transport.start();
    // 6 clients on 3 sockets: three of them share a socket and use an alternate path
    fleet = new Fleet({ host: '127.0.0.1', port, count: 6, maxSockets: 3, lifetime: 60, prefix: 'ft-' });
    const opened = await fleet.open();
    assert.equal(opened.sockets, 3);
    await fleet.register(1000);
  });

  after(async () => {
    await fleet.close();
    await server.stop();
    await transport.stop();
  });

  it('registers every client with its objects', () => {
    assert.equal(fleet.counters().registered, 6);
    for (let i = 0; i < 6; i++) {
      const reg = server.getRegistration(`ft-${i}`);
      assert.ok(reg, `ft-${i} registered`);
      assert.deepEqual([...reg.objects.keys()].sort((a, b) => a - b), [3, 4, 3303, 3304]);
      assert.equal(reg.version, '1.1');
      assert.equal(reg.rootPath, i < 3 ? '/' : `/c${i}`);
    }
  });

  for (const format of [0, 110, 112, 11542]) {
    it(`answers a resource read in content format ${format}`, async () => {
      const r = await server.read('ft-4', '/3/0/2', { format });
      assert.equal(r.success, true, JSON.stringify(r.error));
      assert.equal(r.node?.kind, 'resource');
      if (r.node?.kind === 'resource') assert.equal(r.node.value, 'SN00000004');
    });
  }

  for (const format of [110, 112, 11542]) {
    it(`answers an instance read with multi-instance resources in content format ${format}`, async () => {
      const r = await server.read('ft-1', '/4/0', { format });
      assert.equal(r.success, true, JSON.stringify(r.error));
      assert.equal(r.node?.kind, 'instance');
      if (r.node?.kind === 'instance') {
        const ip = r.node.resources.get(4);
        assert.equal(ip?.kind, 'multiResource');
        if (ip?.kind === 'multiResource') assert.equal(ip.instances.get(0)?.value, '10.0.0.1');
      }
    });
  }

  it('answers Read-Composite on its root, alternate path included', async () => {
    for (const ep of ['ft-1', 'ft-4']) {
      const r = await server.readComposite(ep, ['/3/0/2', '/3303/0/5701']);
      assert.equal(r.success, true, JSON.stringify(r.error));
      const sn = r.nodes?.get('/3/0/2');
      assert.equal(sn?.kind === 'resource' ? sn.value : undefined, `SN0000000${ep.slice(3)}`);
    }
  });

  it('keeps a written value and refuses to write a read-only resource', async () => {
    const w = await server.write('ft-5', '/3303/0/5750', resource(5750, 'string', 'greenhouse'));
    assert.equal(w.success, true, JSON.stringify(w.error));
    const r = await server.read('ft-5', '/3303/0/5750');
    assert.equal(r.node?.kind === 'resource' ? r.node.value : undefined, 'greenhouse');
    const ro = await server.write('ft-5', '/3303/0/5700', resource(5700, 'float', 1.5));
    assert.equal(ro.success, false);
    assert.equal(ro.code, '4.05');
  });

  it('executes an executable resource and refuses another', async () => {
    assert.equal((await server.execute('ft-0', '/3303/0/5605')).success, true);
    const bad = await server.execute('ft-0', '/3303/0/5700');
    assert.equal(bad.code, '4.05');
  });

  it('answers 4.04 for an object it does not have, and lists its resources on Discover', async () => {
    assert.equal((await server.read('ft-2', '/5/0')).code, '4.04');
    const d = await server.discover('ft-2', '/3303/0');
    assert.equal(d.success, true);
    assert.ok(d.links?.some((l) => l.uri === '/3303/0/5700'));
  });

  it('sends notifications for observations at the fleet rate', async () => {
    const seen = new Set<string>();
    const onNote = (n: NotificationEvent): void => {
      seen.add(`${n.registration.endpoint} ${n.observation.paths.map(String).join()}`);
    };
    server.on('notification', onNote);
    try {
      for (const ep of ['ft-0', 'ft-3']) {
        for (const p of ['/3303/0/5700', '/3304/0/5700']) {
          const r = await server.observe(ep, p);
          assert.ok(r.observationId, `observe ${ep} ${p}`);
        }
      }
      assert.equal(fleet.counters().observations, 4);
      for (let k = 0; k < 8; k++) fleet.notifyOne();
      const deadline = Date.now() + 3000;
      while (seen.size < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.size, 4, [...seen].join('; '));
    } finally {
      server.off('notification', onNote);
    }
  });
});

describe('fleet simulator in queue mode', () => {
  let server: LwM2mServer;
  let transport: CoapUdpTransport;
  let fleet: Fleet;

  before(async () => {
    server = new LwM2mServer({ models: ModelRegistry.withBuiltins(), store: new MemoryStore(), requestTimeoutMs: 1500, queue: { awakeTimeMs: 300 } });
    transport = new CoapUdpTransport({ handler: server, port: 0, address: '127.0.0.1', requestTimeoutMs: 1500 });
    server.addTransport(transport);
    server.start();
    const { port } = await transport.start();
    fleet = new Fleet({ host: '127.0.0.1', port, count: 1, lifetime: 60, prefix: 'fq-', queueMode: true, awakeMs: 300 });
    await fleet.open();
    await fleet.register(100);
  });

  after(async () => {
    await fleet.close();
    await server.stop();
    await transport.stop();
  });

  it('registers in queue mode, sleeps after its awake time, and gets the queued request when it wakes', async () => {
    assert.equal(server.getRegistration('fq-0')?.queueMode, true);
    await new Promise((r) => setTimeout(r, 450)); // both sides count the client asleep now
    const read = server.read('fq-0', '/3303/0/5701');
    await new Promise((r) => setTimeout(r, 100));
    fleet.update();
    const r = await read;
    assert.equal(r.success, true, JSON.stringify(r.error));
    assert.equal(r.node?.kind === 'resource' ? r.node.value : undefined, 'Cel');
  });
});
