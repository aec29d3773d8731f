/** Hand-built object models and registrations for the mapping tests. */
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { ObjectModel, Operations, ResourceModel, ResourceType } from '../../../src/lwm2m/model/types.js';
import type { NotificationEvent, Observation, Registration } from '../../../src/lwm2m/server/types.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import type { LwM2mNode } from '../../../src/lwm2m/node.js';

function r(id: number, name: string, operations: Operations, type: ResourceType, units = '', multiple = false): ResourceModel {
  return { id, name, operations, multiple, mandatory: false, type, range: '', units };
}

function obj(id: number, name: string, multiple: boolean, resources: ResourceModel[]): ObjectModel {
  return { id, name, version: '1.0', lwm2mVersion: '1.1', urn: `urn:oma:lwm2m:test:${id}`, multiple, mandatory: false, resources: new Map(resources.map((x) => [x.id, x])) };
}

const SENSOR = (): ResourceModel[] => [
  r(5700, 'Sensor Value', 'R', 'float'),
  r(5701, 'Sensor Units', 'R', 'string'),
  r(5601, 'Min Measured Value', 'R', 'float'),
  r(5605, 'Reset Min and Max Measured Values', 'E', 'none'),
  r(5750, 'Application Type', 'RW', 'string'),
];

export function testModels(): ModelRegistry {
  const m = new ModelRegistry();
  m.add(obj(3, 'Device', false, [
    r(0, 'Manufacturer', 'R', 'string'),
    r(4, 'Reboot', 'E', 'none'),
    r(6, 'Available Power Sources', 'R', 'integer', '', true),
    r(9, 'Battery Level', 'R', 'integer', '/100'),
    r(13, 'Current Time', 'RW', 'time'),
    r(14, 'UTC Offset', 'RW', 'string'),
    r(30, 'Test Multiple', 'RW', 'integer', '', true),
  ]));
  m.add(obj(6, 'Location', false, [r(0, 'Latitude', 'R', 'float', 'lat'), r(1, 'Longitude', 'R', 'float', 'lon')]));
  m.add(obj(3303, 'Temperature', true, SENSOR()));
  m.add(obj(3304, 'Humidity', true, SENSOR()));
  m.add(obj(3336, 'Location', true, [r(6051, 'Numeric Latitude', 'R', 'float', 'lat')]));
  m.add(obj(3311, 'Light Control', true, [
    r(5850, 'On/Off', 'RW', 'boolean'),
    r(5851, 'Dimmer', 'RW', 'integer', '/100'),
    r(5706, 'Colour', 'RW', 'string'),
    r(5805, 'Cumulative active power', 'R', 'float', 'Wh'),
  ]));
  return m;
}

export function registration(endpoint: string, objects: Record<number, number[]>, id = 'reg-' + endpoint): Registration {
  return {
    id,
    endpoint,
    lifetime: 300,
    version: '1.1',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    contentFormats: [],
    objectLinks: [],
    objects: new Map(Object.entries(objects).map(([k, v]) => [Number(k), { version: '1.0', instances: v }])),
    peer: { transport: 'udp', key: '127.0.0.1:5683', address: '127.0.0.1', port: 5683 },
    registeredAt: 0,
    lastUpdateAt: 0,
    expiresAt: 300_000,
    extra: {},
  };
}

export function notification(reg: Registration, path: string, node: LwM2mNode, receivedAt = Date.UTC(2026, 0, 2, 3, 4, 5)): NotificationEvent {
  const observation: Observation = {
    id: 'obs-1',
    registrationId: reg.id,
    endpoint: reg.endpoint,
    paths: [LwM2mPath.parse(path)],
    composite: false,
    token: new Uint8Array([1]),
    createdAt: 0,
  };
  return { registration: reg, observation, node, receivedAt };
}

/** "a.yaml" source with the schema modeline, as the ready files start. */
export function src(file: string, text: string): { file: string; text: string } {
  return { file, text };
}
