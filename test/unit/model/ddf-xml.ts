/** Writes DDF XML for tests: from models (round trips) or from loose field lists (odd files). */
import type { ObjectModel, ResourceModel, ResourceType } from '../../../src/lwm2m/model/types.js';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const DDF_TYPE: Record<ResourceType, string> = {
  string: 'String',
  integer: 'Integer',
  unsigned: 'Unsigned Integer',
  float: 'Float',
  boolean: 'Boolean',
  opaque: 'Opaque',
  time: 'Time',
  objlnk: 'Objlnk',
  corelnk: 'Corelnk',
  none: '',
};

/** Fields of one element, written in order; undefined values are left out. */
export type Fields = Record<string, string | undefined>;

function fieldsXml(fields: Fields, indent: string): string {
  return Object.entries(fields)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${indent}<${k}>${esc(v)}</${k}>`)
    .join('\n');
}

export function itemXml(id: string | undefined, fields: Fields): string {
  const attr = id === undefined ? '' : ` ID="${esc(id)}"`;
  return `      <Item${attr}>\n${fieldsXml(fields, '        ')}\n      </Item>`;
}

export function objectXml(fields: Fields, items: string[]): string {
  return `  <Object ObjectType="MODefinition">\n${fieldsXml(fields, '    ')}\n    <Resources>\n${items.join('\n')}\n    </Resources>\n  </Object>`;
}

export function documentXml(objects: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n${objects.join('\n')}\n</LWM2M>\n`;
}

export function resourceFields(r: ResourceModel): Fields {
  return {
    Name: r.name,
    Operations: r.operations,
    MultipleInstances: r.multiple ? 'Multiple' : 'Single',
    Mandatory: r.mandatory ? 'Mandatory' : 'Optional',
    Type: DDF_TYPE[r.type],
    RangeEnumeration: r.range,
    Units: r.units,
    Description: 'a description the loader leaves out',
  };
}

export function modelXml(m: ObjectModel): string {
  return objectXml(
    {
      Name: m.name,
      Description1: 'text',
      ObjectID: String(m.id),
      ObjectURN: m.urn,
      LWM2MVersion: m.lwm2mVersion,
      ObjectVersion: m.version,
      MultipleInstances: m.multiple ? 'Multiple' : 'Single',
      Mandatory: m.mandatory ? 'Mandatory' : 'Optional',
    },
    [...m.resources.values()].map((r) => itemXml(String(r.id), resourceFields(r))),
  );
}

/** A small valid object with the given overrides of object fields and one resource. */
export function simpleObject(over: Fields = {}, items?: string[]): string {
  return objectXml(
    {
      Name: 'Thing',
      ObjectID: '4242',
      ObjectURN: 'urn:oma:lwm2m:x:4242',
      LWM2MVersion: '1.1',
      ObjectVersion: '1.0',
      MultipleInstances: 'Multiple',
      Mandatory: 'Optional',
      ...over,
    },
    items ?? [
      itemXml('1', {
        Name: 'Level',
        Operations: 'RW',
        MultipleInstances: 'Single',
        Mandatory: 'Mandatory',
        Type: 'Integer',
        RangeEnumeration: '0..100',
        Units: '%',
      }),
    ],
  );
}
