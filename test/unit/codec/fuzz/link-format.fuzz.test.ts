/**
 * Fuzz test of the link-format parser: ITERATIONS random and mutated link texts, seeded.
 * Each must parse to an array or throw a MALFORMED CodecError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../../src/lwm2m/codec/codec.js';
import { parseLinks } from '../../../../src/lwm2m/codec/link-format.js';
import { ITERATIONS, Rng, SEED, fuzzInput, report, seedPool, withoutStacks, type Finding } from './fuzz-helpers.js';
import { te } from './fuzz-seeds.js';

test('fuzz: link-format parser', () => {
  const rng = new Rng(SEED ^ 0x40);
  const linkSeeds = [
    '</>;rt="oma.lwm2m";ct="110 112",</1/0>,</3/0>,</3442>;ver=1.1,</5>',
    '</3>;ver=1.1,</3/0>;pmin=10,</3/0/6>;dim=8,</3/0/7>;dim=8;gt=50;lt=42.2',
    '</lwm2m>;rt="oma.lwm2m",</lwm2m/1/101>;title="a \\"b\\"";obs',
  ].map((s) => ({ bytes: te.encode(s) }));
  const pool = seedPool(linkSeeds, linkSeeds.map((s) => s.bytes));
  const td = new TextDecoder();
  const findings: Finding[] = [];
  withoutStacks(() => {
    for (let i = 0; i < ITERATIONS; i++) {
      const bytes = fuzzInput(rng, pool).payload;
      const text = td.decode(bytes);
      try {
        const links = parseLinks(text);
        if (!Array.isArray(links)) throw new Error('not an array');
      } catch (e) {
        if (!(e instanceof CodecError) || e.code !== 'MALFORMED') {
          findings.push({ entry: 'parseLinks', format: 40, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e), payload: bytes, iteration: i });
        }
      }
    }
  });
  if (findings.length) assert.fail(report('link-format', findings, ITERATIONS));
});
