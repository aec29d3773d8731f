/** The problem catalog stays consistent; device codes and core errors map to it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PROBLEMS, ProblemError, deviceCodeProblem, problemBody, resultProblem, type ProblemCode } from '../../../src/northbound/rest/errors.js';
import type { OperationErrorCode } from '../../../src/lwm2m/server/types.js';

describe('REST problem catalog', () => {
  it('has an HTTP error status and a title for every code, and codes in upper snake case', () => {
    for (const [code, p] of Object.entries(PROBLEMS)) {
      assert.match(code, /^[A-Z][A-Z0-9_]*$/);
      assert.ok(p.status >= 400 && p.status <= 599, code);
      assert.ok(p.title.length > 0, code);
    }
  });

  it('writes RFC 9457 bodies with the code and the detail', () => {
    const b = problemBody('DEVICE_NOT_FOUND', 'no device "x"', { endpoint: 'x' });
    assert.deepEqual(b, {
      type: 'urn:lwm2m-gateway:problem:DEVICE_NOT_FOUND',
      title: PROBLEMS.DEVICE_NOT_FOUND.title,
      status: 404,
      code: 'DEVICE_NOT_FOUND',
      detail: 'no device "x"',
      endpoint: 'x',
    });
    assert.equal(new ProblemError('BAD_JSON').body().detail, undefined);
  });

  it('maps device answers to statuses', () => {
    const cases: [string, number][] = [
      ['4.00', 400], ['4.01', 403], ['4.03', 403], ['4.04', 404], ['4.05', 405], ['4.06', 406],
      ['4.12', 412], ['4.13', 413], ['4.15', 415], ['4.02', 502], ['5.00', 502], ['5.03', 502],
    ];
    for (const [coap, status] of cases) {
      assert.equal(PROBLEMS[deviceCodeProblem(coap)].status, status, coap);
      const p = resultProblem({ success: false, code: coap });
      assert.equal(p.status, status, coap);
      assert.equal(p.extra.deviceCode, coap);
    }
  });

  it('maps every core error code', () => {
    const cases: Record<OperationErrorCode, ProblemCode> = {
      NOT_REGISTERED: 'DEVICE_NOT_FOUND',
      BAD_REQUEST: 'BAD_REQUEST',
      TIMEOUT: 'DEVICE_TIMEOUT',
      QUEUE_EXPIRED: 'QUEUE_EXPIRED',
      QUEUE_FULL: 'QUEUE_FULL',
      CANCELLED: 'REQUEST_CANCELLED',
      TRANSPORT: 'TRANSPORT_ERROR',
      BAD_RESPONSE: 'BAD_DEVICE_RESPONSE',
      NOT_SUPPORTED: 'OPERATION_NOT_SUPPORTED',
    };
    for (const [code, problem] of Object.entries(cases)) {
      const p = resultProblem({ success: false, error: { code: code as OperationErrorCode, message: 'm' } });
      assert.equal(p.code, problem);
      assert.equal(p.detail, 'm');
    }
    assert.equal(resultProblem({ success: false, error: { code: 'TIMEOUT', message: 'm' } }).status, 504);
    assert.equal(resultProblem({ success: false, error: { code: 'TRANSPORT', message: 'm' } }).status, 502);
  });
});
