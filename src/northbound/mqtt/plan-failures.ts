/**
 * Failed requests of one device's plan (Write-Attributes, Observe, seed Read), logged so
 * that a large fleet does not drown real problems:
 * - expected outcomes are debug: 4.04 (the device has no such object, instance or
 *   resource) and a request cut short because the device de-registered or registered again;
 * - a real failure is logged once per mapping and device: one WARN line at the end of the
 *   planning pass, with the first failure and how many more that mapping had in the pass;
 *   failures of a mapping already reported for this registration are debug.
 * The memory is a set of mapping names per device (bounded), dropped with the device.
 */
import type { Logger } from '../../log.js';
import type { OperationRequest, OperationResult } from '../../lwm2m/server/types.js';

/** mappings remembered as reported, per device */
export const MAX_REPORTED_MAPPINGS = 64;

/** Why a failure is an expected outcome, or undefined for a real failure. */
export function expectedFailure(r: OperationResult, deviceGone: boolean): string | undefined {
  if (deviceGone || r.error?.code === 'NOT_REGISTERED' || r.error?.code === 'CANCELLED') return 'device no longer registered';
  if (r.code === '4.04') return 'not on the device';
  return undefined;
}

interface Failure {
  op: OperationRequest['op'];
  paths: string;
  code: string | undefined;
  repeats: number;
}

export class PlanFailures {
  /** made on the first failure: most devices never have one */
  private reported: Set<string> | undefined;
  /** failures of the current pass, by mapping */
  private pass: Map<string, Failure> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly endpoint: string,
  ) {}

  /** A request of the plan that did not succeed. */
  record(mapping: string, req: OperationRequest, paths: readonly string[], r: OperationResult, deviceGone: boolean): void {
    const code = r.code ?? r.error?.code;
    const expected = expectedFailure(r, deviceGone);
    if (expected !== undefined) {
      this.logger.debug('mqtt mapped topics: request of the plan not done', { endpoint: this.endpoint, mapping, op: req.op, paths: paths.join(','), code, reason: expected });
      return;
    }
    this.pass ??= new Map();
    const seen = this.pass.get(mapping);
    if (seen) seen.repeats++;
    else this.pass.set(mapping, { op: req.op, paths: paths.join(','), code, repeats: 0 });
  }

  /** Ends a planning pass: one line per mapping that failed in it. */
  flush(): void {
    if (!this.pass) return;
    this.reported ??= new Set();
    for (const [mapping, f] of this.pass) {
      const fields = { endpoint: this.endpoint, mapping, op: f.op, paths: f.paths, code: f.code, repeats: f.repeats };
      if (this.reported.has(mapping)) {
        this.logger.debug('mqtt mapped topics: request of the plan failed again', fields);
        continue;
      }
      if (this.reported.size < MAX_REPORTED_MAPPINGS) this.reported.add(mapping);
      this.logger.warn('mqtt mapped topics: request of the plan failed', fields);
    }
    this.pass = undefined;
  }
}
