// Bounded-concurrency mapping, shared by the dataset scan (header reads of hundreds of files) and the export
// (one series per worker thread in flight). Pure.

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order.
 * After the first rejection no further item is started; the calls already in flight are awaited, then the whole
 * call rejects (with the error of the lowest-numbered lane that failed). Callers that want every item mapped
 * wrap failures into their result instead of rejecting.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  const results = await Promise.allSettled(Array.from({ length: lanes }, lane));
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
  return out;
}
