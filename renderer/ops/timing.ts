// User-timing spans around the UI-thread steps of the previewed label operations, so a profile or the in-app
// bench (bench/previewFrames.bench.ts) can say which step a long task was. Observers still receive each entry;
// the timeline buffer is cleared at once so it does not grow with every operation.

/** Runs `fn` and records it as the user-timing measure `name` (also when it throws). */
export function timed<T>(name: string, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    performance.measure(name, { start: t0 });
    performance.clearMeasures(name);
  }
}
