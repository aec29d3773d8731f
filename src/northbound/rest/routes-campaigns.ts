/**
 * Firmware campaigns:
 *
 *   POST   /api/campaigns                  { name, imageId, endpoints?, match?, filter?, method?, concurrency?,
 *                                             deviceTimeout?, retries?, backoff?, window?, failureThreshold?, minFinished? } -> 201
 *   GET    /api/campaigns                  every campaign with its totals
 *   GET    /api/campaigns/{id}             one, with each device's status, attempts, phase, bytes, time, error
 *   POST   /api/campaigns/{id}/pause | resume | cancel
 *   DELETE /api/campaigns/{id}             an ended campaign
 *
 * Progress also goes out as `campaign` and `fota` events (/api/events, MQTT).
 */
import type { IRouter, Request, Response } from 'express';
import { campaignView, type CampaignRecord, type CampaignView, type FirmwareApi } from '../../firmware/index.js';
import { ProblemError } from './errors.js';
import type { Json } from './json.js';
import { firmwareOf, firmwareProblem } from './routes-firmware.js';

export const CAMPAIGNS_ROUTE = '/api/campaigns';

const iso = (t: number | undefined): Json => (t === undefined ? null : new Date(t).toISOString());

export function campaignJson(v: CampaignView): Record<string, Json> {
  return {
    id: v.id,
    name: v.name,
    imageId: v.imageId,
    status: v.status,
    createdAt: iso(v.createdAt),
    startedAt: iso(v.startedAt),
    finishedAt: iso(v.finishedAt),
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    totals: { ...v.totals },
  };
}

function detailJson(r: CampaignRecord): Record<string, Json> {
  const s = r.spec;
  return {
    ...campaignJson(campaignView(r)),
    spec: {
      method: s.method,
      concurrency: s.concurrency,
      deviceTimeout: s.deviceTimeoutSec,
      retries: s.retries,
      backoff: s.backoffSec,
      failureThreshold: s.failureThreshold,
      minFinished: s.minFinished,
      ...(s.filter ? { filter: { ...s.filter } } : {}),
      ...(s.window ? { window: { start: iso(s.window.start), end: iso(s.window.end) } } : {}),
    },
    devices: r.devices.map((d) => ({
      endpoint: d.endpoint,
      status: d.status,
      attempts: d.attempts,
      bytes: d.bytes,
      ...(d.phase ? { phase: d.phase } : {}),
      ...(d.startedAt !== undefined ? { startedAt: iso(d.startedAt) } : {}),
      ...(d.finishedAt !== undefined ? { finishedAt: iso(d.finishedAt), seconds: Math.round(((d.finishedAt - (d.startedAt ?? d.finishedAt)) / 1000) * 10) / 10 } : {}),
      ...(d.nextAt !== undefined ? { nextAttemptAt: iso(d.nextAt) } : {}),
      ...(d.error ? { error: { code: d.error.code, message: d.error.message } } : {}),
    })),
  };
}

function send(res: Response, status: number, body: Json): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

export function campaignRoutes(router: IRouter, fw: FirmwareApi | undefined): void {
  router.post(CAMPAIGNS_ROUTE, (req: Request, res: Response) => {
    let v: CampaignView;
    try {
      v = firmwareOf(fw).createCampaign(req.body);
    } catch (e) {
      throw firmwareProblem(e);
    }
    res.setHeader('location', `${CAMPAIGNS_ROUTE}/${v.id}`);
    send(res, 201, campaignJson(v));
  });

  router.get(CAMPAIGNS_ROUTE, (_req: Request, res: Response) => {
    send(res, 200, { campaigns: firmwareOf(fw).campaigns().map(campaignJson) });
  });

  router.get(`${CAMPAIGNS_ROUTE}/:id`, (req: Request, res: Response) => {
    const r = firmwareOf(fw).campaign(String(req.params.id));
    if (!r) throw new ProblemError('CAMPAIGN_NOT_FOUND', 'no such campaign');
    send(res, 200, detailJson(r));
  });

  router.post(`${CAMPAIGNS_ROUTE}/:id/:action`, (req: Request, res: Response) => {
    const action = String(req.params.action);
    if (action !== 'pause' && action !== 'resume' && action !== 'cancel') throw new ProblemError('NOT_FOUND', 'the actions are pause, resume and cancel');
    const f = firmwareOf(fw);
    const id = String(req.params.id);
    const done = f.controlCampaign(id, action);
    if (done === undefined) throw new ProblemError('CAMPAIGN_NOT_FOUND', 'no such campaign');
    if (!done) throw new ProblemError('FIRMWARE_CONFLICT', `the campaign is ${f.campaign(id)!.status}: it cannot ${action}`);
    send(res, 200, campaignJson(campaignView(f.campaign(id)!)));
  });

  router.delete(`${CAMPAIGNS_ROUTE}/:id`, (req: Request, res: Response, next) => {
    firmwareOf(fw)
      .removeCampaign(String(req.params.id))
      .then((r) => {
        if (r === 'notFound') throw new ProblemError('CAMPAIGN_NOT_FOUND', 'no such campaign');
        if (r === 'active') throw new ProblemError('FIRMWARE_CONFLICT', 'cancel the campaign first');
        res.status(204).end();
      })
      .catch(next);
  });
}
