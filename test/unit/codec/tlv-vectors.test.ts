/**
 * TLV test vectors from the examples of the LwM2M Core specification (1.0 section 6.4.3,
 * 1.1/1.2 section 7.4.3 / 7.4.5), encoded and decoded byte for byte.
 *
 * The bytes below are built from the TLV rules and agree with the examples' tables (type
 * byte, id and length columns). Where a printed hex dump differs from its own table, the
 * table and the rules win:
 * - Device object /3/0 (Core 1.2, 7.4.5.1): the hex dump drops one octet of the Model
 *   Number string "Lightweight M2M Client"; the table gives length 0x16 (22 bytes), and
 *   the whole payload is 121 bytes (0x79, the instance length of the /3 example).
 * Checked by hand in the others: in the Access Control /2 example the ACL of instance 2
 * holds two resource instances (3 + 4 bytes), so its type byte is 0x87 (length 7) and the
 * instance length 0x12 = 3 + 3 + 9 + 3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import { tlvCodec } from '../../../src/lwm2m/codec/tlv.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { DEVICE_0, ctxOf, hex, toHex, utf8Hex } from './spec-models.js';

const ctx = ctxOf();

// ---- Device object, one instance (/3/0) ----
const DEVICE_RESOURCES_HEX = [
  `C8 00 14 ${utf8Hex('Open Mobile Alliance')}`, // 0 Manufacturer, 20 bytes
  `C8 01 16 ${utf8Hex('Lightweight M2M Client')}`, // 1 Model Number, 22 bytes
  `C8 02 09 ${utf8Hex('345000123')}`, // 2 Serial Number
  `C3 03 ${utf8Hex('1.0')}`, // 3 Firmware Version, length in the type byte
  '86 06 41 00 01 41 01 05', // 6 Available Power Sources [0]=1 [1]=5
  '88 07 08 42 00 0E D8 42 01 13 88', // 7 Power Source Voltage [0]=3800 [1]=5000
  '87 08 41 00 7D 42 01 03 84', // 8 Power Source Current [0]=125 [1]=900
  'C1 09 64', // 9 Battery Level 100
  'C1 0A 0F', // 10 Memory Free 15
  '83 0B 41 00 00', // 11 Error Code [0]=0
  'C4 0D 51 82 42 8F', // 13 Current Time 1367491215
  `C6 0E ${utf8Hex('+02:00')}`, // 14 UTC Offset
  `C1 10 ${utf8Hex('U')}`, // 16 Supported Binding and Modes
].join(' ');

const DEVICE_INSTANCE = DEVICE_0;

interface Vector {
  name: string;
  path: string;
  hex: string;
  node: LwM2mNode;
}

const VECTORS: Vector[] = [
  { name: 'Device object single instance read /3/0 (121 bytes)', path: '/3/0', hex: DEVICE_RESOURCES_HEX, node: DEVICE_INSTANCE },
  {
    name: 'Device object read /3: the instance wrapped (length 0x79 = 121)',
    path: '/3',
    hex: `08 00 79 ${DEVICE_RESOURCES_HEX}`,
    node: object(3, [DEVICE_INSTANCE]),
  },
  {
    name: 'Access Control object, two instances, a 16-bit resource-instance id (/2)',
    path: '/2',
    hex: [
      '08 00 0E', // instance 0, 14 bytes
      'C1 00 01', // Object ID 1
      'C1 01 00', // Object Instance ID 0
      '83 02 41 7F 07', // ACL [127] = 7
      'C1 03 7F', // Access Control Owner 127
      '08 02 12', // instance 2, 18 bytes
      'C1 00 03', // Object ID 3
      'C1 01 00', // Object Instance ID 0
      '87 02 41 7F 07 61 01 36 01', // ACL [127] = 7, [310] = 1 (0x61: 16-bit id)
      'C1 03 7F', // Access Control Owner 127
    ].join(' '),
    node: object(2, [
      instance(0, [resource(0, 'integer', 1), resource(1, 'integer', 0), multiResource(2, 'integer', { 127: 7 }), resource(3, 'integer', 127)]),
      instance(2, [resource(0, 'integer', 3), resource(1, 'integer', 0), multiResource(2, 'integer', { 127: 7, 310: 1 }), resource(3, 'integer', 127)]),
    ]),
  },
  {
    name: 'Server object, one instance (/1): lifetime 86400 on 4 bytes, a boolean',
    path: '/1',
    hex: '08 00 0F C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55',
    node: object(1, [instance(0, [resource(0, 'integer', 1), resource(1, 'integer', 86400), resource(6, 'boolean', true), resource(7, 'string', 'U')])]),
  },
  {
    name: 'Object link example 1: a multiple objlnk resource (/65/0)',
    path: '/65/0',
    hex: `88 00 0C 44 00 00 42 00 00 44 01 00 42 00 01 C8 01 0D ${utf8Hex('8613800755500')} C4 02 12 34 56 78`,
    node: instance(0, [
      multiResource(0, 'objlnk', { 0: { objectId: 66, instanceId: 0 }, 1: { objectId: 66, instanceId: 1 } }),
      resource(1, 'string', '8613800755500'),
      resource(2, 'integer', 0x12345678),
    ]),
  },
  {
    name: 'Object link example 2: two instances, a null link 65535:65535 (/66)',
    path: '/66',
    hex: [
      `08 00 26 C8 00 0B ${utf8Hex('myService 1')} C8 01 0F ${utf8Hex('Internet.15.234')} C4 02 00 43 00 00`,
      `08 01 26 C8 00 0B ${utf8Hex('myService 2')} C8 01 0F ${utf8Hex('Internet.15.235')} C4 02 FF FF FF FF`,
    ].join(' '),
    node: object(66, [
      instance(0, [resource(0, 'string', 'myService 1'), resource(1, 'string', 'Internet.15.234'), resource(2, 'objlnk', { objectId: 67, instanceId: 0 })]),
      instance(1, [resource(0, 'string', 'myService 2'), resource(1, 'string', 'Internet.15.235'), resource(2, 'objlnk', { objectId: 65535, instanceId: 65535 })]),
    ]),
  },
  { name: 'single resource /3/0/0', path: '/3/0/0', hex: `C8 00 14 ${utf8Hex('Open Mobile Alliance')}`, node: resource(0, 'string', 'Open Mobile Alliance') },
  { name: 'multiple resource /3/0/6', path: '/3/0/6', hex: '86 06 41 00 01 41 01 05', node: multiResource(6, 'integer', { 0: 1, 1: 5 }) },
  { name: 'resource instance /3/0/7/1', path: '/3/0/7/1', hex: '42 01 13 88', node: resourceInstance(1, 'integer', 5000) },
];

for (const v of VECTORS) {
  test(`TLV vector encodes byte-exact: ${v.name}`, () => {
    assert.equal(toHex(tlvCodec.encode(LwM2mPath.parse(v.path), v.node, ctx)), toHex(hex(v.hex)));
  });
  test(`TLV vector decodes: ${v.name}`, () => {
    assert.deepStrictEqual(tlvCodec.decode(LwM2mPath.parse(v.path), hex(v.hex), ctx), v.node);
  });
}

test('the Device vector is 121 bytes, as the example says', () => {
  assert.equal(hex(DEVICE_RESOURCES_HEX).length, 0x79);
});

test('the Device vector decodes the same with the built-in object table', () => {
  const node = tlvCodec.decode(LwM2mPath.parse('/3/0'), hex(DEVICE_RESOURCES_HEX), ctxOf(ModelRegistry.withBuiltins()));
  assert.deepStrictEqual(node, DEVICE_INSTANCE);
});

test('lenient: a single-resource read answered wrapped in its object instance', () => {
  const wrapped = hex(`08 00 17 C8 00 14 ${utf8Hex('Open Mobile Alliance')}`);
  assert.deepStrictEqual(tlvCodec.decode(LwM2mPath.parse('/3/0/0'), wrapped, ctx), resource(0, 'string', 'Open Mobile Alliance'));
});

test('lenient: a resource-instance read answered inside instance and multiple-resource wrappers', () => {
  const wrapped = hex('08 00 06 84 07 42 01 13 88');
  assert.deepStrictEqual(tlvCodec.decode(LwM2mPath.parse('/3/0/7/1'), wrapped, ctx), resourceInstance(1, 'integer', 5000));
  assert.deepStrictEqual(tlvCodec.decode(LwM2mPath.parse('/3/0/7/1'), hex('84 07 42 01 13 88'), ctx), resourceInstance(1, 'integer', 5000));
});

test('lenient: an object read answered without the instance wrapper is instance 0', () => {
  assert.deepStrictEqual(tlvCodec.decode(LwM2mPath.parse('/3'), hex(DEVICE_RESOURCES_HEX), ctx), object(3, [DEVICE_INSTANCE]));
});

test('lenient: an instance read answered with its wrapper', () => {
  assert.deepStrictEqual(tlvCodec.decode(LwM2mPath.parse('/3/0'), hex(`08 00 79 ${DEVICE_RESOURCES_HEX}`), ctx), DEVICE_INSTANCE);
});

test('lenient: a multiple resource answered as bare resource instances', () => {
  assert.deepStrictEqual(tlvCodec.decode(LwM2mPath.parse('/3/0/6'), hex('41 00 01 41 01 05'), ctx), multiResource(6, 'integer', { 0: 1, 1: 5 }));
});

test('Create on /o: an instance with an id is wrapped, one without is not', () => {
  const inst = instance(1, [resource(0, 'integer', 1), resource(1, 'integer', 86400)]);
  assert.equal(toHex(tlvCodec.encode(LwM2mPath.parse('/1'), inst, ctx)), '08 01 09 C1 00 01 C4 01 00 01 51 80');
  const noId = instance(undefined, [resource(0, 'integer', 1), resource(1, 'integer', 86400)]);
  assert.equal(toHex(tlvCodec.encode(LwM2mPath.parse('/1'), noId, ctx)), 'C1 00 01 C4 01 00 01 51 80');
});

test('long values take 16 and 24-bit length fields, ids above 255 a 16-bit id', () => {
  const model = ctxOf();
  for (const [len, head] of [
    [7, 'C7 0F'],
    [8, 'C8 0F 08'],
    [255, 'C8 0F FF'],
    [256, 'D0 0F 01 00'],
    [65535, 'D0 0F FF FF'],
    [65536, 'D8 0F 01 00 00'],
  ] as const) {
    const value = new Uint8Array(len).fill(0xab);
    const path = LwM2mPath.parse('/32000/0/15'); // opaque resource of the all-types test object
    const bytes = tlvCodec.encode(path, resource(15, 'opaque', value), model);
    assert.equal(toHex(bytes.subarray(0, head.split(' ').length)), head, `length ${len}`);
    assert.equal(bytes.length, head.split(' ').length + len);
    assert.deepStrictEqual(tlvCodec.decode(path, bytes, model), resource(15, 'opaque', value));
  }
  const wide = tlvCodec.encode(LwM2mPath.parse('/32000/0/101/300'), resourceInstance(300, 'integer', -1), model);
  assert.equal(toHex(wide), '61 01 2C FF');
});
