/**
 * The embedded broker's access rule for the MQTT binding's topics (Transport 1.2 section
 * 8.1 recommends broker ACLs): on `[PREFIX/]lwm2m/rd/<x>` and `[PREFIX/]lwm2m/bs/<x>` a
 * client may publish, subscribe and receive only where `<x>` is its own identity (the CN
 * of its verified client certificate, else its login name, else its client id), and the
 * gateway's own binding client
 * (a login made at start, never configured) everywhere there. Everything else is left to
 * the broker's usual rights.
 *
 * The rule is plain data and functions: the gateway composition root hands it to the
 * MQTT face's broker (as its `topicRule`); this folder imports nothing of the face.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BOOTSTRAP_LEVEL, REGISTRATION_LEVEL, TOPIC_ROOT } from './operation-table.js';

/** The client of a broker hook. */
export interface TopicClient {
  clientId: string;
  username: string | undefined;
  /** the subject CN of a client certificate the broker's TLS listener verified */
  certificateCn?: string;
  /** logged in with the rule's own login (the gateway's binding client) */
  gateway: boolean;
}

/** undefined: not a topic of the rule (the broker's rights decide). */
export interface BrokerTopicRule {
  admits(username: string | undefined, password: Buffer | undefined): boolean;
  mayPublish(who: TopicClient, topic: string): boolean | undefined;
  maySubscribe(who: TopicClient, filter: string): boolean | undefined;
  mayReceive(who: TopicClient, topic: string): boolean | undefined;
}

/** The gateway's own login on the embedded broker, made at start. */
export interface GatewayLogin {
  username: string;
  password: string;
}

export function newGatewayLogin(): GatewayLogin {
  return { username: `lwm2m-gateway-binding-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('base64url') };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bindingTopicRule(prefix: string, login: GatewayLogin): BrokerTopicRule {
  const root = prefix ? `${prefix}/${TOPIC_ROOT}` : TOPIC_ROOT;
  const rootLevels = root.split('/').length;
  /** the endpoint level of a binding topic, or undefined when `topic` is no binding topic */
  const endpointOf = (topic: string): string | undefined => {
    if (!topic.startsWith(`${root}/`)) return undefined;
    const levels = topic.split('/');
    const level = levels[rootLevels];
    if (level !== REGISTRATION_LEVEL && level !== BOOTSTRAP_LEVEL) return undefined;
    // only `<root>/rd/<x>` is a binding topic; deeper ones are left to the broker's rights
    // (the MQTT face's own topics may sit there when its prefix is also "lwm2m")
    return levels.length === rootLevels + 2 ? levels[rootLevels + 1]! : undefined;
  };
  // a verified certificate first: a login name is proven only when the broker asks for logins
  const identity = (who: TopicClient): string => who.certificateCn ?? who.username ?? who.clientId;
  const own = (who: TopicClient, topic: string): boolean | undefined => {
    const ep = endpointOf(topic);
    if (ep === undefined) return undefined;
    if (who.gateway) return true;
    return ep !== '' && ep === identity(who);
  };
  return {
    admits: (username, password) => username !== undefined && password !== undefined && same(username, login.username) && same(password.toString('utf8'), login.password),
    mayPublish: own,
    mayReceive: own,
    maySubscribe: (who, filter) => {
      // a filter naming the binding's levels literally; wider ones (#, +/...) are the broker's
      // rights, and mayReceive keeps other endpoints' messages from them
      if (!filter.startsWith(`${root}/${REGISTRATION_LEVEL}/`) && !filter.startsWith(`${root}/${BOOTSTRAP_LEVEL}/`)) return undefined;
      if (who.gateway) return true;
      return !filter.includes('+') && !filter.includes('#') && own(who, filter) === true;
    },
  };
}
