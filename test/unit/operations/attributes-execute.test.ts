import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toDownlink, OperationError } from '../../../src/lwm2m/server/operations/index.js';
import { formatDecimal } from '../../../src/lwm2m/server/operations/attributes.js';
import { formatExecuteArgs, parseExecuteArgs } from '../../../src/lwm2m/server/operations/execute.js';
import type { Attributes } from '../../../src/lwm2m/server/types.js';
import { fakeCtx, reg } from './fixtures.js';

const c = fakeCtx();

function query(version: string, path: string, attributes: Attributes): string[] | undefined {
  return toDownlink(reg(version), { op: 'writeAttributes', path, attributes }, c).query;
}

void test('write-attributes: query strings in a stable order, null unsets', () => {
  assert.deepEqual(query('1.0', '/3303/0/5700', { pmin: 10, pmax: 60, gt: 1.5, lt: -3, st: 0.5 }), [
    'pmin=10',
    'pmax=60',
    'gt=1.5',
    'lt=-3',
    'st=0.5',
  ]);
  assert.deepEqual(query('1.1', '/3303/0', { pmax: null, pmin: 5 }), ['pmin=5', 'pmax']);
  assert.deepEqual(query('1.1', '/3303', { epmin: 1, epmax: 2 }), ['epmin=1', 'epmax=2']);
  assert.deepEqual(query('1.2', '/3303/0/5700', { edge: 1, con: 0, hqmax: 4 }), ['edge=1', 'con=0', 'hqmax=4']);
  const dl = toDownlink(reg('1.0'), { op: 'writeAttributes', path: '/3303/0/5700', attributes: { pmin: 1 } }, c);
  assert.deepEqual([dl.op, dl.path.toString(), dl.payload, dl.contentFormat], ['writeAttributes', '/3303/0/5700', undefined, undefined]);
});

void test('write-attributes: checks', () => {
  const bad: [string, string, Attributes, RegExp][] = [
    ['1.1', '/3303/0/5700', { lt: 5, gt: 5 }, /lt .* less than gt/],
    ['1.1', '/3303/0/5700', { lt: 1, gt: 5, st: 2 }, /lt \+ 2\*st/],
    ['1.1', '/3303/0/5700', { pmin: 61, pmax: 60 }, /pmin/],
    ['1.1', '/3303/0/5700', { epmin: 3, epmax: 2 }, /epmin/],
    ['1.1', '/3303/0/5700', { gt: Number.NaN }, /finite/],
    ['1.1', '/3303/0/5700', { gt: Number.POSITIVE_INFINITY }, /finite/],
    ['1.1', '/3303/0/5700', { pmin: 1.5 }, /integer/],
    ['1.1', '/3303/0/5700', { pmax: -1 }, /integer/],
    ['1.1', '/3303/0/5700', { st: -1 }, /st/],
    ['1.2', '/3303/0/5700', { edge: 2 as 0 }, /0 or 1/],
    ['1.1', '/3303/0', { gt: 3 }, /resource/],
    ['1.0', '/3303/0/5700', { epmin: 3 }, /1\.1/],
    ['1.1', '/3303/0/5700', { hqmax: 3 }, /1\.2/],
    ['1.1', '/3303/0/5700', {}, /no attribute/],
    ['1.1', '/', { pmin: 1 }, /object/],
    ['1.1', '/3303/0/5700', { foo: 1 } as unknown as Attributes, /unknown attribute/],
  ];
  for (const [v, p, a, re] of bad) {
    assert.throws(() => query(v, p, a), (e: unknown) => e instanceof OperationError && e.code === 'BAD_REQUEST' && re.test(e.message), JSON.stringify(a));
  }
  // valid boundaries
  assert.deepEqual(query('1.1', '/3303/0/5700', { lt: 1, gt: 5.01, st: 2 }), ['gt=5.01', 'lt=1', 'st=2']);
  assert.deepEqual(query('1.1', '/3303/0/5700', { pmin: 60, pmax: 60 }), ['pmin=60', 'pmax=60']);
});

void test('numbers are written without exponent', () => {
  assert.equal(formatDecimal(1e21), '1000000000000000000000');
  assert.equal(formatDecimal(1e-7), '0.0000001');
  assert.equal(formatDecimal(-2.5), '-2.5');
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      const s = formatDecimal(n);
      assert.ok(!/e/i.test(s), s);
      assert.ok(Number(s) === n, `${s} != ${n}`);
    }),
  );
});

void test('execute: arguments checked by the spec syntax, sent as text', () => {
  const dl = toDownlink(reg('1.1'), { op: 'execute', path: '/3/0/4', args: "0='U',1" }, c);
  assert.equal(dl.op, 'execute');
  assert.equal(new TextDecoder().decode(dl.payload), "0='U',1");
  assert.equal(dl.contentFormat, 0);
  const none = toDownlink(reg('1.1'), { op: 'execute', path: '/3/0/4' }, c);
  assert.equal(none.payload, undefined);
  assert.equal(toDownlink(reg('1.1'), { op: 'execute', path: '/3/0/4', args: '' }, c).payload, undefined);
  for (const bad of ['a', "0='x", "0=x", '0,', ',0', '00', "0='a b'", "0='a\"b'", "0='a\\\\b'", '0;1', "1='x',1", '10']) {
    assert.throws(() => toDownlink(reg('1.1'), { op: 'execute', path: '/3/0/4', args: bad }, c), OperationError, bad);
  }
  assert.throws(() => toDownlink(reg('1.1'), { op: 'execute', path: '/3/0', args: '0' }, c), /resource path/);
  assert.throws(() => toDownlink(reg('1.1'), { op: 'execute', path: '/3/0/4/1' }, c), /resource path/);
});

void test('execute arguments parse and print back', () => {
  assert.deepEqual(parseExecuteArgs("0='U',1,5='http://x/y?z=1'"), [{ digit: 0, value: 'U' }, { digit: 1 }, { digit: 5, value: 'http://x/y?z=1' }]);
  assert.deepEqual(parseExecuteArgs("3=''"), [{ digit: 3, value: '' }]);
  const arb = fc.uniqueArray(
    fc.record({ digit: fc.integer({ min: 0, max: 9 }), value: fc.option(fc.stringMatching(/^[!#-&(-[\]-~]{0,8}$/), { nil: undefined }) }),
    { selector: (a) => a.digit, maxLength: 10 },
  );
  fc.assert(
    fc.property(arb, (args) => {
      const clean = args.map((a) => (a.value === undefined ? { digit: a.digit } : { digit: a.digit, value: a.value }));
      assert.deepEqual(parseExecuteArgs(formatExecuteArgs(clean)), clean);
    }),
  );
});
