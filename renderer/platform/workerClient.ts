// One Web Worker answering requests by id: started on first use, stopped by dispose() or by aborting a call (a wasm
// or voxel loop in a worker cannot be interrupted any other way); stopping rejects every call in flight and the
// next call starts a fresh worker. Used by fill between slices (renderer/interpolation) and label morphology
// (renderer/ops).
export interface WorkerClient<Res extends { id: number }> {
  /**
   * Posts `request(id)` (transferring `transfer`) and resolves with the worker's answer carrying that id. Aborting
   * `signal` while the call is pending stops the worker: every call in flight rejects with `abortReason()`.
   */
  call(request: (id: number) => object, transfer: Transferable[], signal: AbortSignal | undefined, abortReason: () => unknown): Promise<Res>;
  /** Starts the worker ahead of the first call (starting one costs the UI thread a long task). */
  start(): void;
  /** Stops the worker; calls in flight reject with `reason`. */
  dispose(reason: unknown): void;
}

/**
 * `create` must hold the literal `new Worker(new URL('./x.worker.ts', import.meta.url), …)`: that is the form Vite
 * bundles. `what` names the worker in error messages.
 */
export function createWorkerClient<Res extends { id: number }>(create: () => Worker, what: string): WorkerClient<Res> {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: Res) => void; reject: (e: unknown) => void }>();

  const dispose = (reason: unknown): void => {
    worker?.terminate();
    worker = null;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(reason);
  };
  const ensure = (): Worker => {
    if (worker) return worker;
    const w = create();
    w.addEventListener('message', (event: MessageEvent<Res>) => {
      const p = pending.get(event.data.id);
      if (!p) return; // cancelled meanwhile
      pending.delete(event.data.id);
      p.resolve(event.data);
    });
    w.addEventListener('error', (event: ErrorEvent) => {
      if (worker === w) dispose(new Error(`${what}: worker error: ${event.message || 'could not start'}`));
    });
    worker = w;
    return w;
  };

  return {
    async call(request, transfer, signal, abortReason) {
      const id = nextId++;
      const w = ensure();
      const answer = new Promise<Res>((resolve, reject) => pending.set(id, { resolve, reject }));
      const onAbort = (): void => {
        if (pending.has(id)) dispose(abortReason());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      w.postMessage(request(id), transfer);
      try {
        return await answer;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    start: () => void ensure(),
    dispose,
  };
}
