/**
 * What fills a V8 heap snapshot (node --heapsnapshot-signal, bench/run.ts --heap-snapshot):
 * self sizes summed by constructor or type, the biggest first, optionally per device.
 *
 *   npx tsx bench/heap-summary.ts bench/results/Heap.*.heapsnapshot [--devices 1000] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function summarize(s: Snapshot, top: number, devices: number): string {
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const by = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let k = 0; k < s.nodes.length; k += width) {
    const type = types[s.nodes[k + iType]!] ?? '?';
    const size = s.nodes[k + iSize]!;
    total += size;
    const label = s.strings[s.nodes[k + iName]!] ?? '';
    const name = type === 'object' || type === 'closure' || type === 'native' || (type === 'array' && label.startsWith('(')) ? `${type} ${label}` : `(${type})`;
    const e = by.get(name) ?? { bytes: 0, count: 0 };
    e.bytes += size;
    e.count++;
    by.set(name, e);
  }
  const rows = [...by.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top);
  const per = (b: number): string => (devices > 0 ? `${(b / devices).toFixed(0).padStart(7)} B/device` : '');
  return [
    `heap ${(total / 1048576).toFixed(1)} MiB${devices > 0 ? `, ${(total / devices).toFixed(0)} B per device` : ''}`,
    ...rows.map(([name, e]) => `${(e.bytes / 1048576).toFixed(1).padStart(7)} MiB ${String(e.count).padStart(9)} x  ${per(e.bytes)}  ${name.slice(0, 90)}`),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''));
if (isMain) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' }, devices: { type: 'string', default: '0' } }, allowPositionals: true });
  for (const file of positionals) {
    process.stdout.write(`${file}\n${summarize(JSON.parse(readFileSync(file, 'utf8')) as Snapshot, Number(values.top), Number(values.devices))}\n\n`);
  }
}
