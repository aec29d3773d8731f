/**
 * The MQTT sections of a compiled mapping set: device plans over their publish outputs
 * (cached per registration object), rendering of notifications and Send values into MQTT
 * messages, and the command topics.
 */
import type { NotificationEvent, Registration, SendEvent } from '../../lwm2m/server/types.js';
import type { CompiledFile, CompiledTarget } from '../compile-file.js';
import type { LastValues } from '../last-values.js';
import { DevicePlan } from '../plan.js';
import type { CompiledCommand } from './commands.js';
import type { CompiledPublish } from './publish.js';
import type { CommandMatch, OutboundMessage, ParseCommandOptions } from './types.js';

const publishOutputs = (t: CompiledTarget): CompiledPublish[] => t.mqtt?.publish ?? [];

export class MqttMappings {
  private readonly plans = new WeakMap<Registration, DevicePlan<OutboundMessage>>();
  /** shared plans: registered objects (registrations of one payload share the map) -> matching file names -> plan */
  private readonly shared = new WeakMap<Registration['objects'], Map<string, DevicePlan<OutboundMessage>>>();
  private readonly commands: { file: CompiledFile; command: CompiledCommand }[] = [];

  /** `files`: the enabled files, in file name order */
  constructor(private readonly files: readonly CompiledFile[]) {
    for (const file of files) for (const t of file.targets) for (const command of t.mqtt?.commands ?? []) this.commands.push({ file, command });
  }

  /**
   * What the mappings ask for this device; cached per Registration object (an Update makes
   * a new one) and shared between registrations with the same objects and matching files.
   */
  matchDevice(registration: Registration): DevicePlan<OutboundMessage> {
    let plan = this.plans.get(registration);
    if (plan) return plan;
    const files = this.files.filter((f) => f.matches(registration));
    const key = files.map((f) => f.name).join('\n');
    let byFiles = this.shared.get(registration.objects);
    if (!byFiles) this.shared.set(registration.objects, (byFiles = new Map()));
    plan = byFiles.get(key);
    if (!plan) byFiles.set(key, (plan = new DevicePlan(registration, files, publishOutputs)));
    this.plans.set(registration, plan);
    return plan;
  }

  /**
   * The MQTT messages for a notification or Send event; `known`: the device's last values
   * for messages naming several resources (DevicePlan.render), updated here.
   */
  render(event: NotificationEvent | SendEvent, known?: LastValues): OutboundMessage[] {
    return this.matchDevice(event.registration).render(event, known);
  }

  /** MQTT subscription filters covering every command topic. */
  commandSubscriptions(): string[] {
    return [...new Set(this.commands.map((c) => c.command.subscription))];
  }

  /**
   * Turns a message on a command topic into an operation request; undefined when no
   * command topic matches. The first matching command (file name order) wins.
   */
  parseCommand(topic: string, payload: Buffer | string, options: ParseCommandOptions = {}): CommandMatch | undefined {
    for (const { file, command } of this.commands) {
      const m = command.match(topic, payload, options);
      if (!m) continue;
      if (options.registrationOf) {
        const reg = options.registrationOf(m.endpoint);
        if (reg && !file.matches(reg)) continue;
      }
      return m;
    }
    return undefined;
  }
}
