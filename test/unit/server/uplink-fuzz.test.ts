import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MethodName } from '../../../src/transport/coap/message.js';
import { Lwm2mOverCoap } from '../../../src/transport/coap/uplink-map.js';
import { settle } from '../../helpers/fake-clock.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import { setupServer } from '../../helpers/server-setup.js';

const METHODS: MethodName[] = ['GET', 'POST', 'PUT', 'DELETE', 'FETCH', 'PATCH', 'iPATCH'];
const ALLOWED = new Set(['2.01', '2.02', '2.04', '4.00', '4.03', '4.04', '4.05', '4.12', '4.15', '5.01']);

const segment = fc.oneof(fc.constantFrom('rd', 'dp', 'bs', 'bspack', ''), fc.string({ maxLength: 12 }));
const queryItem = fc.oneof(
  fc.constantFrom('ep=x', 'ep=', 'lt=60', 'lt=-1', 'lt=99999999999', 'lwm2m=1.1', 'lwm2m=9.9', 'b=UQ', 'b=?', 'Q', 'sms', 'pid=1'),
  fc.string({ maxLength: 16 }),
);
const linkPiece = fc.oneof(
  fc.constantFrom('</>;rt="oma.lwm2m";ct=110', '</1/0>', '</3/0>', '</3303>;ver=1.1', '<', '>', ';', ',', '"', '</65535/0>', '</a/b>', ' '),
  fc.string({ maxLength: 10 }),
);
const payload = fc.oneof(
  fc.array(linkPiece, { maxLength: 8 }).map((a) => text(a.join(''))),
  fc.uint8Array({ maxLength: 64 }),
);

void test('random uplink requests (CoAP, through the binding\'s mapping) get a protocol answer, never an exception or 5.00', async () => {
  const { server, mem } = setupServer();
  const coap = new Lwm2mOverCoap(server);
  const good = memPeer(4000);
  await mem.register(good, 'ep=good&lt=3600', '</>;rt="oma.lwm2m",</3/0>');
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...METHODS),
      fc.array(segment, { maxLength: 3 }),
      fc.array(queryItem, { maxLength: 6 }),
      payload,
      fc.option(fc.constantFrom(0, 40, 42, 110, 112, 11542, 60), { nil: undefined }),
      fc.integer({ min: 1, max: 65535 }),
      async (method, uriPath, uriQuery, body, contentFormat, port) => {
        const res = await coap.handleRequest(memPeer(port, '10.2.0.1'), {
          method,
          uriPath,
          uriQuery,
          payload: body,
          ...(contentFormat !== undefined ? { contentFormat } : {}),
        });
        assert.ok(ALLOWED.has(res.code), `unexpected ${res.code}`);
      },
    ),
    { numRuns: 500 },
  );
  await settle();
  assert.ok(server.getRegistration('good'), 'the registered client is undisturbed');
  await server.stop();
});

void test('random notifications never throw', async () => {
  const { server } = setupServer();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 9 }), fc.string({ maxLength: 5 }), fc.uint8Array({ maxLength: 32 }), (token, code, body) => {
      assert.equal(server.handleNotification(memPeer(1), { token, code, payload: body }), false);
    }),
    { numRuns: 300 },
  );
  await server.stop();
});
