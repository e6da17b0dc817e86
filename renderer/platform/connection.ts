// Whether main's service answers. A call whose transport fails (fetch rejected: server stopped, connection
// refused; or no readable answer) marks the service unreachable; from then on a cheap probe runs every few
// seconds, and the first call or probe that gets any answer marks it reachable again. The app shows a banner
// while it is unreachable; the edit session keeps its strokes and sends them once it answers.
import type { Api } from '../../common/contract.js';

export type ConnectionState = { reachable: true } | { reachable: false; since: number; message: string };

export interface ConnectionMonitor {
  state(): ConnectionState;
  /** A call's transport failed. */
  failed(err: unknown): void;
  /** A call got an answer (a value or a typed error: either way the service is there). */
  answered(): void;
  /** Probes now (the banner's Retry). */
  probeNow(): void;
  subscribe(fn: (s: ConnectionState) => void): () => void;
}

/** `probe` resolves when the service answered (whatever the answer), rejects when it could not be reached. */
export function createConnectionMonitor(probe: () => Promise<unknown>, intervalMs = 2000): ConnectionMonitor {
  let state: ConnectionState = { reachable: true };
  const listeners = new Set<(s: ConnectionState) => void>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let probing = false;

  const set = (next: ConnectionState): void => {
    state = next;
    for (const fn of listeners) fn(state);
  };
  const schedule = (): void => {
    if (timer !== null || state.reachable) return;
    timer = setTimeout(() => {
      timer = null;
      runProbe();
    }, intervalMs);
  };
  const runProbe = (): void => {
    if (probing || state.reachable) return;
    probing = true;
    probe().then(
      () => {
        probing = false;
        monitor.answered();
      },
      () => {
        probing = false;
        schedule();
      },
    );
  };
  const monitor: ConnectionMonitor = {
    state: () => state,
    failed(err) {
      if (state.reachable) set({ reachable: false, since: Date.now(), message: err instanceof Error ? err.message : String(err) });
      schedule();
    },
    answered() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (!state.reachable) set({ reachable: true });
    },
    probeNow() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      runProbe();
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  return monitor;
}

/** `api` with every call reported to `monitor` (a rejected call is a transport failure; see platform/api.ts). */
export function monitoredApi(api: Api, monitor: ConnectionMonitor): Api {
  return new Proxy(api, {
    get(target, method: string) {
      const fn = (target as unknown as Record<string, (req: unknown) => Promise<unknown>>)[method];
      if (typeof fn !== 'function') return fn;
      return async (req: unknown) => {
        try {
          const res = await fn.call(target, req);
          monitor.answered();
          return res;
        } catch (err) {
          monitor.failed(err);
          throw err;
        }
      };
    },
  });
}
