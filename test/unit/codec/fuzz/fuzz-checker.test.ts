/** The fuzz tests' own checker: what it must report, and what it must let pass. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecRegistry } from '../../../../src/lwm2m/codec/registry.js';
import type { NodeCodec } from '../../../../src/lwm2m/codec/codec.js';
import { verdict } from './fuzz-helpers.js';
import { P, ctx } from './fuzz-seeds.js';

test('fuzz checker: a codec that lets a TypeError escape is reported as INTERNAL', () => {
  const broken: NodeCodec = {
    formats: [65000],
    name: 'broken',
    encode: () => new Uint8Array(0),
    decode: (_path, payload) => {
      const nothing = payload.length > 1 ? undefined : { kind: 'resource' };
      return (nothing as unknown as { kind: string }).kind as never;
    },
  };
  const reg = new CodecRegistry([broken]);
  assert.match(verdict(reg.decode(65000, P('/3/0/0'), Uint8Array.of(1, 2), ctx)) ?? '', /^INTERNAL/);
  assert.equal(verdict(reg.decode(65000, P('/3/0/0'), Uint8Array.of(1), ctx)), undefined);
  assert.equal(verdict(reg.decode(65001, P('/3/0/0'), Uint8Array.of(1), ctx)), undefined); // UNKNOWN_FORMAT is fine
  assert.equal(verdict({ value: 1 }), 'not a CodecResult');
});
