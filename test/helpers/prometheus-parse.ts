/**
 * Parses a Prometheus text exposition with the parser of the official Python client
 * (Debian's python3-prometheus-client), a parser no one here wrote.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import sys, json
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({'name': f.name, 'type': f.type, 'samples': [{'name': s.name, 'labels': s.labels, 'value': s.value} for s in f.samples]})
print(json.dumps(out))
`;

/** why the parser is unavailable, or false */
export const noPrometheusParser: string | false = !existsSync(PYTHON)
  ? 'python3 is not installed'
  : spawnSync(PYTHON, ['-c', 'import prometheus_client.parser'], { encoding: 'utf8' }).status !== 0
    ? 'python3-prometheus-client is not installed'
    : false;

export interface MetricFamily {
  name: string;
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** Parses `text`; throws with the parser's message when it is not valid exposition text. */
export function parsePrometheusText(text: string): MetricFamily[] {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`not valid Prometheus text: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
  return JSON.parse(r.stdout) as MetricFamily[];
}

/** The value of the sample named `name` whose labels include `labels` (undefined: none). */
export function sampleValue(families: readonly MetricFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families) {
    for (const s of f.samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
  }
  return undefined;
}
