import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../../src/store/file/file-store.js';
import { recordLine } from '../../../src/store/file/record-log.js';
import type { FileStoreOptions } from '../../../src/store/file/file-store.js';
import type { Logger } from '../../../src/log.js';
import type { ServerStore } from '../../../src/lwm2m/server/store.js';
import { observation, queued, registration, storeContract } from '../../helpers/store-contract.js';
import { psk } from '../../helpers/security-store-contract.js';

const dirs: string[] = [];
const open: FileStore[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lwm2m-file-store-'));
  dirs.push(d);
  return d;
}

function openStore(dir: string, extra: Partial<FileStoreOptions> = {}): FileStore {
  const s = FileStore.open({ dir, ...extra });
  open.push(s);
  return s;
}

after(async () => {
  for (const s of open) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

storeContract('FileStore', () => openStore(tempDir()));

interface Logged {
  level: string;
  msg: string;
  fields: Record<string, unknown> | undefined;
}

function recordingLogger(): Logger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** registrations (one with a `$`-named and a `__proto__` query parameter), an update, observations, a queue, credentials */
function populate(store: ServerStore): void {
  const extra = JSON.parse('{"$m":"x","$$b":"z","__proto__":"y","pid":"7"}') as Record<string, string>;
  store.add(registration('r1', 'a', { extra }));
  store.add(registration('r2', 'b', { queueMode: true, peer: { transport: 'udp', key: 'udp:127.0.0.1:5000', address: '127.0.0.1', port: 5000 } }));
  store.update({ ...registration('r1', 'a', { extra }), lifetime: 120, expiresAt: 120_000 });
  store.add(registration('r3', 'c'));
  store.remove('r3');
  store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
  store.addObservation(observation('o2', 'r1', ['/3/0/1', '/3303/0/5700'], 2));
  store.addObservation(observation('o3', 'r2', ['/3303/0'], 3));
  store.removeObservation('o3');
  store.queueRequest(queued('b', 1, 5000), 10);
  store.queueRequest({ endpoint: 'b', request: { op: 'write', path: '/3/0/14', node: { kind: 'resource', id: 14, type: 'string', value: '+02' } }, queuedAt: 1, expiresAt: 9000 }, 10);
  store.queueRequest(queued('b', 3, 9000), 10);
  store.nextRequest('b');
  store.security.put(psk('a', 'id-a'));
  store.security.put({ endpoint: 'b', mode: 'rpk', publicKey: Buffer.from('3059301306', 'hex') });
  store.security.put(psk('c', 'id-c'));
  store.security.remove('c');
}

/** everything a store holds, as plain data to compare */
function contents(store: ServerStore): unknown {
  return {
    registrations: store.all().sort((x, y) => x.id.localeCompare(y.id)),
    observations: store.all().map((r) => store.getObservations(r.id)),
    byToken: store.getObservationByToken(new Uint8Array([2, 1, 2, 3, 4, 5, 6, 7]))?.observation.id,
    queue: [store.queuedRequests('b'), store.nextRequest('b'), store.nextRequest('b'), store.nextRequest('b')],
    security: store.security.all().sort((x, y) => x.endpoint.localeCompare(y.endpoint)),
    psk: store.security.pskFor(Buffer.from('id-a')),
  };
}

test('FileStore: what was stored is there after a reopen, the same values', async () => {
  const dir = tempDir();
  const first = openStore(dir);
  populate(first);
  await first.close();
  const fresh = openStore(tempDir());
  populate(fresh);
  const expected = contents(fresh);
  const again = openStore(dir);
  assert.equal(again.replay.corrupt, undefined);
  assert.deepStrictEqual(contents(again), expected);
  const extra = again.get('r1')!.extra;
  assert.deepEqual([extra.$m, extra.$$b, Object.getOwnPropertyDescriptor(extra, '__proto__')?.value], ['x', 'z', 'y'], 'parameters named like tags come back as parameters');
});

test('FileStore: a record is in the file once the turn that made it ends (before any answer leaves), without close()', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  store.add(registration('r1', 'a'));
  await Promise.resolve();
  // another process reading the folder now: what a kill -9 would leave
  const copy = tempDir();
  for (const f of readdirSync(dir)) writeFileSync(join(copy, f), readFileSync(join(dir, f)));
  const reopened = openStore(copy);
  assert.equal(reopened.get('r1')?.endpoint, 'a');
});

function currentLog(dir: string): string {
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  assert.equal(logs.length, 1);
  return join(dir, logs[0]!);
}

test('FileStore: a torn last record (a crash in the middle of a write) is skipped, what came before is kept', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  store.add(registration('r1', 'a'));
  store.add(registration('r2', 'b'));
  await store.close();
  appendFileSync(currentLog(dir), '{"k":"reg","op":"add","v":{"id":"r3","endp');
  const log = recordingLogger();
  const again = openStore(dir, { logger: log });
  assert.equal(again.replay.torn, true);
  assert.equal(again.replay.corrupt, undefined);
  assert.deepEqual(again.all().map((r) => r.id).sort(), ['r1', 'r2']);
  assert.ok(log.lines.some((l) => l.level === 'warn' && l.msg.includes('torn')));
  // the new generation starts from a snapshot: later records are not appended after the torn one
  again.add(registration('r4', 'd'));
  await again.close();
  assert.deepEqual(openStore(dir).all().map((r) => r.id).sort(), ['r1', 'r2', 'r4']);
});

test('FileStore: a corrupt record stops the replay there, logged with file and offset, the file kept aside; never a throw', async () => {
  const bad = [
    'not json at all',
    '{"k":"reg","op":"add","v":{"id":1}}',
    '{"k":"nope","op":"add"}',
    '{"k":"obs","op":"add","v":{"observation":{"id":"x"}}}',
    '{"k":"reg","op":"add","v":{"$zz":1}}',
    '{"k":"sec","op":"put","v":{"endpoint":"e","mode":"psk","identity":"i","key":{"$B":"AAAA"}}}'.replace('AAAA', 'A'.repeat(200)),
    '\u0000\u0000\u0000',
  ];
  for (const line of bad) {
    const dir = tempDir();
    const store = openStore(dir);
    store.add(registration('r1', 'a'));
    await store.close();
    const file = currentLog(dir);
    const offset = statSync(file).size;
    appendFileSync(file, line + '\n');
    appendFileSync(file, JSON.stringify({ k: 'reg', op: 'remove', key: 'r1' }) + '\n');
    const log = recordingLogger();
    const again = openStore(dir, { logger: log });
    assert.deepEqual(again.replay.corrupt && { file: again.replay.corrupt.file, offset: again.replay.corrupt.offset }, { file, offset }, line);
    assert.equal(again.get('r1')?.endpoint, 'a', 'the records before it are applied, none after');
    const logged = log.lines.find((l) => l.level === 'error');
    assert.equal(logged?.fields?.file, file);
    assert.equal(logged?.fields?.offset, offset);
    assert.ok(!JSON.stringify(logged).includes('AAAA'), 'nothing of the record is logged');
    assert.ok(existsSync(`${file}.corrupt`));
  }
});

test('FileStore: a record longer than the bound is corrupt; nothing too long is written', async () => {
  const dir = tempDir();
  const log = recordingLogger();
  const store = openStore(dir, { maxRecordBytes: 2048, logger: log });
  store.add(registration('r1', 'a'));
  store.add(registration('r2', 'b', { extra: { big: 'x'.repeat(4000) } }));
  await store.close();
  assert.ok(log.lines.some((l) => l.msg.includes('too long')));
  const reopened = openStore(dir, { maxRecordBytes: 2048 });
  assert.deepEqual(reopened.all().map((r) => r.id), ['r1']);
  await reopened.close();
  appendFileSync(currentLog(dir), JSON.stringify({ k: 'reg', op: 'add', v: { pad: 'y'.repeat(5000) } }) + '\n');
  assert.equal(openStore(dir, { maxRecordBytes: 2048 }).replay.corrupt?.reason, 'record too long');
});

test('FileStore: compaction writes a snapshot, starts a new log, removes the old files; the state survives it', async () => {
  const dir = tempDir();
  const store = openStore(dir, { compactMinBytes: 4096 });
  const start = store.files.generation;
  for (let i = 0; i < 200; i++) store.add(registration(`r${i % 20}`, `ep${i % 20}`, { lifetime: i }));
  store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
  await Promise.resolve();
  assert.equal(store.files.generation, start + 1, 'the log grew past the bound: a new generation began');
  await store.compact(); // the compaction under way
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['LOCK', `store.${store.files.generation}.log`, `store.${store.files.generation}.snap`]);
  store.add(registration('after', 'after'));
  await store.close();
  const again = openStore(dir);
  assert.equal(again.size, 21);
  assert.equal(again.get('r19')?.lifetime, 199);
  assert.equal(again.getObservations('r1').length, 1);
});

test('FileStore: a compaction that died before its rename replays from the older snapshot and both logs', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  store.add(registration('r1', 'a'));
  await store.close();
  const gen = Number(readdirSync(dir).find((f) => f.endsWith('.snap'))!.split('.')[1]);
  // what a crash between the new log and the snapshot's rename leaves
  writeFileSync(join(dir, `store.${gen + 1}.log`), recordLine({ k: 'reg', op: 'add', v: registration('r2', 'b') }));
  writeFileSync(join(dir, `store.${gen + 1}.tmp`), '{"k":"reg","op":"ad');
  const again = openStore(dir);
  assert.deepEqual(again.all().map((r) => r.id).sort(), ['r1', 'r2']);
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')));
});

test('FileStore: one process per folder: a live owner refuses the open, a dead one (kill -9) is taken over', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  assert.throws(() => FileStore.open({ dir }), /already open in this process/);
  await store.close();
  writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`); // a live process that is not us
  assert.throws(() => FileStore.open({ dir }), /used by another process \(pid \d+\)/);
  writeFileSync(join(dir, 'LOCK'), '2147483646\n'); // no such process
  const taken = openStore(dir);
  assert.equal(readFileSync(join(dir, 'LOCK'), 'utf8').trim(), String(process.pid));
  await taken.close();
  assert.ok(!existsSync(join(dir, 'LOCK')), 'released on close');
});
