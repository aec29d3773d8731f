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
