/** Query parameters and route segments: format names, timeouts, flags, lists, path ids. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'express';
import { flagOf, formatOf, listOf, pathOf, timeoutOf } from '../../../src/northbound/rest/params.js';
import { ProblemError } from '../../../src/northbound/rest/errors.js';

const req = (query: Record<string, unknown>, params: Record<string, string> = {}): Request => ({ query, params }) as unknown as Request;
const problem = (code: string) => (e: unknown) => e instanceof ProblemError && e.code === code;

describe('REST parameters', () => {
  it('reads ?format= as a name or a number', () => {
    assert.equal(formatOf(req({})), undefined);
    assert.equal(formatOf(req({ format: 'tlv' })), 11542);
    assert.equal(formatOf(req({ format: 'SenML-CBOR' })), 112);
    assert.equal(formatOf(req({ format: '11544' })), 11544);
    assert.throws(() => formatOf(req({ format: 'xml' })), problem('BAD_QUERY'));
    assert.throws(() => formatOf(req({ format: ['tlv', 'text'] })), problem('BAD_QUERY'));
  });

  it('reads ?timeout= in seconds, bounded', () => {
    assert.equal(timeoutOf(req({ timeout: '2.5' })), 2500);
    for (const bad of ['0', '-1', 'soon', '99999']) assert.throws(() => timeoutOf(req({ timeout: bad })), problem('BAD_QUERY'), bad);
  });

  it('reads flags and lists', () => {
    assert.equal(flagOf(req({ passive: '' }), 'passive'), true);
    assert.equal(flagOf(req({ passive: 'false' }), 'passive'), false);
    assert.equal(flagOf(req({}), 'passive'), undefined);
    assert.throws(() => flagOf(req({ passive: 'maybe' }), 'passive'), problem('BAD_QUERY'));
    assert.deepEqual(listOf(req({ paths: ['/3/0/1, /3/0/2', '/4'] }), 'paths'), ['/3/0/1', '/3/0/2', '/4']);
  });

  it('turns route segments into a path, refusing what is not an id', () => {
    assert.equal(pathOf(req({}, { objectId: '3', instanceId: '0', resourceId: '9' })).toString(), '/3/0/9');
    assert.throws(() => pathOf(req({}, { objectId: '3', instanceId: 'x' })), problem('BAD_PATH'));
    assert.throws(() => pathOf(req({}, { objectId: '65535' })), problem('BAD_PATH'));
  });
});
