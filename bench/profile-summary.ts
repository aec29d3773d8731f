/**
 * The heaviest functions of a V8 CPU profile (node --cpu-prof), by self time and by
 * file, and by total time (self and callees: which call path the time goes down), to see
 * what bounds a benchmark figure. Percentages of the busy time (idle left out).
 *
 *   npx tsx bench/profile-summary.ts bench/results/prof-.../CPU.*.cpuprofile [--top 25]
 *     [--timeline]            busy ms per second of the profile, to find a phase
 *     [--from S] [--to S]     only the samples between S and S seconds after the profile's start
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Busy ms per second since the profile's start (idle samples left out). */
export function timeline(p: Profile): string {
  const idleIds = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const busy: number[] = [];
  let t = 0;
  for (let k = 0; k < samples.length; k++) {
    t += deltas[k] ?? 0;
    const s = Math.floor(t / 1e6);
    busy[s] = (busy[s] ?? 0) + (idleIds.has(samples[k]!) ? 0 : (deltas[k] ?? 0));
  }
  return [...busy].map((us, s) => `${String(s).padStart(4)} s  ${((us ?? 0) / 1000).toFixed(0).padStart(5)} ms busy`).join('\n');
}

export function summarize(p: Profile, top = 25, window: { fromS?: number; toS?: number } = {}): string {
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const from = (window.fromS ?? 0) * 1e6;
  const to = (window.toS ?? Infinity) * 1e6;
  let t = 0;
  for (let k = 0; k < samples.length; k++) {
    t += deltas[k] ?? 0;
    if (t < from || t >= to) continue;
    self.set(samples[k]!, (self.get(samples[k]!) ?? 0) + (deltas[k] ?? 0));
  }
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const key = (n: ProfileNode): string => {
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(src|dist)\//, '$1/');
    return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
  };
  // total time per function: a node's self time counted once for every distinct function on its stack
  const byFnTotal = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let idle = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    if (us === 0) continue;
    if (n.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const k = key(byId.get(id)!);
      if (seen.has(k) || k.startsWith('(root)')) continue;
      seen.add(k);
      byFnTotal.set(k, (byFnTotal.get(k) ?? 0) + us);
    }
  }
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    total += us;
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(src|dist)\//, '$1/');
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const file = url === '' ? `(${n.callFrame.functionName})` : url.startsWith('node_modules/') ? url.split('/').slice(0, 2).join('/') : url;
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const fmt = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`)
      .join('\n');
  const busy = total - idle;
  const fmtBusy = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`)
      .join('\n');
  return `total ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy\n\nby function (self, of all):\n${fmt(byFn)}\n\nby file or package (self, of all):\n${fmt(byFile)}\n\nby function (total: self and callees, of busy):\n${fmtBusy(byFnTotal)}`;
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''));
if (isMain) {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '25' }, timeline: { type: 'boolean', default: false }, from: { type: 'string' }, to: { type: 'string' } },
    allowPositionals: true,
  });
  const window = { ...(values.from !== undefined ? { fromS: Number(values.from) } : {}), ...(values.to !== undefined ? { toS: Number(values.to) } : {}) };
  for (const f of positionals) {
    const p = JSON.parse(readFileSync(f, 'utf8')) as Profile;
    process.stdout.write(`${f}\n${values.timeline ? timeline(p) : summarize(p, Number(values.top), window)}\n\n`);
  }
}
