/**
 * What a face's mapping section compiles its event-driven outputs into, for DevicePlan
 * (plan.ts): which object and instances an output is about, which resources it needs, and
 * how it renders a group of values into that face's messages (`M`: an MQTT message for
 * the MQTT section). DevicePlan decides when; the face's section decides what.
 */
import type { RenderContext } from './template.js';

/**
 * The values of one object instance at one time: those a notification or Send carried
 * (`fresh`), and for outputs that name several resources the last known ones of the others.
 */
export interface InstanceGroup extends RenderContext {
  objectId: number;
  instanceId: number;
  /** the resources the notification carried (they trigger outputs); undefined: every key of `values` */
  fresh?: ReadonlySet<number>;
}

export interface PlannedOutput<M> {
  objectId: number;
  /** the mapping file's name */
  mapping: string;
  /** undefined: every instance */
  instances?: ReadonlySet<number>;
  /**
   * The resources the message names besides the one it is about (each: resource): it is
   * rendered from their last known values and goes out once each has a value or was
   * reported absent. Empty: the message is rendered from the notification alone.
   */
  names: readonly number[];
  /**
   * Renders the messages of `group` when a resource it carried triggers this output;
   * `force`: render even so (the message just became complete).
   */
  emit(group: InstanceGroup, out: M[], force?: boolean): void;
}
