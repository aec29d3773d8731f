/**
 * The files of a record log in its folder: `<name>.<gen>.snap` (the whole state when
 * generation `gen` began, written to `.tmp` first, fsynced, then renamed) and
 * `<name>.<gen>.log` (the records appended since). Recovery reads the newest complete
 * snapshot, then every log of its generation or later, oldest first: a compaction that
 * died before its rename leaves the previous snapshot and both logs, which replay to the
 * same state.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const FILE = /^([a-z][a-z0-9-]{0,31})\.([0-9]{1,12})\.(snap|log|tmp)$/;

export interface Generations {
  snapshots: number[];
  logs: number[];
  /** snapshots a crash left half written */
  temps: string[];
}

export function snapshotFile(dir: string, name: string, gen: number): string {
  return join(dir, `${name}.${gen}.snap`);
}

export function logFile(dir: string, name: string, gen: number): string {
  return join(dir, `${name}.${gen}.log`);
}

export function tempFile(dir: string, name: string, gen: number): string {
  return join(dir, `${name}.${gen}.tmp`);
}

/** The generations present in `dir` for `name`, each list ascending. */
export function listGenerations(dir: string, name: string): Generations {
  const out: Generations = { snapshots: [], logs: [], temps: [] };
  for (const entry of readdirSync(dir)) {
    const m = FILE.exec(entry);
    if (!m || m[1] !== name) continue;
    const gen = Number(m[2]);
    if (m[3] === 'snap') out.snapshots.push(gen);
    else if (m[3] === 'log') out.logs.push(gen);
    else out.temps.push(join(dir, entry));
  }
  out.snapshots.sort((a, b) => a - b);
  out.logs.sort((a, b) => a - b);
  return out;
}

/** What recovery reads: the newest snapshot (if any), then the logs of its generation or later. */
export function recoveryPlan(g: Generations): { snapshot: number | undefined; logs: number[]; next: number } {
  const snapshot = g.snapshots.at(-1);
  const logs = g.logs.filter((n) => snapshot === undefined || n >= snapshot);
  const next = Math.max(-1, ...g.snapshots, ...g.logs) + 1;
  return { snapshot, logs, next };
}
