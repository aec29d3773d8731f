/**
 * What the device page knows of a device's values: the latest value of each path (from
 * reads, notifications and Send) and the recent history of numeric ones for the plots;
 * and the operation log (each request and the answer as it came).
 */
import { flatten, type JsonValue, type Point } from './values.js';

export const HISTORY = 60;

export interface Known {
  value: JsonValue;
  at: number;
  source: string;
}

export interface LogEntry {
  id: number;
  at: number;
  label: string;
  status: number;
  ok: boolean;
  text: string;
}

export class ValueStore {
  readonly latest = new Map<string, Known>();
  readonly history = new Map<string, Point[]>();

  /** Records `value` at `path` (any depth); returns this for chaining. */
  put(path: string, value: JsonValue, source: string, at = Date.now()): this {
    for (const [p, v] of flatten(path, value)) {
      this.latest.set(p, { value: v, at, source });
      if (typeof v === 'number') {
        const h = this.history.get(p) ?? [];
        h.push({ t: at, v });
        if (h.length > HISTORY) h.splice(0, h.length - HISTORY);
        this.history.set(p, h);
      }
    }
    return this;
  }
}
