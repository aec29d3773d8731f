/**
 * The generic topic API: needs no mapping file. Commands arrive on
 * `{prefix}/{endpoint}/dn/#` as `{ reqID, msgType, data }`; results go to
 * `{prefix}/{endpoint}/up/resp`, notifications to `up/notify`, Send values to `up/send`,
 * Register to `up/resp` and Update to `up/update`, firmware update progress to `up/fota` and a
 * campaign's to `{prefix}/$gateway/campaigns/{id}` (docs/mqtt.md describes every message).
 * A bad command (one without a `reqID` too) gets an error response and is not executed;
 * a slow device delays only its own answers.
 */
import type { Logger } from '../../log.js';
import { serializeLinks } from '../../lwm2m/codec/link-format.js';
import type { CoreApi, ValueContext } from '../../lwm2m/server/index.js';
import type { NotificationEvent, OperationResult, Registration, SendEvent } from '../../lwm2m/server/types.js';
import { parseCommand, type ParsedCommand } from './generic-commands.js';
import { bootstrapEventView, type BootstrapApi, type BootstrapEvent } from '../../lwm2m/bootstrap/index.js';
import { resultContent, resultStatus } from './json-values.js';
import type { MqttLink } from './link.js';
import { ServerListeners } from './server-events.js';
import { campaignEventView, fotaView, type CampaignView, type FirmwareApi, type FotaEvent } from '../../firmware/index.js';
import { encodeLevel, type Topics } from './topics.js';

export interface GenericApiOptions {
  server: CoreApi;
  link: MqttLink;
  topics: Topics;
  ctx: ValueContext;
  logger: Logger;
  /** QoS of what the API publishes (default 1) */
  qos?: 0 | 1;
  /** the Bootstrap Server: its events go to `up/bootstrap` */
  bootstrap?: BootstrapApi;
  /** firmware updates: progress to `up/fota`, campaigns to `$gateway/campaigns/{id}` */
  firmware?: FirmwareApi;
}

/** The `data` of register/update messages. */
export function registrationData(reg: Registration): Record<string, unknown> {
  return {
    ep: reg.endpoint,
    lt: reg.lifetime,
    lwm2m: reg.version,
    b: reg.binding,
    ...(reg.smsNumber !== undefined ? { sms: reg.smsNumber } : {}),
    alternatePath: reg.rootPath,
    objectList: reg.objectLinks.map((l) => l.uri),
  };
}

/** The `data` of a response: `reqPath`, `code`, `codeMsg` and, per operation, `content` or `location`. */
export function responseData(cmd: Pick<ParsedCommand, 'msgType' | 'reqPath' | 'request'>, r: OperationResult): Record<string, unknown> {
  const status = resultStatus(r);
  const data: Record<string, unknown> = { reqPath: cmd.reqPath, code: status.code, codeMsg: status.codeMsg };
  if (status.error) data.error = status.error.message;
  if (!r.success) return data;
  if (cmd.msgType === 'discover' && r.links) {
    data.content = r.links.map((l) => {
      try {
        return serializeLinks([l]);
      } catch {
        return `<${l.uri}>`;
      }
    });
  } else if (cmd.msgType === 'read' || cmd.msgType === 'observe') {
    const at = 'path' in cmd.request ? cmd.request.path : undefined;
    data.content = resultContent(at, r);
  } else if (cmd.msgType === 'create' && r.location) data.location = r.location;
  return data;
}

export class GenericApi {
  private readonly qos: 0 | 1;
  /** observation id -> reqID of the observe command that started it */
  private readonly reqIds = new Map<string, unknown>();
  /** "endpoint path" -> reqID of an observe command still waiting for its response (a notification may come first) */
  private readonly pendingObserve = new Map<string, unknown>();
  private unsubscribe: (() => void) | undefined;
  private readonly events: ServerListeners;
  private running = false;

  constructor(private readonly o: GenericApiOptions) {
    this.qos = o.qos ?? 1;
    this.events = new ServerListeners(o.server, o.logger, 'mqtt generic API');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const on = this.events.on.bind(this.events);
    on('registered', (reg: Registration) => this.publishRegistration('register', reg));
    on('updated', (reg: Registration) => this.publishRegistration('update', reg));
    on('notification', (e: NotificationEvent) => this.publishNotification(e));
    on('send', (e: SendEvent) => this.publishSend(e));
    on('observationEnded', (ob) => this.reqIds.delete(ob.id));
    this.unsubscribe = this.o.link.subscribe(this.o.topics.everyDevice('dn/#'), (topic, payload) => this.onCommand(topic, payload));
    this.o.bootstrap?.on('bootstrap', this.onBootstrap);
    this.o.firmware?.on('fota', this.onFota);
    this.o.firmware?.on('campaign', this.onCampaign);
  }

  private readonly onFota = (e: FotaEvent): void => {
    try {
      this.publish(e.endpoint, 'up/fota', { msgType: 'fota', data: fotaView(e) });
    } catch (err) {
      this.o.logger.error('mqtt generic API: fota event not published', { error: String(err) });
    }
  };

  private readonly onCampaign = (v: CampaignView): void => {
    try {
      this.publishTo(`${this.o.topics.prefix}/$gateway/campaigns/${v.id}`, { msgType: 'campaign', data: campaignEventView(v) });
    } catch (err) {
      this.o.logger.error('mqtt generic API: campaign event not published', { error: String(err) });
    }
  };

  private readonly onBootstrap = (e: BootstrapEvent): void => {
    try {
      this.publish(e.endpoint, 'up/bootstrap', { msgType: 'bootstrap', data: bootstrapEventView(e) });
    } catch (err) {
      this.o.logger.error('mqtt generic API: bootstrap event not published', { error: String(err) });
    }
  };

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.events.clear();
    this.o.bootstrap?.off('bootstrap', this.onBootstrap);
    this.o.firmware?.off('fota', this.onFota);
    this.o.firmware?.off('campaign', this.onCampaign);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.reqIds.clear();
    this.pendingObserve.clear();
  }

  private publish(endpoint: string, rest: string, body: unknown): void {
    this.publishTo(this.o.topics.device(endpoint, rest), body);
  }

  private publishTo(topic: string, body: unknown): void {
    this.o.link.publish(topic, JSON.stringify(body), { qos: this.qos });
  }

  private publishRegistration(msgType: 'register' | 'update', reg: Registration): void {
    this.publish(reg.endpoint, msgType === 'register' ? 'up/resp' : 'up/update', { msgType, data: registrationData(reg) });
  }

  private publishNotification(e: NotificationEvent): void {
    const topic = this.o.topics.device(e.registration.endpoint, 'up/notify');
    // the busiest message: not built when nobody can receive it (it is never retained)
    if (this.o.link.hasSubscribers?.(topic) === false) return;
    const ob = e.observation;
    const reqPath = ob.composite ? ob.paths.map(String) : String(ob.paths[0] ?? '/');
    const reqID = this.reqIds.get(ob.id) ?? (ob.composite ? undefined : this.pendingObserve.get(`${e.registration.endpoint} ${String(ob.paths[0])}`));
    this.publishTo(topic, {
      ...(reqID !== undefined ? { reqID } : {}),
      msgType: 'notify',
      ...(e.sequence !== undefined ? { seqNum: e.sequence } : {}),
      data: { code: '2.05', codeMsg: 'content', reqPath, content: resultContent(ob.composite ? undefined : ob.paths[0], e) },
    });
  }

  private publishSend(e: SendEvent): void {
    const content = resultContent(undefined, { timestamped: e.data.length > 1 ? e.data : undefined, nodes: e.data.length === 1 ? e.data[0]!.nodes : undefined });
    if (e.data.length === 1 && e.data[0]!.time !== undefined) for (const c of content) c.time = e.data[0]!.time;
    this.publish(e.registration.endpoint, 'up/send', { msgType: 'send', data: { content } });
  }

  /** A command: parsed at once; its result is published whenever the device answers. */
  private onCommand(topic: string, payload: Buffer): void {
    const endpoint = this.o.topics.endpointOf(topic);
    if (endpoint === undefined) return;
    const parsed = parseCommand(payload, this.o.ctx, () => this.o.server.getRegistration(endpoint));
    if (!parsed.ok) {
      const f = parsed.failed;
      // the endpoint as its (escaped, clipped) topic level: nothing raw from outside in a log line
      this.o.logger.warn('mqtt generic API: bad command', { endpoint: encodeLevel(endpoint).slice(0, 128), error: f.error.slice(0, 300) });
      this.publish(endpoint, 'up/resp', {
        ...(f.reqID !== undefined ? { reqID: f.reqID } : {}),
        msgType: f.msgType ?? 'unknown',
        data: { ...(f.reqPath !== undefined ? { reqPath: f.reqPath } : {}), code: '4.00', codeMsg: 'bad_request', error: f.error },
      });
      return;
    }
    const cmd = parsed.command;
    const pendingKey = cmd.request.op === 'observe' ? `${endpoint} ${String(cmd.request.path)}` : undefined;
    if (pendingKey) this.pendingObserve.set(pendingKey, cmd.reqID);
    this.o.server.request(endpoint, cmd.request).then(
      (r) => {
        if (pendingKey && this.pendingObserve.get(pendingKey) === cmd.reqID) this.pendingObserve.delete(pendingKey);
        this.respond(endpoint, cmd, r);
      },
      (e: unknown) => this.respond(endpoint, cmd, { success: false, error: { code: 'TRANSPORT', message: String(e) } }),
    );
  }

  private respond(endpoint: string, cmd: ParsedCommand, r: OperationResult): void {
    if (!this.running) return;
    try {
      if (cmd.msgType === 'observe' && r.observationId) this.reqIds.set(r.observationId, cmd.reqID);
      this.publish(endpoint, 'up/resp', { reqID: cmd.reqID, msgType: cmd.msgType, data: responseData(cmd, r) });
    } catch (e) {
      this.o.logger.error('mqtt generic API: response failed', { endpoint: encodeLevel(endpoint).slice(0, 128), error: String(e) });
    }
  }
}
