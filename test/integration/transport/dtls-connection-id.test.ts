/**
 * Connection IDs (RFC 9146) on the DTLS endpoint, with the test client written from the
 * RFCs: the ID negotiated, records with it both ways, a client that moves to a new source
 * port keeps its session once a record from there authenticates; unknown IDs, forged or
 * replayed records, older records and records without the ID never move or feed a session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { DtlsTestClient } from '../../helpers/dtls-test-client.js';
import { echoEndpoint, until } from './dtls-helpers.js';

const PSK = Buffer.from('secretkey');
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

void test('a client offering a CID gets one; records carry both IDs; after a new source port it is served there', async () => {
  const { ep, port, got } = await echoEndpoint();
  const c = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, connectionId: Buffer.from('c1c2c3', 'hex') });
  try {
    assert.equal(c.serverCid.length, 6, 'the server issued a 6-byte ID');
    c.send(Buffer.from('one'));
    assert.equal((await c.nextData()).toString(), 'echo:one');
    const last = c.raw[c.raw.length - 1]!;
    assert.equal(last[0], 25, 'the server writes tls12_cid records');
    assert.deepEqual(last.subarray(11, 14), Buffer.from('c1c2c3', 'hex'), 'with the client\'s ID');
    const first = got[0]!.peer;
    assert.equal(first.port, c.port);

    await c.rebind();
    c.send(Buffer.from('two'));
    assert.equal((await c.nextData()).toString(), 'echo:two', 'answered at the new port');
    const moved = got[1]!.peer;
    assert.equal(moved.port, c.port);
    assert.equal(moved.key, first.key, 'the same peer (its key is the connection ID)');
    assert.match(moved.key, /^dtls:cid:[0-9a-f]{12}$/);
    assert.equal(moved.identity, 'dev1');
    assert.equal(ep.peerFor(moved), moved);
    assert.equal(ep.peerFor(first), moved, 'the peer the core knew reaches the new address');
    assert.equal(ep.sessionCount, 1);
  } finally {
    await c.close();
    await ep.close();
  }
});

void test('a zero-length CID: the server sends plain records, the client still sends the server\'s ID', async () => {
  const { ep, port, got } = await echoEndpoint();
  const c = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, connectionId: Buffer.alloc(0) });
  try {
    assert.equal(c.serverCid.length, 6);
    c.send(Buffer.from('hi'));
    assert.equal((await c.nextData()).toString(), 'echo:hi');
    assert.equal(c.raw[c.raw.length - 1]![0], 23, 'application_data without CID');
    assert.equal(got.length, 1);
  } finally {
    await c.close();
    await ep.close();
  }
});

void test('unknown IDs, forged and replayed records, older records and records without the ID neither feed nor move the session', async () => {
  const { ep, port, got } = await echoEndpoint();
  const c = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, connectionId: Buffer.from('aa', 'hex') });
  const other = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK });
  try {
    c.send(Buffer.from('a'));
    await until(() => got.length === 1, 'the first record');
    const home = got[0]!.peer;
    const older = c.seal(23, Buffer.from('older'));
    const record = c.seal(23, Buffer.from('b'));
    c.sendRaw(record);
    await until(() => got.length === 2, 'the second record');

    const mover = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK }); // a socket at another port
    const forged = Buffer.from(record);
    forged[forged.length - 1]! ^= 1;
    mover.sendRaw(forged); // known ID, bad tag, new address
    mover.sendRaw(record); // replay from a new address
    mover.sendRaw(c.seal(23, Buffer.from('x'), randomBytes(6))); // unknown ID
    mover.sendRaw(c.seal(23, Buffer.from('y'), Buffer.alloc(0))); // protected without the ID
    c.sendRaw(record); // replay from home
    await settle();
    assert.deepEqual(got.map((g) => g.data), ['a', 'b']);
    assert.equal(ep.peerFor(home), home, 'still at home');

    mover.sendRaw(older); // authentic, not replayed, but older than the newest: delivered, no move
    await until(() => got.length === 3, 'the older record');
    assert.equal(got[2]!.data, 'older');
    assert.equal(got[2]!.peer.port, home.port);
    assert.equal(ep.peerFor(home), home);
    await mover.close();
    c.send(Buffer.from('c'));
    assert.equal((await c.nextData()).toString(), 'echo:c');
    assert.equal(other.received.length, 0, 'the other session saw nothing');
  } finally {
    await Promise.all([c.close(), other.close()]);
    await ep.close();
  }
});

void test('a CID longer than 20 bytes is not taken: no connection ID for that session, which works without', async () => {
  const { ep, port, got } = await echoEndpoint();
  const c = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, connectionId: Buffer.alloc(21, 7) });
  try {
    assert.equal(c.serverCid.length, 0, 'no connection_id extension in the ServerHello');
    c.send(Buffer.from('plain'));
    assert.equal((await c.nextData()).toString(), 'echo:plain');
    assert.equal(c.raw[c.raw.length - 1]![0], 23);
    assert.equal(got[0]!.data, 'plain');
  } finally {
    await c.close();
    await ep.close();
  }
});

void test('no CID when the endpoint issues none (connectionIdLength 0)', async () => {
  const { ep, port } = await echoEndpoint({ connectionIdLength: 0 });
  const c = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, connectionId: Buffer.from('01', 'hex') });
  try {
    assert.equal(c.serverCid.length, 0);
    c.send(Buffer.from('z'));
    assert.equal((await c.nextData()).toString(), 'echo:z');
  } finally {
    await c.close();
    await ep.close();
  }
});
