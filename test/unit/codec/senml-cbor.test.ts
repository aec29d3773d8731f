import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { senmlCborCodec } from '../../../src/lwm2m/codec/senml-cbor.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import {
  COMPOSITE_PATHS,
  COMPOSITE_READ,
  COMPOSITE_WRITE,
  DEVICE_0,
  LINKED_OBJECTS,
  NOW_S,
  codeOf,
  ctxOf,
  hex,
  p,
  toHex,
} from './senml-fixtures.js';

const codec = senmlCborCodec;
const ctx = ctxOf();
const enc = (path: string, node: LwM2mNode): string => toHex(codec.encode(p(path), node, ctx));
const dec = (path: string, h: string): LwM2mNode => codec.decode(p(path), hex(h), ctx);
const decCode = (path: string, h: string): string => codeOf(() => dec(path, h));

// LwM2M 1.1 Core, section 7.4.5 (SenML CBOR) examples, in hex.
const DEVICE_CBOR =
  '90a321652f332f302f00613003744f70656e204d6f62696c6520416c6c69616e6365a200613103764c69676874776569676874204d324d20436c69656e74' +
  'a20061320369333435303030313233a20061330363312e30a20063362f300201a20063362f310205a20063372f3002190ed8a20063372f3102191388' +
  'a20063382f3002187da20063382f3102190384a2006139021864a200623130020fa2006431312f300200a200623133021a5182428f' +
  'a20062313403662b30323a3030a200623136036155';
const HISTORY_CBOR =
  '83a521642f37322f221a0184876a0063312f3202fb40366666666666660624a30063312f3202fb4036e6666666666606381d' +
  'a30063312f3202fb403819999999999a063831';
const LINKS_CBOR =
  '8ca321612f006836352f302f302f3063766c6f6436363a30a2006836352f302f302f3163766c6f6436363a31' +
  'a2006636352f302f31036d38363133383030373535353030a2006636352f302f320201a2006636362f302f30036a6d795365727669636531' +
  'a2006636362f302f31036f496e7465726e65742e31352e323334a2006636362f302f3263766c6f6436373a30' +
  'a2006636362f312f30036a6d795365727669636532a2006636362f312f31036f496e7465726e65742e31352e323335' +
  'a2006636362f312f3263766c6f6b36353533353a3635353335a2006636372f302f30036b38352e37362e37362e3834' +
  'a2006636372f302f31036d38352e37362e3235352e323535';
const SINGLE_CBOR = '81a221662f332f302f3003744f70656e204d6f62696c6520416c6c69616e6365';
const PATHS_CBOR = '83a100662f332f302f30a100662f332f302f39a100662f312f302f31';
const COMPOSITE_READ_CBOR =
  '83a200662f332f302f3003744f70656e204d6f62696c6520416c6c69616e6365a200662f332f302f3902185fa200662f312f302f31021a00015180';
const COMPOSITE_WRITE_CBOR =
  '84a2006c2f333331312f302f3538353004f4a2006c2f333331312f312f3538353004f4a2006c2f333331312f322f353835310214a2006c2f333330382f302f353930300212';

describe('SenML CBOR: LwM2M Core examples, byte for byte', () => {
  test('read of the Device object instance', () => {
    assert.equal(enc('/3/0', DEVICE_0), DEVICE_CBOR);
    assert.deepEqual(dec('/3/0', DEVICE_CBOR), DEVICE_0);
  });

  test('read of a single resource', () => {
    const node = resource(0, 'string', 'Open Mobile Alliance');
    assert.equal(enc('/3/0/0', node), SINGLE_CBOR);
    assert.deepEqual(dec('/3/0/0', SINGLE_CBOR), node);
  });

  test('notification with history (bt -3, t 6)', () => {
    const got = codec.decodeTimestamped(p('/72'), hex(HISTORY_CBOR), ctx);
    const at = (v: number) => object(72, [instance(1, [{ ...resource(2, 'float', v), unknown: true }])]);
    assert.deepEqual(got, [
      { time: NOW_S + 25462584, nodes: new Map([['/72', at(24.1)]]) },
      { time: NOW_S + 25462604, nodes: new Map([['/72', at(22.9)]]) },
      { time: NOW_S + 25462629, nodes: new Map([['/72', at(22.4)]]) },
    ]);
  });

  test('object links (vlo as a text key)', () => {
    const data = [{ time: undefined, nodes: new Map<string, LwM2mNode>(LINKED_OBJECTS) }];
    assert.equal(toHex(codec.encodeTimestamped(LwM2mPath.ROOT, data, ctx)), LINKS_CBOR);
    assert.deepEqual(codec.decodeNodes(hex(LINKS_CBOR), ['/65', '/66', '/67'].map(p), ctx), new Map(LINKED_OBJECTS));
  });

  test('read-composite request, response, and write-composite request', () => {
    assert.equal(toHex(codec.encodePaths!(COMPOSITE_PATHS)), PATHS_CBOR);
    assert.deepEqual(codec.decodePaths!(hex(PATHS_CBOR), ctx), COMPOSITE_PATHS);
    assert.equal(toHex(codec.encodeNodes(COMPOSITE_READ, ctx)), COMPOSITE_READ_CBOR);
    assert.deepEqual(codec.decodeNodes(hex(COMPOSITE_READ_CBOR), COMPOSITE_PATHS, ctx), new Map(COMPOSITE_READ));
    assert.equal(toHex(codec.encodeNodes(COMPOSITE_WRITE, ctx)), COMPOSITE_WRITE_CBOR);
    assert.deepEqual(codec.decodeNodes(hex(COMPOSITE_WRITE_CBOR), undefined, ctx), new Map(COMPOSITE_WRITE));
  });
});

describe('SenML CBOR: values', () => {
  test('opaque values are byte strings (label 8)', () => {
    const node = resource(0, 'opaque', new Uint8Array([0xab, 0xcd, 0xef]));
    assert.equal(enc('/5/0/0', node), '81a221662f352f302f300843abcdef');
    const got = dec('/5/0/0', '81a221662f352f302f300843abcdef');
    assert.deepEqual(got, node);
    assert.equal(Object.getPrototypeOf((got as { value: Uint8Array }).value), Uint8Array.prototype);
  });

  test('64-bit integers: CBOR integers, never floats', () => {
    const cases: [number | bigint, string][] = [
      [2n ** 63n - 1n, '1b7fffffffffffffff'],
      [-(2n ** 63n), '3b7fffffffffffffff'],
      [2 ** 40, '1b0000010000000000'],
      [-1, '20'],
      [4294967295, '1affffffff'],
    ];
    for (const [v, h] of cases) {
      const bytes = enc('/3/0/9', resource(9, 'integer', v));
      assert.equal(bytes, `81a221662f332f302f3902${h}`, String(v));
      assert.deepEqual(dec('/3/0/9', bytes), resource(9, 'integer', v));
    }
    const max = enc('/3/0/9', resource(9, 'unsigned', 2n ** 64n - 1n));
    assert.equal(max, '81a221662f332f302f39021bffffffffffffffff');
    assert.equal(decCode('/3/0/9', max), 'TYPE_MISMATCH'); // 3/0/9 is a signed integer in the model
  });

  test('non-minimal and bignum integers are read', () => {
    assert.deepEqual(dec('/3/0/9', '81a200662f332f302f39021b0000000000000005'), resource(9, 'integer', 5));
    assert.deepEqual(dec('/9999/0/1', '81a200692f393939392f302f3102c249010000000000000000'), {
      ...resource(1, 'float', 2 ** 64),
      unknown: true,
    });
  });

  test('floats of every width, NaN and infinities', () => {
    assert.deepEqual(dec('/3303/0/5700', '81a2006c2f333330332f302f3537303002f93e00'), resource(5700, 'float', 1.5));
    assert.deepEqual(dec('/3303/0/5700', '81a2006c2f333330332f302f3537303002fa3fc00000'), resource(5700, 'float', 1.5));
    for (const v of [NaN, Infinity, -Infinity, 22.4]) {
      assert.deepEqual(dec('/3303/0/5700', enc('/3303/0/5700', resource(5700, 'float', v))), resource(5700, 'float', v));
    }
  });

  test('boolean, objlnk, time, and text labels from other encoders', () => {
    assert.equal(enc('/3311/0/5850', resource(5850, 'boolean', true)), '81a2216c2f333331312f302f3538353004f5');
    // [{-2: "/66/0/2", "vlo": "3:0"}]
    assert.deepEqual(dec('/66/0/2', '81a221672f36362f302f3263766c6f63333a30'), resource(2, 'objlnk', { objectId: 3, instanceId: 0 }));
    // [{"bn": "/3/0/13", "v": 1700000000}], with text keys
    assert.deepEqual(dec('/3/0/13', '81a262626e672f332f302f313361761a6553f100'), resource(13, 'time', 1700000000));
  });

  test('unknown resources keep the CBOR type, flagged', () => {
    const u = (n: LwM2mNode): LwM2mNode => ({ ...n, unknown: true }) as LwM2mNode;
    // [{0: "/9999/0/1", 3: "x"}], [{0: "/9999/0/1", 8: h'01'}], [{0: "/9999/0/1", 4: true}]
    assert.deepEqual(dec('/9999/0/1', '81a200692f393939392f302f31036178'), u(resource(1, 'string', 'x')));
    assert.deepEqual(dec('/9999/0/1', '81a200692f393939392f302f31084101'), u(resource(1, 'opaque', new Uint8Array([1]))));
    assert.deepEqual(dec('/9999/0/1', '81a200692f393939392f302f3104f5'), u(resource(1, 'boolean', true)));
  });
});

describe('SenML CBOR: composite', () => {
  test('a null value (SenML-ETCH) is a record without value', () => {
    // [{0: "/3/0/9", 2: 1}, {0: "/3/0/7/1", 2: null}]
    const got = codec.decodeNodes(hex('82a200662f332f302f390201a200682f332f302f372f3102f6'), undefined, ctx);
    assert.deepEqual(got, new Map<string, LwM2mNode | null>([['/3/0/9', resource(9, 'integer', 1)], ['/3/0/7/1', null]]));
  });
});

describe('SenML CBOR: timestamps and levels', () => {
  test('history round trip with bt and t labels', () => {
    const temp = (v: number) => resource(5700, 'float', v);
    const data = [
      { time: 1_700_000_000, nodes: new Map([['/3303/0/5700', temp(20.5)]]) },
      { time: 1_700_000_060, nodes: new Map([['/3303/0/5700', temp(21)]]) },
    ];
    const bytes = codec.encodeTimestamped(p('/3303/0/5700'), data, ctx);
    // [{-2: "/3303/0/5700", -3: 1700000000, 2: 20.5}, {2: 21, 6: 60}]
    assert.equal(toHex(bytes), '82a3216c2f333330332f302f35373030221a6553f10002fb4034800000000000a2021506183c');
    assert.deepEqual(codec.decodeTimestamped(p('/3303/0/5700'), bytes, ctx), data);
  });

  test('object, instance, multiple resource and resource instance round trips', () => {
    const cases: [string, LwM2mNode][] = [
      ['/3', object(3, [DEVICE_0])],
      ['/3/0', DEVICE_0],
      ['/3/0/7', multiResource(7, 'integer', { 0: 3800, 1: 5000 })],
      ['/3/0/7/1', resourceInstance(1, 'integer', 5000)],
    ];
    for (const [path, node] of cases) assert.deepEqual(dec(path, enc(path, node)), node, path);
  });
});

describe('SenML CBOR: bad input', () => {
  test('truncated payloads are TRUNCATED, at every cut', () => {
    const full = hex(DEVICE_CBOR);
    for (let n = 0; n < full.length; n++) {
      assert.equal(codeOf(() => codec.decode(p('/3/0'), full.subarray(0, n), ctx)), 'TRUNCATED', `cut at ${n}`);
    }
  });

  test('lengths beyond the buffer, reserved values, stray breaks, trailing bytes', () => {
    assert.equal(decCode('/3/0/0', '81a2007b00000001000000006161'), 'TRUNCATED'); // text of 2^32 bytes
    assert.equal(decCode('/3/0/0', '9bffffffffffffffff'), 'TRUNCATED'); // array of 2^64-1 items
    assert.equal(decCode('/3/0/0', '1c'), 'MALFORMED');
    assert.equal(decCode('/3/0/0', 'ff'), 'MALFORMED');
    assert.equal(decCode('/3/0/0', '8000'), 'MALFORMED');
    assert.equal(decCode('/3/0/0', '3f'), 'MALFORMED');
  });

  test('structure that is not SenML is MALFORMED', () => {
    assert.equal(decCode('/3/0/0', 'a0'), 'MALFORMED'); // a map, not an array
    assert.equal(decCode('/3/0/0', '8101'), 'MALFORMED'); // a record that is not a map
    assert.equal(decCode('/3/0/0', '81a10001'), 'MALFORMED'); // n is not text
    assert.equal(decCode('/3/0/9', '81a300662f332f302f390201036178'), 'MALFORMED'); // two values
    assert.equal(decCode('/3/0/9', '81a200662f332f302f390401'), 'MALFORMED'); // vb not a boolean
    assert.equal(decCode('/3/0/9', '81a200662f332f302f3902c16161'), 'MALFORMED'); // a tagged text as v
  });

  test('nesting, item count and record count are bounded', () => {
    const deep = new Uint8Array(100_000).fill(0x81);
    assert.equal(codeOf(() => codec.decode(p('/3/0/0'), deep, ctx)), 'LIMIT_EXCEEDED');
    const indefDeep = new Uint8Array(100_000).fill(0x9f);
    assert.equal(codeOf(() => codec.decode(p('/3/0/0'), indefDeep, ctx)), 'LIMIT_EXCEEDED');
    const tags = new Uint8Array(100_000).fill(0xc6);
    assert.equal(codeOf(() => codec.decode(p('/3/0/0'), tags, ctx)), 'LIMIT_EXCEEDED');
    // a bignum of 100,000 bytes: its conversion would take long, so it is refused up front
    const big = new Uint8Array([...hex('81a200662f332f302f3902c25a000186a0'), ...new Uint8Array(100_000).fill(0xff)]);
    assert.equal(codeOf(() => codec.decode(p('/3/0/9'), big, ctx)), 'LIMIT_EXCEEDED');
    const small = ctxOf({ maxRecords: 2 });
    assert.equal(codeOf(() => codec.decode(p('/3/0'), hex(DEVICE_CBOR), small)), 'LIMIT_EXCEEDED');
  });
});

describe('SenML CBOR in the codec registry', () => {
  test('formats 112 and 322', () => {
    const reg = new CodecRegistry();
    for (const f of [ContentFormat.SENML_CBOR, ContentFormat.SENML_ETCH_CBOR]) {
      const r = reg.decode(f, p('/3/0'), hex(DEVICE_CBOR), ctx);
      assert.ok(r.ok);
      assert.deepEqual(r.value, DEVICE_0);
    }
  });
});
