import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instance, multiResource, resource, type ObjectNode } from '../../../src/lwm2m/node.js';
import { codeMsg, contentOf, jsonValue, resultContent, resultStatus, valueType } from '../../../src/northbound/mqtt/json-values.js';

void test('values: opaque base64, object links "o:i", big integers as strings, time as seconds', () => {
  assert.equal(jsonValue(new Uint8Array([1, 2, 255])), 'AQL/');
  assert.equal(jsonValue({ objectId: 3, instanceId: 0 }), '3:0');
  assert.equal(jsonValue(12n), 12);
  assert.equal(jsonValue(2n ** 63n - 1n), '9223372036854775807');
  assert.equal(jsonValue(1_700_000_000), 1_700_000_000);
  assert.equal(jsonValue(21.5), 21.5);
  assert.equal(jsonValue(Number.NaN), null);
  assert.equal(jsonValue(true), true);
  assert.equal(jsonValue('x'), 'x');
  assert.equal(jsonValue(null), null);
});

void test('content: every leaf with its full path, resource instances included', () => {
  const inst = instance(0, [resource(0, 'string', 'ACME'), multiResource(6, 'integer', { 0: 1, 1: 5 })]);
  assert.deepEqual(contentOf('/3/0', inst), [
    { path: '/3/0/0', value: 'ACME' },
    { path: '/3/0/6/0', value: 1 },
    { path: '/3/0/6/1', value: 5 },
  ]);
  assert.deepEqual(contentOf('/3303/0/5700', resource(5700, 'float', 21.5)), [{ path: '/3303/0/5700', value: 21.5 }]);
  const obj: ObjectNode = { kind: 'object', id: 3303, instances: new Map([[1, instance(1, [resource(5700, 'float', 3)])]]) };
  assert.deepEqual(contentOf('/3303', obj), [{ path: '/3303/1/5700', value: 3 }]);
  assert.deepEqual(contentOf('/3/0/6/1', { kind: 'resourceInstance', id: 1, type: 'integer', value: 5 }), [{ path: '/3/0/6/1', value: 5 }]);
});

void test('result content: composite nodes and timestamped records (with time)', () => {
  const nodes = new Map([
    ['/3/0/0', resource(0, 'string', 'A')],
    ['/3/0/9', null],
  ]);
  assert.deepEqual(resultContent(undefined, { nodes }), [{ path: '/3/0/0', value: 'A' }]);
  const timestamped = [
    { time: 100, nodes: new Map([['/3303/0/5700', resource(5700, 'float', 1)]]) },
    { time: 110, nodes: new Map([['/3303/0/5700', resource(5700, 'float', 2)]]) },
  ];
  assert.deepEqual(resultContent('/3303/0/5700', { node: resource(5700, 'float', 2), timestamped }), [
    { path: '/3303/0/5700', value: 1, time: 100 },
    { path: '/3303/0/5700', value: 2, time: 110 },
  ]);
});

void test('codes: reason texts, and gateway codes when the device gave no answer', () => {
  assert.equal(codeMsg('2.05'), 'content');
  assert.equal(codeMsg('2.04'), 'changed');
  assert.equal(codeMsg('4.04'), 'not_found');
  assert.equal(codeMsg('4.05'), 'method_not_allowed');
  assert.equal(codeMsg('9.99'), 'unknown');
  assert.deepEqual(resultStatus({ success: true, code: '2.04' }), { code: '2.04', codeMsg: 'changed' });
  assert.deepEqual(resultStatus({ success: false, code: '4.05' }), { code: '4.05', codeMsg: 'method_not_allowed' });
  assert.deepEqual(resultStatus({ success: false, error: { code: 'TIMEOUT', message: 'no answer' } }), {
    code: '5.04',
    codeMsg: 'gateway_timeout',
    error: { code: 'TIMEOUT', message: 'no answer' },
  });
  assert.equal(resultStatus({ success: false, error: { code: 'NOT_REGISTERED', message: 'x' } }).code, '4.04');
  const bad = resultStatus({ success: false, code: '2.05', error: { code: 'BAD_RESPONSE', message: 'x' } });
  assert.deepEqual([bad.code, bad.codeMsg], ['2.05', 'bad_response']);
});

void test('value type names of commands, any case', () => {
  assert.equal(valueType('Integer'), 'integer');
  assert.equal(valueType('Objlnk'), 'objlnk');
  assert.equal(valueType('unsigned integer'), 'unsigned');
  assert.equal(valueType('Number'), undefined);
  assert.equal(valueType(3), undefined);
});
