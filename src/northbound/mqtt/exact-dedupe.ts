/**
 * No message lost to aedes' duplicate check. aedes numbers every message when it enters the
 * broker (`brokerCounter`, one counter per broker) and, per client, drops a message numbered
 * at or below the last one it delivered to that client (`client.duplicates`): meant for one
 * message matched by two overlapping subscriptions of the client. But messages take different
 * numbers of asynchronous steps through aedes (a retained one is stored first, a QoS 1 one is
 * queued for offline sessions first, a QoS 1 one from a client waits for its PUBACK write), so
 * one numbered later can reach a subscriber first, and the earlier one is then dropped: lost,
 * e.g. a QoS 1 message the gateway publishes while handling a client's QoS 0 message.
 *
 * This replaces the ordering test with an exact one: a client drops a message only when the
 * very same message (same number) was one of the last few delivered to it. mqemitter calls
 * every subscription matching one message in one synchronous loop, so the copies of
 * overlapping subscriptions arrive together and are still dropped.
 *
 * It works through aedes' own check, so everything else aedes does for a dropped message (a
 * persistent session's queue entry cleared) stays as it was: before aedes looks, the client's
 * `duplicates` entry is set to 0 (deliver) or +Infinity (drop).
 */
import type { Client } from 'aedes';

type Deliver = (packet: DeliveredPacket, cb: () => void) => void;

interface DeliveredPacket {
  qos: number;
  brokerId?: string | null;
  brokerCounter?: number;
}

interface AedesClientInternals {
  duplicates: Record<string, number>;
  deliver0: Deliver;
  deliverQoS: Deliver;
}

/** How many message numbers a client remembers: copies of one message arrive within a few deliveries. */
const REMEMBERED = 16;

/** Installs the exact duplicate check on a client aedes just created (before it reads a packet). */
export function exactDedupe(client: Client): void {
  const c = client as unknown as AedesClientInternals;
  if (typeof c.deliver0 !== 'function' || typeof c.deliverQoS !== 'function' || typeof c.duplicates !== 'object') return;
  const recent: (number | undefined)[] = new Array<number | undefined>(REMEMBERED);
  let next = 0;
  let brokerOf: string | undefined;
  const decide = (packet: DeliveredPacket): void => {
    const id = packet.brokerId;
    const counter = packet.brokerCounter;
    if (!id || typeof counter !== 'number') return; // aedes does not check these either
    if (id !== brokerOf) {
      // numbers are per broker (one broker here; another id starts a fresh memory)
      brokerOf = id;
      recent.fill(undefined);
    }
    const seen = recent.includes(counter);
    if (!seen) {
      recent[next] = counter;
      next = (next + 1) % REMEMBERED;
    }
    c.duplicates[id] = seen ? Number.POSITIVE_INFINITY : 0;
  };
  const deliver0 = c.deliver0;
  const deliverQoS = c.deliverQoS;
  c.deliver0 = (packet, cb) => {
    decide(packet);
    deliver0(packet, cb);
  };
  // a QoS 0 message given to deliverQoS goes on to deliver0 (the one above), decided there
  c.deliverQoS = (packet, cb) => {
    if (packet.qos !== 0) decide(packet);
    deliverQoS(packet, cb);
  };
}
