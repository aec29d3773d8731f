/**
 * The JSON Schema of a mapping file (draft-07, so editors with a YAML language server
 * complete and check the files). schema/mapping.schema.json is this object written out;
 * a unit test keeps the two equal. Regenerate the file with:
 *   npx tsx -e "import('./src/mapping/schema.ts').then(m => process.stdout.write(JSON.stringify(m.MAPPING_SCHEMA, null, 2) + '\n'))" > schema/mapping.schema.json
 *
 * The schema checks shape and types only; names against the object models, template
 * placeholders, REST paths and transforms are checked by the compiler (compile-file.ts, rest.ts).
 * `onem2m` sections: shape here, resources and operations in onem2m/section.ts.
 */

const resourceRef = {
  description: 'A resource: its id (5700) or its name from the object model ("Sensor Value" or "sensor-value").',
  type: ['integer', 'string'],
  minimum: 0,
  maximum: 65534,
  minLength: 1,
} as const;

const resourceList = { type: 'array', minItems: 1, items: { $ref: '#/definitions/resourceRef' } } as const;

const commandResource = {
  description: 'The resource this command acts on (id or name), or true: the resource named by the topic ({resourceId} / {resourceName}), else the whole instance.',
  anyOf: [{ $ref: '#/definitions/resourceRef' }, { const: true }],
} as const;

const routePath = {
  type: 'string',
  pattern: '^/',
} as const;

const onem2mMode = { description: 'semantic: containers object/instance/resource; transparent: SenML JSON contentInstances; flexContainer: custom attributes', enum: ['semantic', 'transparent', 'flexContainer'] } as const;

const onem2mFile = {
  description: 'The oneM2M face: the default mode of every target of the file (each is then put on the CSE).',
  type: 'object',
  additionalProperties: false,
  properties: { mode: onem2mMode },
} as const;

const onem2mTarget = {
  description: 'How the instances appear on a oneM2M CSE, and the command containers.',
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: onem2mMode,
    mni: { type: 'integer', minimum: 1, maximum: 100000 },
    specialization: { description: 'flexContainer: its name, prefix:name', type: 'string' },
    containerDefinition: { description: 'flexContainer: cnd', type: 'string', minLength: 1 },
    attributes: { description: 'flexContainer: attribute name -> resource', type: 'object', additionalProperties: { $ref: '#/definitions/resourceRef' } },
    commands: {
      description: 'command container name -> exactly one of write, execute (a resource)',
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        properties: { write: { $ref: '#/definitions/resourceRef' }, execute: { $ref: '#/definitions/resourceRef' } },
      },
    },
  },
} as const;

const number = { type: 'number' } as const;
const nonNegative = { type: 'number', minimum: 0 } as const;
const qos = { description: 'MQTT QoS', enum: [0, 1, 2] } as const;

function oneOrList(ref: string): { anyOf: [{ $ref: string }, { type: 'array'; minItems: 1; items: { $ref: string } }] } {
  return { anyOf: [{ $ref: ref }, { type: 'array', minItems: 1, items: { $ref: ref } }] };
}

export const MAPPING_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://lwm2m-gateway.local/schema/mapping.schema.json',
  title: 'lwm2m-gateway mapping file',
  description: 'Selects devices and says, per LwM2M object, what to observe, what to publish and which commands to accept. See mappings/README.md.',
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  properties: {
    description: { type: 'string' },
    enabled: { description: 'false: the file is checked but not used', type: 'boolean' },
    devices: { $ref: '#/definitions/devices' },
    targets: { type: 'array', minItems: 1, items: { $ref: '#/definitions/target' } },
    rest: { $ref: '#/definitions/restFile' },
    onem2m: onem2mFile,
  },
  definitions: {
    resourceRef,
    devices: {
      description: 'Which devices this file applies to; all devices when absent. Every condition given must hold.',
      type: 'object',
      additionalProperties: false,
      properties: {
        endpoint: {
          description: 'Endpoint name glob(s): * any characters, ? one character.',
          anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
        },
        endpointPattern: { description: 'Endpoint name regular expression (JavaScript syntax).', type: 'string', minLength: 1 },
        objects: {
          description: 'Objects (ids or names) the device must have registered, all of them.',
          type: 'array',
          minItems: 1,
          items: { type: ['integer', 'string'], minimum: 0, maximum: 65534, minLength: 1 },
        },
      },
    },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['object'],
      properties: {
        description: { type: 'string' },
        object: { description: 'Object id (3303) or name ("Temperature").', type: ['integer', 'string'], minimum: 0, maximum: 65534, minLength: 1 },
        instances: {
          description: 'Object instances this target applies to; all registered instances when absent.',
          type: 'array',
          minItems: 1,
          items: { type: 'integer', minimum: 0, maximum: 65534 },
        },
        observe: oneOrList('#/definitions/observe'),
        mqtt: { $ref: '#/definitions/mqtt' },
        rest: { $ref: '#/definitions/rest' },
        onem2m: onem2mTarget,
      },
    },
    observe: {
      description: 'Observations started when a device registers.',
      type: 'object',
      additionalProperties: false,
      properties: {
        resources: { ...resourceList, description: 'Resources to observe; the whole instance when absent.' },
        attributes: { $ref: '#/definitions/attributes' },
        composite: { description: 'true: one Observe-Composite for all paths instead of one Observe per path', type: 'boolean' },
      },
    },
    attributes: {
      description: 'Notification attributes written (Write-Attributes) before observing.',
      type: 'object',
      additionalProperties: false,
      properties: { pmin: nonNegative, pmax: nonNegative, gt: number, lt: number, st: nonNegative, epmin: nonNegative, epmax: nonNegative },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      properties: {
        publish: oneOrList('#/definitions/publish'),
        commands: oneOrList('#/definitions/command'),
      },
    },
    transform: {
      description: 'Value transforms, applied in this order: scale, offset, round, then map / boolean.',
      type: 'object',
      additionalProperties: false,
      properties: {
        scale: { description: 'multiply numbers by this', type: 'number', not: { const: 0 } },
        offset: { description: 'add this to numbers (after scale)', type: 'number' },
        round: { description: 'round numbers to this many decimals', type: 'integer', minimum: 0, maximum: 15 },
        map: {
          description: 'replace values by labels: { 0: "off", 1: "on" }; other values pass through',
          type: 'object',
          minProperties: 1,
          additionalProperties: { type: ['string', 'number', 'boolean'] },
        },
        boolean: {
          description: 'labels for boolean values: { true: "open", false: "closed" }',
          type: 'object',
          additionalProperties: false,
          required: ['true', 'false'],
          properties: { true: { type: ['string', 'number'] }, false: { type: ['string', 'number'] } },
        },
      },
    },
    publish: {
      description: 'One output: a message per resource (each: resource) or per object instance (each: instance).',
      type: 'object',
      additionalProperties: false,
      required: ['topic'],
      properties: {
        description: { type: 'string' },
        topic: { description: 'Topic template, e.g. "devices/{endpoint}/{objectSlug}/{instanceId}/{resourceSlug}"', type: 'string', minLength: 1 },
        resources: { ...resourceList, description: 'Only these resources trigger this output; any resource of the object when absent.' },
        each: { description: 'resource: a message per resource value; instance: one message per object instance', enum: ['resource', 'instance'] },
        format: { description: 'json (default for an object payload), text (default for a string payload), senml (SenML JSON records)', enum: ['json', 'text', 'senml'] },
        payload: {
          description: 'Payload template: a string ("{value}") or a JSON object/array whose string leaves are templates',
          type: ['string', 'object', 'array', 'number', 'boolean'],
        },
        baseName: { description: 'SenML base name template (format: senml); default "/{objectId}/{instanceId}/"', type: 'string' },
        transform: { $ref: '#/definitions/transform' },
        transforms: {
          description: 'Per-resource transforms, keyed by resource id or name; they replace `transform` for that resource.',
          type: 'object',
          additionalProperties: { $ref: '#/definitions/transform' },
        },
        qos,
        retain: { type: 'boolean' },
        absent: {
          description: 'A message naming several resources is rendered from the last known value of each, once each has a value or the device reported it absent; absent ones are left out (omit) or null (null, the default).',
          enum: ['omit', 'null', null],
        },
      },
    },
    restFile: {
      description: 'REST settings for every target of this file (docs/rest.md, "Mapped endpoints").',
      type: 'object',
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        prefix: {
          ...routePath,
          description: 'Path template put before every target\'s rest.path, e.g. "/sites/{endpoint}"; the same placeholders as rest.path.',
        },
      },
    },
    rest: {
      description:
        'A friendly REST route for this target\'s object (docs/rest.md, "Mapped endpoints"): GET {path} reads the instance, PATCH {path} writes some of its resources, GET {path}/{resource-slug} reads one resource, POST {path}/{command} runs a command.',
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        description: { type: 'string' },
        path: {
          ...routePath,
          description:
            'Path template, e.g. "/sites/{endpoint}/temperature/{instanceId}": "/"-separated segments; {endpoint} (required) and {instanceId} (absent: the target\'s instance, else 0) each fill a whole segment; {objectId} and {objectSlug} are fixed by the target. Must not start with /api.',
        },
        resources: { ...resourceList, description: 'Readable resources in the instance payload (keys are their slugs); every readable resource when absent.' },
        commands: {
          description: 'POST {path}/{name} runs the command; names are path segments (letters, digits, - . _ ~).',
          type: 'object',
          additionalProperties: { $ref: '#/definitions/restCommand' },
        },
      },
    },
    restCommand: {
      description: 'A command of a REST route. Give exactly one of execute, write, read.',
      type: 'object',
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        execute: { ...resourceRef, description: 'Execute this resource; the request body {"args": "..."} or text gives the arguments.' },
        write: { ...resourceRef, description: 'Write this resource with the request body {"value": ...}.' },
        read: { ...resourceRef, description: 'Read this resource.' },
        args: { description: 'execute: arguments used when the request gives none', type: 'string' },
      },
    },
    command: {
      description: 'An MQTT topic that becomes an LwM2M operation. Give exactly one of write, execute, read, observe, cancel.',
      type: 'object',
      additionalProperties: false,
      required: ['topic'],
      properties: {
        description: { type: 'string' },
        topic: { description: 'Command topic template; {endpoint}, {instanceId}, {resourceId}, {resourceName}, {resourceSlug} each fill a whole topic level', type: 'string', minLength: 1 },
        write: commandResource,
        execute: commandResource,
        read: commandResource,
        observe: commandResource,
        cancel: commandResource,
        attributes: { $ref: '#/definitions/attributes' },
        response: { description: 'Topic template for the result (JSON with correlationId, success, code, value or error)', type: 'string', minLength: 1 },
        transform: { $ref: '#/definitions/transform' },
        qos,
      },
    },
  },
} as const;
