/**
 * The embedded broker's aedes hooks for logins and topic rights: `authenticate` (the shared
 * login and the users, a will the login may not publish refused with CONNACK 5),
 * `authorizePublish` (the login's publish patterns, never `$SYS` nor the gateway's output
 * topics) and `authorizeSubscribe` (the login's subscribe patterns; refused: SUBACK 128).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from '../../log.js';
import type { BrokerTopicRule, TopicRuleClient } from '../face.js';
import { FULL_RIGHTS, UserTable, patternCoversFilter, patternMatchesTopic, type BrokerUser, type Rights } from './broker-acl.js';
import { isGatewayOutput, type OutputTopics } from './output-topics.js';

/** CONNACK 4: bad user name or password. */
const BAD_USERNAME_OR_PASSWORD = 4;
/** CONNACK 5: not authorized (a will on a topic the login may not publish to). */
const NOT_AUTHORIZED = 5;

function refusal(message: string, returnCode: number): AuthenticateError {
  const err = new Error(message) as AuthenticateError;
  (err as { returnCode: number }).returnCode = returnCode;
  return err;
}

function digest(s: string | Buffer): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares two secrets in time independent of where they differ (and of their lengths). */
export function sameSecret(given: string | Buffer | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export interface BrokerAccessOptions {
  username?: string | null | undefined;
  password?: string | null | undefined;
  users?: readonly BrokerUser[] | undefined;
  outputTopics?: (() => OutputTopics) | undefined;
  logger: Logger;
  /** a publish (or will) refused */
  onRefusedPublish?: () => void;
  /** a rule the composition root adds for topics it owns (the LwM2M/MQTT binding's); it decides there */
  topicRule?: BrokerTopicRule | undefined;
}

const NO_RIGHTS: Rights = { publish: [], subscribe: [] };

/** What a logged-in client may do. */
interface Session {
  rights: Rights;
  username: string | undefined;
  /** admitted by the topic rule's login: its topics only */
  gateway?: boolean;
  /** the subject CN of the client certificate the TLS listener verified */
  certificateCn?: string;
}

/** The CN of a verified client certificate on a TLS connection, if any. */
function certificateCnOf(client: Client): string | undefined {
  const conn = (client as unknown as { conn?: { authorized?: boolean; getPeerCertificate?: () => { subject?: { CN?: unknown } } | undefined } }).conn;
  if (conn?.authorized !== true || typeof conn.getPeerCertificate !== 'function') return undefined;
  const cn = conn.getPeerCertificate()?.subject?.CN;
  return typeof cn === 'string' && cn.length > 0 && cn.length <= 256 ? cn : undefined;
}

export class BrokerAccess {
  private readonly table: UserTable;
  private readonly sessions = new WeakMap<Client, Session>();

  constructor(private readonly o: BrokerAccessOptions) {
    this.table = new UserTable(o.users ?? []);
  }

  private get shared(): boolean {
    return this.o.username != null || this.o.password != null;
  }

  /** True when clients must log in. */
  get loginRequired(): boolean {
    return this.shared || this.table.size > 0;
  }

  get userCount(): number {
    return this.table.size;
  }

  private who(client: Client): TopicRuleClient {
    const s = this.sessions.get(client);
    return { clientId: client.id, username: s?.username, gateway: s?.gateway === true, ...(s?.certificateCn !== undefined ? { certificateCn: s.certificateCn } : {}) };
  }

  /** The aedes hooks. */
  hooks(): Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'> {
    const rule = this.o.topicRule;
    return {
      authenticate: (client, user, pass, done) => {
        if (rule?.admits(user, pass)) {
          this.sessions.set(client, { rights: NO_RIGHTS, username: user, gateway: true });
          return done(null, true);
        }
        this.login(user, pass).then(
          (rights) => {
            if (!rights) return done(refusal('bad user name or password', BAD_USERNAME_OR_PASSWORD), null);
            const cn = rule ? certificateCnOf(client) : undefined;
            this.sessions.set(client, { rights, username: user, ...(cn !== undefined ? { certificateCn: cn } : {}) });
            const will = (client as unknown as { _will?: { topic?: unknown } | null })._will;
            if (will && typeof will.topic === 'string' && !this.mayPublish(client, will.topic)) {
              this.o.onRefusedPublish?.();
              return done(refusal('not authorized to publish the will', NOT_AUTHORIZED), null);
            }
            done(null, true);
          },
          () => done(refusal('bad user name or password', BAD_USERNAME_OR_PASSWORD), null),
        );
      },
      authorizePublish: (client, packet, done) => {
        if (this.mayPublish(client, packet.topic)) return done(null);
        this.o.onRefusedPublish?.();
        this.o.logger.debug('mqtt broker: publish refused', { client: client?.id, topic: packet.topic });
        done(new Error('not authorized to publish there'));
      },
      authorizeSubscribe: (client, sub, done) => {
        const s = this.sessions.get(client);
        const ruled = s ? rule?.maySubscribe(this.who(client), sub.topic) : undefined;
        if (ruled !== undefined) return done(null, ruled ? sub : null);
        if (s && s.rights.subscribe.some((p) => patternCoversFilter(p, sub.topic, { username: s.username, clientId: client.id }))) return done(null, sub);
        this.o.logger.debug('mqtt broker: subscription refused', { client: client.id, filter: sub.topic });
        done(null, null);
      },
      authorizeForward: (client, packet) => (client && rule?.mayReceive(this.who(client), packet.topic) === false ? null : packet),
    };
  }

  private mayPublish(client: Client | null, topic: string): boolean {
    if (!client) return false; // only a client's own will is published for it
    const s = this.sessions.get(client);
    if (!s || topic.startsWith('$SYS')) return false;
    if (this.o.outputTopics && isGatewayOutput(this.o.outputTopics(), topic)) return false;
    const ruled = this.o.topicRule?.mayPublish(this.who(client), topic);
    if (ruled !== undefined) return ruled;
    return s.rights.publish.some((p) => patternMatchesTopic(p, topic, { username: s.username, clientId: client.id }));
  }

  private async login(user: string | undefined, pass: Buffer | undefined): Promise<Rights | undefined> {
    if (!this.loginRequired) return FULL_RIGHTS;
    const own = user !== undefined && this.table.size > 0 ? await this.table.login(user, pass) : undefined;
    if (own) return own;
    if (!this.shared) return undefined;
    const { username, password } = this.o;
    // evaluate both, so the time taken does not tell which one was wrong
    const okUser = username == null || sameSecret(user, username);
    const okPass = password == null || sameSecret(pass, password);
    return okUser && okPass ? FULL_RIGHTS : undefined;
  }
}
