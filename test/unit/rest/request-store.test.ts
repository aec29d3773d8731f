/** Queued requests: states, and finished ones forgotten by age and by count. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RequestStore, requestJson } from '../../../src/northbound/rest/request-store.js';

describe('RequestStore', () => {
  it('goes queued -> sent -> done / failed', () => {
    const s = new RequestStore();
    const a = s.add('ep1', 'read', ['/3/0/9']);
    const b = s.add('ep1', 'write', ['/3/0/14']);
    const c = s.add('ep2', 'read', ['/3/0']);
    assert.equal(a.state, 'queued');
    assert.notEqual(a.id, b.id);
    s.markSent('ep1');
    assert.equal(s.get(a.id)?.state, 'sent');
    assert.equal(s.get(c.id)?.state, 'queued');
    s.finish(a.id, { status: 200, body: { value: 1 } });
    s.finish(b.id, { status: 404, body: { code: 'DEVICE_PATH_NOT_FOUND' } });
    assert.equal(s.get(a.id)?.state, 'done');
    assert.equal(s.get(b.id)?.state, 'failed');
    // a second result does not overwrite the first
    s.finish(a.id, { status: 504, body: null });
    assert.equal(s.get(a.id)?.result?.status, 200);
    assert.deepEqual(s.pending().map((r) => r.id), [c.id]);
    assert.deepEqual(s.pending('ep1'), []);
    const j = requestJson(s.get(a.id)!);
    assert.equal(j.location, `/api/requests/${a.id}`);
    assert.deepEqual(j.result, { status: 200, body: { value: 1 } });
  });

  it('forgets finished requests after retainMs, never pending ones', () => {
    let now = 1_000;
    const s = new RequestStore({ retainMs: 100, now: () => now });
    const done = s.add('ep', 'read', []);
    const waiting = s.add('ep', 'read', []);
    s.finish(done.id, { status: 200, body: null });
    now += 100;
    assert.ok(s.get(done.id));
    now += 1;
    assert.equal(s.get(done.id), undefined);
    now += 1_000_000;
    assert.ok(s.get(waiting.id));
  });

  it('keeps at most maxFinished finished requests, oldest forgotten first', () => {
    const s = new RequestStore({ maxFinished: 3 });
    const ids = Array.from({ length: 5 }, () => s.add('ep', 'read', []).id);
    for (const id of ids) s.finish(id, { status: 200, body: null });
    assert.deepEqual(ids.map((id) => s.get(id) !== undefined), [false, false, true, true, true]);
    assert.equal(s.size, 3);
  });
});
