// A small LRU cache of loaded series with shared loads and pinning (issue 11, item 1).
//
// - One load per series: concurrent requests for the same series wait on the same promise.
// - An entry is pinned while an operation uses it (acquire → release); only unpinned entries are evicted, so an
//   eviction never cancels or invalidates a load or an operation another request is waiting for.
// - Memory is bounded: at most `capacity` series are held. A request for a further series waits (FIFO) until a
//   pinned one is released and can be evicted, instead of evicting it under its users and loading it again (the
//   old loop that spun forever when more series were requested at once than the cache could hold).
import { AppError } from '../../common/errors.js';

export interface Lease<T> {
  readonly value: T;
  /** Unpins the entry; idempotent. */
  release(): void;
}

export interface SeriesCacheOptions<T> {
  capacity: number;
  load(id: string): Promise<T>;
  /** Called with the value of an entry once it leaves the cache. */
  evicted?(value: T): void;
}

export interface SeriesCache<T> {
  /** Loads (or shares the load of) `id`, pinned until the lease is released. */
  acquire(id: string): Promise<Lease<T>>;
  /** The cached load of `id`, if any, without pinning it or changing the LRU order. */
  peek(id: string): Promise<T> | undefined;
  /** Ids in the cache, least recently used first (tests). */
  keys(): string[];
  /** Requests waiting for room (tests). */
  waiting(): number;
  /** Drops every entry; waiting and later acquires fail. */
  close(): void;
}

interface Entry<T> {
  promise: Promise<T>;
  users: number;
  settled: boolean;
  value?: T;
}

export function createSeriesCache<T>(opts: SeriesCacheOptions<T>): SeriesCache<T> {
  const capacity = Math.max(1, Math.floor(opts.capacity));
  const entries = new Map<string, Entry<T>>(); // insertion order = LRU order
  const waiters: Array<() => void> = [];
  let closed = false;

  const drop = (id: string, e: Entry<T>): void => {
    entries.delete(id);
    if (e.settled && e.value !== undefined) opts.evicted?.(e.value);
  };

  /** Evicts unpinned entries (least recently used first) until one more fits; false when all are pinned. */
  const makeRoom = (): boolean => {
    while (entries.size >= capacity) {
      let victim: [string, Entry<T>] | null = null;
      for (const kv of entries) {
        if (kv[1].users === 0) {
          victim = kv;
          break;
        }
      }
      if (!victim) return false;
      drop(victim[0], victim[1]);
    }
    return true;
  };

  /** Lets the waiters retry, in arrival order (each re-queues itself when there is still no room). */
  const wake = (): void => {
    const ready = waiters.splice(0);
    for (const w of ready) w();
  };

  const start = (id: string): Entry<T> => {
    const e: Entry<T> = { promise: opts.load(id), users: 0, settled: false };
    entries.set(id, e);
    e.promise.then(
      (v) => {
        e.settled = true;
        e.value = v;
        if (entries.get(id) !== e) opts.evicted?.(v); // closed while loading
      },
      () => {
        e.settled = true;
        // A failed load is not kept: the next request tries again, and its slot is free for the waiters.
        if (entries.get(id) === e) entries.delete(id);
        wake();
      },
    );
    return e;
  };

  const closedError = (): AppError => new AppError('internal', 'The workstation is closed');

  const cache: SeriesCache<T> = {
    async acquire(id) {
      let e: Entry<T> | undefined;
      for (;;) {
        if (closed) throw closedError();
        e = entries.get(id);
        if (e) {
          entries.delete(id); // most recently used goes last
          entries.set(id, e);
          break;
        }
        if (makeRoom()) {
          e = start(id);
          break;
        }
        await new Promise<void>((ok) => waiters.push(ok));
      }
      const entry = e;
      entry.users++;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        entry.users--;
        if (entry.users === 0) wake();
      };
      try {
        const value = await entry.promise;
        return { value, release };
      } catch (err) {
        release();
        throw err;
      }
    },
    peek: (id) => entries.get(id)?.promise,
    keys: () => [...entries.keys()],
    waiting: () => waiters.length,
    close() {
      if (closed) return;
      closed = true;
      for (const [id, e] of [...entries]) drop(id, e);
      wake();
    },
  };
  return cache;
}
