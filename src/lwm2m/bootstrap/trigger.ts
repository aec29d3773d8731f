/**
 * Server-initiated bootstrap (LwM2M 1.1 Core 5.2.3): the LwM2M Server executes the
 * Bootstrap-Request Trigger of the client's Server instance (/1/x/9); the client then
 * makes a client-initiated bootstrap to its Bootstrap Server.
 *
 * Which Server instance is this server's is the client's to know: without `instance`,
 * the lowest instance of object 1 the client registered (/1/0 when it listed none).
 */
import { LwM2mPath } from '../path.js';
import type { Registration } from '../server/types.js';

/** resource 9 of the Server object: Bootstrap-Request Trigger */
export const BOOTSTRAP_TRIGGER_RESOURCE = 9;

/** The path to execute, or why there is none. */
export function bootstrapTriggerPath(reg: Registration, instance?: number): LwM2mPath | string {
  const ids = reg.objects.get(1)?.instances ?? [];
  if (instance !== undefined) {
    if (!Number.isInteger(instance) || instance < 0 || instance > 65534) return 'instance must be an integer from 0 to 65534';
    if (ids.length > 0 && !ids.includes(instance)) return `the device registered no Server instance /1/${instance}`;
    return LwM2mPath.of(1, instance, BOOTSTRAP_TRIGGER_RESOURCE);
  }
  return LwM2mPath.of(1, ids.length > 0 ? Math.min(...ids) : 0, BOOTSTRAP_TRIGGER_RESOURCE);
}
