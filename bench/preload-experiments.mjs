// Benchmark experiment, loaded into the gateway with --import (bench/run.ts --rcvbuf):
// BENCH_RCVBUF=bytes gives every UDP socket that receive buffer (Linux caps it at
// net.core.rmem_max; the default is about 208 KiB).
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';

const rcvbuf = Number(process.env.BENCH_RCVBUF ?? 0);
if (rcvbuf > 0) {
  const original = dgram.createSocket;
  dgram.createSocket = function createSocket(...args) {
    const s = original.apply(this, args);
    s.once('listening', () => {
      try {
        s.setRecvBufferSize(rcvbuf);
      } catch {
        // not supported here
      }
    });
    return s;
  };
  syncBuiltinESMExports();
}

// BENCH_ELD_FILE=path: every 2 s, the gateway's event loop delay (p50/p99/max, ms) and its
// GC pauses (count, total and longest, ms) appended to that file: what the latency tail is made of.
const eldFile = process.env.BENCH_ELD_FILE;
if (eldFile) {
  const { monitorEventLoopDelay, PerformanceObserver } = await import('node:perf_hooks');
  const { appendFileSync } = await import('node:fs');
  const { setInterval } = await import('node:timers');
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let gcCount = 0;
  let gcTotal = 0;
  let gcMax = 0;
  const kinds = {};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      gcTotal += e.duration;
      gcMax = Math.max(gcMax, e.duration);
      const k = e.detail?.kind ?? 0;
      kinds[k] = (kinds[k] ?? 0) + e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns) => (ns / 1e6).toFixed(1);
  setInterval(() => {
    appendFileSync(eldFile, `${new Date().toISOString()} eld p50 ${ms(h.percentile(50))} p99 ${ms(h.percentile(99))} max ${ms(h.max)} | gc ${gcCount} total ${gcTotal.toFixed(0)} max ${gcMax.toFixed(1)} by kind ${JSON.stringify(Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, Math.round(v)])))}\n`);
    h.reset();
    gcCount = gcTotal = gcMax = 0;
    for (const k of Object.keys(kinds)) delete kinds[k];
  }, 2000).unref();
}
