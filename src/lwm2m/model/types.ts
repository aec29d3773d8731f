/** Facts about LwM2M objects, as read from DDF files (OMA registry format). */

export type ResourceType =
  | 'string'
  | 'integer'
  | 'unsigned'
  | 'float'
  | 'boolean'
  | 'opaque'
  | 'time'
  | 'objlnk'
  | 'corelnk'
  | 'none';

export type Operations = '' | 'R' | 'W' | 'RW' | 'E';

export interface ResourceModel {
  id: number;
  name: string;
  operations: Operations;
  multiple: boolean;
  mandatory: boolean;
  type: ResourceType;
  /** RangeEnumeration text as written in the DDF, e.g. "0..100" or "1-32 bytes"; '' if none. */
  range: string;
  units: string;
}

export interface ObjectModel {
  id: number;
  name: string;
  /** Object version, "1.0" when the DDF gives none. */
  version: string;
  /** LwM2M enabler version the object was written for, e.g. "1.1". */
  lwm2mVersion: string;
  urn: string;
  multiple: boolean;
  mandatory: boolean;
  resources: Map<number, ResourceModel>;
}

/** Where the codecs and the core look objects up. */
export interface ModelProvider {
  /** The object at this version, or the newest known version when `version` is undefined or unknown. */
  getObject(objectId: number, version?: string): ObjectModel | undefined;
  getResource(objectId: number, resourceId: number, version?: string): ResourceModel | undefined;
}
