// Loaded into the gateway by the attack drill (--import, with --expose-gc): on SIGUSR2 it
// collects garbage and prints the heap in use, so the drill compares live memory before
// and after the attacks instead of RSS, which V8 seldom gives back to the system.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stderr.write(`heap-probe heapUsed=${m.heapUsed} external=${m.external} rss=${m.rss}\n`);
});
