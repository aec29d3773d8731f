// Loaded into the benchmark's gateway (--import, with --expose-gc): on SIGUSR2 it collects
// garbage and prints the live heap, so bench/run.ts reports heap per device beside RSS per
// device (V8 seldom gives memory back to the system, RSS overstates live state). With
// BENCH_HEAP_SNAPSHOT_DIR set (bench --heap-snapshot) it also writes a heap snapshot there,
// at the probes numbered in BENCH_HEAP_SNAPSHOT_AT (e.g. "2": the second probe only).
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';

let n = 0;
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  let file = '';
  const at = (process.env.BENCH_HEAP_SNAPSHOT_AT ?? '').split(',');
  n++;
  if (dir && at.includes(String(n))) file = writeHeapSnapshot(join(dir, `Heap.${process.pid}.${n}.heapsnapshot`));
  process.stderr.write(`heap-probe #${n} heapUsed=${m.heapUsed} external=${m.external} arrayBuffers=${m.arrayBuffers} rss=${m.rss}${file ? ` snapshot=${file}` : ''}\n`);
});
