/** Registrations, contexts and small object models for the operations tests. */
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { CodecError, type MultiNodeCodec, type NodeCodec } from '../../../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { ObjectModel, ResourceModel, ResourceType, Operations } from '../../../src/lwm2m/model/types.js';
import type { OperationContext } from '../../../src/lwm2m/server/operations/index.js';
import type { Registration } from '../../../src/lwm2m/server/types.js';

export function reg(version: string, contentFormats: number[] = [], extra: Partial<Registration> = {}): Registration {
  return {
    id: 'r1',
    endpoint: 'dev1',
    lifetime: 300,
    version,
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    contentFormats,
    objectLinks: [],
    objects: new Map([
      [3, { version: '1.0', instances: [0] }],
      [3303, { version: '1.0', instances: [0] }],
    ]),
    peer: { transport: 'udp', key: 'udp:127.0.0.1:5000', address: '127.0.0.1', port: 5000 },
    registeredAt: 0,
    lastUpdateAt: 0,
    expiresAt: 300_000,
    extra: {},
    ...extra,
  };
}

function res(id: number, name: string, type: ResourceType, operations: Operations, multiple = false): ResourceModel {
  return { id, name, operations, multiple, mandatory: false, type, range: '', units: '' };
}

function obj(id: number, name: string, resources: ResourceModel[]): ObjectModel {
  return {
    id,
    name,
    version: '1.0',
    lwm2mVersion: '1.0',
    urn: `urn:oma:lwm2m:oma:${id}`,
    multiple: true,
    mandatory: false,
    resources: new Map(resources.map((r) => [r.id, r])),
  };
}

/** A hand-made model: Device (3, a subset) and Temperature (3303, a subset). */
export function models(): ModelRegistry {
  const m = new ModelRegistry();
  m.add(
    obj(3, 'Device', [
      res(0, 'Manufacturer', 'string', 'R'),
      res(1, 'Model Number', 'string', 'R'),
      res(4, 'Reboot', 'none', 'E'),
      res(6, 'Available Power Sources', 'integer', 'R', true),
      res(7, 'Power Source Voltage', 'integer', 'R', true),
      res(9, 'Battery Level', 'integer', 'R'),
      res(13, 'Current Time', 'time', 'RW'),
      res(14, 'UTC Offset', 'string', 'RW'),
      res(16, 'Supported Binding', 'string', 'R'),
    ]),
  );
  m.add(
    obj(3303, 'Temperature', [
      res(5700, 'Sensor Value', 'float', 'R'),
      res(5701, 'Sensor Units', 'string', 'R'),
      res(5605, 'Reset Min and Max', 'none', 'E'),
      res(5750, 'Application Type', 'string', 'RW'),
    ]),
  );
  m.add(obj(5, 'Firmware Update', [res(0, 'Package', 'opaque', 'W'), res(1, 'Package URI', 'string', 'RW')]));
  m.add(obj(1, 'Server', [res(0, 'Short Server ID', 'integer', 'R'), res(1, 'Lifetime', 'integer', 'RW')]));
  m.add(obj(2, 'Access Control', [res(0, 'Object ID', 'integer', 'R'), res(2, 'ACL', 'integer', 'RW', true)]));
  m.add(obj(18, 'Objlnk holder', [res(0, 'Link', 'objlnk', 'RW')]));
  return m;
}

/** The real codecs of the project. */
export function ctx(): OperationContext {
  return { codecs: new CodecRegistry(), models: models() };
}

function fake(format: number, multi: boolean): NodeCodec | MultiNodeCodec {
  const fail = (): never => {
    throw new CodecError('UNSUPPORTED', 'fake');
  };
  const c: NodeCodec = { formats: [format], name: `fake-${format}`, encode: () => new Uint8Array([format & 0xff]), decode: fail };
  if (!multi) return c;
  return {
    ...c,
    encodeNodes: () => new Uint8Array([format & 0xff]),
    decodeNodes: fail,
    encodeTimestamped: fail,
    decodeTimestamped: fail,
    encodePaths: () => new Uint8Array([format & 0xff]),
  };
}

/** Codecs that only claim formats (for format-choice tests): encoding yields one byte. */
export function fakeCtx(): OperationContext {
  const single = [0, 40, 42, 60];
  const multi = [110, 112, 320, 322, 11542, 11543, 11544];
  return {
    codecs: new CodecRegistry([...single.map((f) => fake(f, false)), ...multi.map((f) => fake(f, true))]),
    models: models(),
  };
}
