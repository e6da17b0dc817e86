// Bounded-concurrency mapping for I/O fan-out (header reads of hundreds of files). Pure.

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order.
 * `fn` should not reject (wrap failures into its result): the first rejection rejects the whole call.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}
