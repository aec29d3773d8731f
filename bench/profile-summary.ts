/**
 * The heaviest functions of a V8 CPU profile (node --cpu-prof), by self time and by
 * file, and by total time (self and callees: which call path the time goes down), to see
 * what bounds a benchmark figure. Percentages of the busy time (idle left out).
 *
 *   npx tsx bench/profile-summary.ts bench/results/prof-.../CPU.*.cpuprofile [--top 25]
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

export function summarize(p: Profile, top = 25): string {
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let k = 0; k < samples.length; k++) self.set(samples[k]!, (self.get(samples[k]!) ?? 0) + (deltas[k] ?? 0));
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
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
  for (const f of positionals) process.stdout.write(`${f}\n${summarize(JSON.parse(readFileSync(f, 'utf8')) as Profile, Number(values.top))}\n\n`);
}
