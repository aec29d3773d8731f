/**
 * plainJson (the file store's one-walk writer) against JSON.stringify(toPlain(...)): the
 * same text for every kind of stored value, the same errors for what cannot be stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlainCodecError, fromPlain, plainJson, toPlain } from '../../../src/store/file/plain-codec.js';
import { recordLine } from '../../../src/store/file/record-log.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const STRINGS = ['', 'a', '$m', '$$x', '__proto__', 'quote " back \\ slash', 'ctl \u0001\n\t', 'lone \ud800 surrogate', 'é ✓ 😀', '12', '007'];

function randomValue(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 4 ? 9 : 13));
  const str = (): string => STRINGS[Math.floor(r() * STRINGS.length)]!;
  switch (pick) {
    case 0: return str();
    case 1: return r() < 0.5;
    case 2: return [0, -0, 1.5, -1e21, 1e-7, 2 ** 53, NaN, Infinity, -Infinity][Math.floor(r() * 9)];
    case 3: return BigInt(Math.floor(r() * 1e6)) * 10n ** 20n;
    case 4: return undefined;
    case 5: return null;
    case 6: return Buffer.from([1, 2, 3, Math.floor(r() * 256)]);
    case 7: return new Uint8Array([9, Math.floor(r() * 256)]).subarray(1);
    case 8: return LwM2mPath.parse('/3303/0/5700');
    case 9: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    case 10: {
      const o: Record<string, unknown> = {};
      for (let k = Math.floor(r() * 5); k > 0; k--) {
        const key = str();
        if (key === '__proto__') Object.defineProperty(o, key, { value: randomValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
        else o[key] = randomValue(r, depth + 1);
      }
      if (r() < 0.2) o.fn = () => 1;
      return o;
    }
    case 11: return new Map(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [r() < 0.5 ? i : str(), randomValue(r, depth + 1)] as const));
    default: return Object.assign(Object.create(null) as object, { a: randomValue(r, depth + 1) });
  }
}

void test('plainJson writes the text JSON.stringify(toPlain(v)) writes, for 20,000 random values', () => {
  const r = rng(0x91a1);
  for (let k = 0; k < 20_000; k++) {
    const v = randomValue(r, 0);
    assert.equal(plainJson(v), JSON.stringify(toPlain(v)), `value ${k}`);
  }
});

void test('plainJson refuses what toPlain refuses', () => {
  class Thing {}
  const deep: unknown[] = [];
  let at = deep;
  for (let i = 0; i < 60; i++) at.push((at = []));
  for (const bad of [() => 1, Symbol('s'), new Thing(), new Date(0), { a: [new Thing()] }, deep]) {
    assert.throws(() => toPlain(bad), PlainCodecError);
    assert.throws(() => plainJson(bad), PlainCodecError);
  }
});

void test('a record line reads back as the record it was written from', () => {
  const v = { m: new Map([[1, { version: '1.1', instances: [0] }]]), p: LwM2mPath.parse('/3/0'), t: new Uint8Array([1, 2]), $k: 'x' };
  const line = recordLine({ k: 'reg', op: 'add', key: 'id-1', v });
  assert.equal(line, JSON.stringify({ k: 'reg', op: 'add', key: 'id-1', v: toPlain(v) }) + '\n');
  const back = JSON.parse(line) as { v: unknown };
  assert.deepEqual(fromPlain(back.v), v);
  assert.equal(recordLine({ k: 'reg', op: 'remove', key: 'id-1' }), '{"k":"reg","op":"remove","key":"id-1"}\n');
});
