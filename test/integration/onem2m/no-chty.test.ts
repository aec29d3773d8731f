/**
 * Against a CSE that does not take `chty` (release 3 event criteria only: here an HTTP
 * proxy in front of an EmbeddedCse that answers 4000 to any body naming it), the IPE puts
 * its subscriptions without it and sorts the notifications itself: an application's
 * subscription still starts the observation, and a command contentInstance still reaches
 * the device, while the contentInstances of values (now notified to the watch
 * subscription too) start nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { m2m, NotificationReceiver } from '../../helpers/onem2m-http.js';
import { gatewayConfig, mappingDir, startGateway, until, waitFor } from './fixture.js';

/** Forwards to `target`, refusing (4000) any request whose body names chty. Returns its URL and a count of refusals. */
async function chtyRefusingProxy(target: string): Promise<{ url: string; refused: () => number; stop: () => Promise<void> }> {
  let refused = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (body.includes('"chty"')) {
        refused++;
        res.writeHead(400, { 'x-m2m-rsc': '4000', 'content-type': 'application/json' }).end('{"m2m:dbg":"unknown attribute: chty"}');
        return;
      }
      const headers: Record<string, string> = {};
      for (const h of ['accept', 'content-type', 'x-m2m-origin', 'x-m2m-ri', 'x-m2m-rvi']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      fetch(target + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) })
        .then(async (r) => {
          const out: Record<string, string> = {};
          for (const h of ['x-m2m-rsc', 'x-m2m-ri', 'x-m2m-rvi', 'content-type']) {
            const v = r.headers.get(h);
            if (v !== null) out[h] = v;
          }
          res.writeHead(r.status, out).end(await r.text());
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => refused,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

void test('without chty the IPE still observes for an application and takes commands', async () => {
  const folder = mappingDir();
  const rx = new NotificationReceiver();
  const nu = await rx.start();
  const cse = new EmbeddedCse({ access: { allowed: { 'sem-nc': ['Capp'], 'watch-nc': ['Capp'] } } });
  await cse.start();
  const proxy = await chtyRefusingProxy(cse.url);
  const gateway = await startGateway(gatewayConfig(folder.dir, proxy.url));
  const devices: Lwm2mTestClient[] = [];
  try {
    const w = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'watch-nc' }).start();
    devices.push(w);
    await w.register();
    const watch = await until(cse.url, '/cse-in/watch-nc/3303/0/5700/ipe-watch', (r) => r.rsc === 2000, 'the watch subscription');
    assert.deepEqual(watch.body['m2m:sub'].enc, { net: [3, 4] }, 'put again without chty');
    assert.ok(proxy.refused() >= 1);

    const container = '/cse-in/watch-nc/3303/0/5700';
    assert.equal((await m2m(cse.url, 'POST', container, { origin: 'Capp', ty: 23, body: { 'm2m:sub': { rn: 'app', nu: [nu], enc: { net: [3] } } } })).rsc, 2001);
    await waitFor(() => w.observations().some((o) => o.paths.includes('/3303/0/5700')), 'the Observe');
    await w.set('/3303/0/5700', 19.5);
    await rx.waitFor((n) => n.body['m2m:sgn']?.nev?.rep?.['m2m:cin']?.con === '19.5', 10_000);
    assert.equal(w.observations().length, 1, 'the value contentInstances notified to the watch subscription start nothing more');

    const s = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'sem-nc' }).start();
    devices.push(s);
    await s.register();
    const cmd = await until(cse.url, '/cse-in/sem-nc/3303/0/apptype/ipe-commands', (r) => r.rsc === 2000, 'the command subscription');
    assert.deepEqual(cmd.body['m2m:sub'].enc, { net: [3] });
    await m2m(cse.url, 'POST', '/cse-in/sem-nc/3303/0/apptype', { origin: 'Capp', ty: 4, body: { 'm2m:cin': { con: 'no-chty' } } });
    await waitFor(() => s.value('/3303/0/5750') === 'no-chty', 'the write on the device');
  } finally {
    for (const d of devices) await d.stop();
    await gateway.stop();
    await proxy.stop();
    await cse.stop();
    await rx.stop();
    folder.remove();
  }
});
