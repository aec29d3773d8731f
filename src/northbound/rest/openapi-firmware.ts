/** The OpenAPI paths and schemas of the firmware routes (routes-firmware.ts, routes-campaigns.ts). */
import { json, noContent, operation, param, problemRef, ref, type Obj } from './openapi.js';

export const FIRMWARE_TAGS = [
  { name: 'firmware', description: 'Firmware and software images, per-device updates (object 5) and the pull download' },
  { name: 'campaigns', description: 'Firmware campaigns over many devices: concurrency, retries, window, pause/resume/cancel' },
];

const scoped = (o: Obj, ...codes: string[]): Obj => ({ ...o, responses: { ...(o.responses as Obj), '403': problemRef, ...Object.fromEntries(codes.map((c) => [c, problemRef])) } });
const idParam = (name: string, what: string): Obj => ({ name, in: 'path', required: true, schema: { type: 'string' }, description: what });
const totals = { type: 'object', additionalProperties: { type: 'integer' }, description: 'devices by status (pending, running, retrying, succeeded, failed, skipped, cancelled), devices, bytes' };

export function firmwareSchemas(): Obj {
  return {
    Image: {
      type: 'object',
      required: ['id', 'kind', 'name', 'version', 'deviceType', 'size', 'sha256', 'createdAt'],
      properties: {
        id: { type: 'string' },
        kind: { type: 'string', enum: ['firmware', 'software'] },
        name: { type: 'string' },
        version: { type: 'string' },
        deviceType: { type: 'string' },
        size: { type: 'integer' },
        sha256: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    UpdateJob: {
      type: 'object',
      required: ['endpoint', 'imageId', 'phase', 'bytes', 'size'],
      properties: {
        endpoint: { type: 'string' },
        imageId: { type: 'string' },
        phase: { type: 'string', enum: ['starting', 'checking', 'delivering', 'downloaded', 'updating', 'verifying', 'succeeded', 'failed', 'cancelled', 'skipped'] },
        method: { type: 'string', enum: ['push', 'pull'] },
        state: { type: 'integer', description: '/5/0/3 as last seen' },
        result: { type: 'integer', description: '/5/0/5 as last seen' },
        resultText: { type: 'string' },
        bytes: { type: 'integer' },
        size: { type: 'integer' },
        firmwareVersion: { type: 'string' },
        error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
        campaignId: { type: 'string' },
      },
    },
    CampaignBody: {
      type: 'object',
      required: ['name', 'imageId'],
      properties: {
        name: { type: 'string' },
        imageId: { type: 'string' },
        endpoints: { type: 'array', items: { type: 'string' } },
        match: { type: 'array', maxItems: 32, items: { type: 'string' }, description: 'globs over the registered endpoints' },
        filter: { type: 'object', properties: { firmwareVersion: { type: 'string' }, manufacturer: { type: 'string' }, model: { type: 'string' } } },
        method: { type: 'string', enum: ['auto', 'push', 'pull'], default: 'auto' },
        concurrency: { type: 'integer', minimum: 1, default: 10 },
        deviceTimeout: { type: 'integer', minimum: 1, description: 'seconds' },
        retries: { type: 'integer', minimum: 0, default: 2 },
        backoff: { type: 'integer', minimum: 0, default: 60, description: 'seconds before the first retry, doubled each time' },
        window: { type: 'object', properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' } } },
        failureThreshold: { type: 'number', minimum: 0, maximum: 1, default: 1 },
        minFinished: { type: 'integer', minimum: 1, default: 10 },
      },
    },
    Campaign: {
      type: 'object',
      required: ['id', 'name', 'imageId', 'status', 'totals'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        imageId: { type: 'string' },
        status: { type: 'string', enum: ['scheduled', 'running', 'paused', 'cancelled', 'stopped', 'finished'] },
        reason: { type: 'string' },
        totals,
        devices: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'GET of one campaign: each device' },
      },
    },
  };
}

export function firmwarePaths(): Record<string, Obj> {
  const image = json(ref('Image'), 'the image');
  const job = json(ref('UpdateJob'), 'the update');
  const campaign = json(ref('Campaign'), 'the campaign');
  const imageId = [idParam('id', 'the image id')];
  const campaignId = [idParam('id', 'the campaign id')];
  const q = (name: string, description: string): Obj => ({ name, in: 'query', required: name !== 'kind', schema: { type: 'string' }, description });
  return {
    '/api/firmware': {
      post: scoped(
        operation('addImage', {
          summary: 'Upload an image (the body, application/octet-stream, at most firmware.maxImageBytes)',
          tag: 'firmware',
          params: [q('name', 'its name'), q('version', 'the version a device reports in /3/0/3 once updated'), q('deviceType', 'the device type it is for'), q('kind', 'firmware (default) or software')],
          body: { description: 'the image', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          ok: { '201': image },
        }),
        '409',
        '413',
      ),
      get: operation('listImages', { summary: 'The images', tag: 'firmware', ok: { '200': json({ type: 'object', properties: { images: { type: 'array', items: ref('Image') } } }, 'the images') } }),
    },
    '/api/firmware/{id}': {
      get: operation('getImage', { summary: 'One image', tag: 'firmware', params: imageId, ok: { '200': image } }),
      delete: scoped(operation('deleteImage', { summary: 'Delete an image no update uses', tag: 'firmware', params: imageId, ok: noContent }), '409'),
    },
    '/api/devices/{endpoint}/firmware': {
      post: scoped(operation('updateFirmware', { summary: "Update a device's firmware (object 5), or install a software package (object 9)", tag: 'firmware', params: [param('endpoint')], body: json({ type: 'object', required: ['imageId'], properties: { imageId: { type: 'string' }, method: { type: 'string', enum: ['auto', 'push', 'pull'] }, instance: { type: 'integer', minimum: 0, maximum: 65534, description: 'software: the object 9 instance' }, activate: { type: 'boolean', description: 'software: Activate once installed (default true)' } } }, 'the image'), ok: { '202': job } }), '409'),
      get: operation('getFirmwareUpdate', { summary: "A device's running or last update", tag: 'firmware', params: [param('endpoint')], ok: { '200': job } }),
      delete: scoped(operation('cancelFirmwareUpdate', { summary: "Cancel a device's running update", tag: 'firmware', params: [param('endpoint')], ok: noContent }), '409'),
    },
    '/api/fw/{token}': {
      get: {
        ...operation('downloadImage', {
          summary: 'The image of a pull delivery (the Package URI a device got); ETag and Range for resumption',
          tag: 'firmware',
          params: [idParam('token', 'the per-job token')],
          ok: { '200': { description: 'the image', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, '206': { description: 'a range of it' }, '304': { description: 'not modified' } },
          problems: ['416'],
        }),
        security: [],
      },
      head: { ...operation('headImage', { summary: 'The headers of the download', tag: 'firmware', params: [idParam('token', 'the per-job token')], ok: { '200': { description: 'size and ETag' } } }), security: [] },
    },
    '/api/campaigns': {
      post: scoped(operation('createCampaign', { summary: 'Start a campaign', tag: 'campaigns', body: json(ref('CampaignBody'), 'the campaign'), ok: { '201': campaign } })),
      get: operation('listCampaigns', { summary: 'The campaigns and their totals', tag: 'campaigns', ok: { '200': json({ type: 'object', properties: { campaigns: { type: 'array', items: ref('Campaign') } } }, 'the campaigns') } }),
    },
    '/api/campaigns/{id}': {
      get: operation('getCampaign', { summary: 'A campaign with each device', tag: 'campaigns', params: campaignId, ok: { '200': campaign } }),
      delete: scoped(operation('deleteCampaign', { summary: 'Delete an ended campaign', tag: 'campaigns', params: campaignId, ok: noContent }), '409'),
    },
    '/api/campaigns/{id}/{action}': {
      post: scoped(
        operation('controlCampaign', {
          summary: 'Pause, resume or cancel a campaign',
          tag: 'campaigns',
          params: [...campaignId, { name: 'action', in: 'path', required: true, schema: { type: 'string', enum: ['pause', 'resume', 'cancel'] } }],
          ok: { '200': campaign },
        }),
        '409',
      ),
    },
  };
}
