/**
 * The steps of a device's plan: which requests start a planned observation, how a
 * planned observation is told apart from another, and a limit on devices planned at once.
 */
import type { PlannedObservation } from '../../mapping/types.js';
import type { OperationRequest, OperationResult, Registration, SendEvent } from '../../lwm2m/server/types.js';
import type { LwM2mNode } from '../../lwm2m/node.js';

/** Identifies a planned observation: a change of paths, mode or attributes makes a new one. */
export function observationKey(o: PlannedObservation): string {
  return `${o.composite ? 'c' : 's'}|${o.paths.join(',')}|${o.attributes ? JSON.stringify(o.attributes) : ''}`;
}

/** The requests that start one planned observation, Write-Attributes first. */
export function startRequests(o: PlannedObservation): OperationRequest[] {
  const out: OperationRequest[] = [];
  if (o.attributes) for (const path of o.paths) out.push({ op: 'writeAttributes', path, attributes: o.attributes });
  out.push(o.composite ? { op: 'observeComposite', paths: [...o.paths] } : { op: 'observe', path: o.paths[0]! });
  return out;
}

/**
 * On a binding without Observe (HTTP), the read that stands for a planned observation's
 * Observe: its answer is the first value, as the Observe's answer is on other bindings.
 */
export function firstReadRequest(o: PlannedObservation): OperationRequest {
  return o.composite ? { op: 'readComposite', paths: [...o.paths] } : { op: 'read', path: o.paths[0]! };
}

/** A read's values as the Send of them that such a device would make; undefined: nothing read. */
export function readAsSend(registration: Registration, o: PlannedObservation, r: OperationResult, now: number): SendEvent | undefined {
  const nodes = new Map<string, LwM2mNode>();
  if (r.nodes) for (const [path, node] of r.nodes) if (node) nodes.set(path, node);
  if (r.node && !o.composite) nodes.set(o.paths[0]!, r.node);
  if (!r.success || nodes.size === 0) return undefined;
  return { registration, data: [{ time: undefined, nodes }], contentFormat: r.contentFormat ?? 0, receivedAt: now };
}

/** Runs at most `max` tasks at once, the others in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    while (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
