// Preloaded by the soak run (node --expose-gc --import ./bench/gc-on-signal.mjs dist/main.js):
// SIGUSR2 runs a full garbage collection, so the heap read from /metrics right after it is what
// is still alive. Bench-only: production never loads this file.
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
});
