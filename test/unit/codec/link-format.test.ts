import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { contentFormats, parseLinks, serializeLinks, type Link } from '../../../src/lwm2m/codec/link-format.js';
import { CodecError } from '../../../src/lwm2m/codec/codec.js';

const link = (uri: string, attrs: Record<string, string | true> = {}): Link => ({ uri, attributes: new Map(Object.entries(attrs)) });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
  return 'OK';
}

test('registration payloads of the LwM2M specifications', () => {
  // 1.0 style, with the root link announcing the format
  assert.deepEqual(parseLinks('</>;rt="oma.lwm2m";ct=11543,</1/101>,</1/102>,</2/0>,</2/1>,</3/0>,</4/0>,</5>'), [
    link('/', { rt: 'oma.lwm2m', ct: '11543' }),
    link('/1/101'),
    link('/1/102'),
    link('/2/0'),
    link('/2/1'),
    link('/3/0'),
    link('/4/0'),
    link('/5'),
  ]);
  // object versions (1.1)
  assert.deepEqual(parseLinks('</1/0>,</3/0>,</3442>;ver=1.1,</5/0>'), [link('/1/0'), link('/3/0'), link('/3442', { ver: '1.1' }), link('/5/0')]);
  // an alternate path
  assert.deepEqual(parseLinks('</lwm2m>;rt="oma.lwm2m",</lwm2m/1/101>,</lwm2m/3/0>'), [
    link('/lwm2m', { rt: 'oma.lwm2m' }),
    link('/lwm2m/1/101'),
    link('/lwm2m/3/0'),
  ]);
});

test('Discover answers with LwM2M attributes', () => {
  const text = '</3>;ver=1.1,</3/0>;pmin=10,</3/0/1>,</3/0/6>;dim=8,</3/0/7>;dim=8;gt=50;lt=42.2,</3/0/16>';
  const links = parseLinks(text);
  assert.deepEqual(links, [
    link('/3', { ver: '1.1' }),
    link('/3/0', { pmin: '10' }),
    link('/3/0/1'),
    link('/3/0/6', { dim: '8' }),
    link('/3/0/7', { dim: '8', gt: '50', lt: '42.2' }),
    link('/3/0/16'),
  ]);
  // emission gives the same text back: LwM2M attributes bare
  assert.equal(serializeLinks(links), text);
});

test('lenient parsing of what real clients send', () => {
  const variants: Array<[string, Link[]]> = [
    ['</>;rt="oma.lwm2m";ct="110 112"', [link('/', { rt: 'oma.lwm2m', ct: '110 112' })]],
    ['</>;rt="oma.lwm2m";ct=110 112', [link('/', { rt: 'oma.lwm2m', ct: '110 112' })]],
    ['</>;rt=oma.lwm2m;ct=110', [link('/', { rt: 'oma.lwm2m', ct: '110' })]],
    ['</>;rt="oma.lwm2m";ct=110,112,11544,</1/0>', [link('/', { rt: 'oma.lwm2m', ct: '110,112,11544' }), link('/1/0')]],
    ['</1/0>;ct=110, 112', [link('/1/0', { ct: '110,112' })]],
    ['</1/0>, </3/0>,\n </5>', [link('/1/0'), link('/3/0'), link('/5')]],
    ['</3442>;ver="1.1"', [link('/3442', { ver: '1.1' })]],
    ['</3/0/>,</5/>', [link('/3/0'), link('/5')]],
    ['</>;rt="oma.lwm2m"', [link('/', { rt: 'oma.lwm2m' })]],
    ['</3/0>;obs;pmin = 10 ; pmax=60', [link('/3/0', { obs: true, pmin: '10', pmax: '60' })]],
    ['</1/0>,</3/0>,', [link('/1/0'), link('/3/0')]],
    ['</1/0>;;ver=1.0', [link('/1/0', { ver: '1.0' })]],
    ['</0>;title="a \\"quoted\\" \\\\ name, with; signs"', [link('/0', { title: 'a "quoted" \\ name, with; signs' })]],
    ['', []],
    ['  \r\n', []],
  ];
  for (const [text, want] of variants) assert.deepEqual(parseLinks(text), want, JSON.stringify(text));
});

test('strict emission: quoted strings, bare numbers, valueless names', () => {
  const out = serializeLinks([
    link('/', { rt: 'oma.lwm2m', ct: '110 112' }),
    link('/1/0'),
    link('/3442', { ver: '1.1' }),
    link('/3/0', { obs: true, pmin: '10', st: '0.5', edge: '1' }),
    link('/x', { title: 'say "hi"\\', rt: '42' }),
  ]);
  assert.equal(out, '</>;rt="oma.lwm2m";ct="110 112",</1/0>,</3442>;ver=1.1,</3/0>;obs;pmin=10;st=0.5;edge=1,</x>;title="say \\"hi\\"\\\\";rt="42"');
  assert.deepEqual(parseLinks(out)[4], link('/x', { title: 'say "hi"\\', rt: '42' }));
  assert.equal(codeOf(() => serializeLinks([link('/a b')])), 'MALFORMED');
  assert.equal(codeOf(() => serializeLinks([link('/a', { 'b=c': '1' })])), 'MALFORMED');
});

test('what is not link-format throws MALFORMED', () => {
  const bad = [
    '/1/0',
    '<1/0',
    '</1/0>;ver="1.1',
    '</1/0> </3/0>',
    '</1/0>;=1',
    '</1/0>;a"b=1',
    '</1 0>',
    '</1/0>;ct=1"2',
    '</1/0>,3/0',
    '</1/0>;rt="x",112',
    '</1/0>;obs,112',
    '</1/0>;ct=110,112;x',
    '</1/0>;ver="x\\',
  ];
  for (const text of bad) assert.equal(codeOf(() => parseLinks(text)), 'MALFORMED', text);
  assert.equal(codeOf(() => parseLinks(null as unknown as string)), 'MALFORMED');
});

test('bounds: length, links, attributes', () => {
  const many = Array.from({ length: 11 }, (_, i) => `</${i}>`).join(',');
  assert.equal(parseLinks(many, { maxLength: 1000, maxLinks: 11, maxAttributes: 4 }).length, 11);
  assert.equal(codeOf(() => parseLinks(many, { maxLength: 1000, maxLinks: 10, maxAttributes: 4 })), 'MALFORMED');
  assert.equal(codeOf(() => parseLinks(many, { maxLength: 20, maxLinks: 100, maxAttributes: 4 })), 'MALFORMED');
  assert.equal(codeOf(() => parseLinks('</1>;a;b;c;d;e', { maxLength: 1000, maxLinks: 10, maxAttributes: 4 })), 'MALFORMED');
  // the default bounds hold a large registration
  const big = Array.from({ length: 5000 }, (_, i) => `</${i % 65534}/${i}>;ver=1.0`).join(',');
  assert.equal(parseLinks(big).length, 5000);
});

test('ct values as content formats', () => {
  assert.deepEqual(contentFormats('110 112'), [110, 112]);
  assert.deepEqual(contentFormats(' 60  11544'), [60, 11544]);
  assert.deepEqual(contentFormats('110'), [110]);
  assert.deepEqual(contentFormats('x 99999 42'), [42]);
  assert.deepEqual(contentFormats(true), []);
  assert.deepEqual(contentFormats(undefined), []);
});

test('property: what is emitted parses back to the same links', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
  const value = fc.oneof(
    fc.constant(true as const),
    fc.integer({ min: 0, max: 100000 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((d) => d.toFixed(2)),
    fc.string({ maxLength: 12 }),
  );
  const uri = fc.array(fc.integer({ min: 0, max: 65534 }), { maxLength: 4 }).map((ids) => '/' + ids.join('/'));
  const linkArb = fc.record({ uri, attrs: fc.dictionary(name, value, { maxKeys: 5 }) }).map((l) => link(l.uri, l.attrs));
  fc.assert(
    fc.property(fc.array(linkArb, { maxLength: 8 }), (links) => {
      assert.deepEqual(parseLinks(serializeLinks(links)), links);
    }),
    { numRuns: 500 },
  );
});
