// A fixed set of worker threads running one task each at a time, tasks queued FIFO. Shared by the export's
// compress workers and the QA scan workers; each caller decides how a worker's reply settles its task.
import { Worker } from 'node:worker_threads';

export interface ThreadPoolSpec<Reply> {
  /** The worker's module (plain JavaScript: it loads without a TypeScript loader). */
  url: URL;
  /** A reply's value, or the error its task rejects with. */
  settle: (reply: Reply) => { ok: true; value: unknown } | { ok: false; error: Error };
  /** Why queued and new tasks are refused once terminate() was called. */
  stopped: () => Error;
  /** A worker that exits (or crashes) while running a task fails it with this. */
  exited: (code: number, stopping: boolean) => Error;
}

export interface ThreadPool {
  readonly size: number;
  /** Posts `{ id, ...message }` to an idle worker (or queues it); resolves with the settled reply's value. */
  run(message: object, transfer?: ArrayBuffer[]): Promise<unknown>;
  terminate(): Promise<void>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export function createThreadPool<Reply>(size: number, spec: ThreadPoolSpec<Reply>): ThreadPool {
  const n = Math.max(1, Math.floor(size));
  const idle: Worker[] = [];
  const queue: { message: object; transfer: ArrayBuffer[]; p: Pending }[] = [];
  const busy = new Map<Worker, Pending>();
  let nextId = 1;
  let stopped = false;

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      busy.set(w, job.p);
      w.postMessage({ id: nextId++, ...job.message }, job.transfer);
    }
  };
  const fail = (w: Worker, err: unknown): void => {
    const p = busy.get(w);
    busy.delete(w);
    p?.reject(err);
  };

  const workers: Worker[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(spec.url);
    w.unref();
    w.on('message', (reply: Reply) => {
      const p = busy.get(w);
      busy.delete(w);
      if (!stopped) idle.push(w);
      const r = spec.settle(reply);
      if (r.ok) p?.resolve(r.value);
      else p?.reject(r.error);
      dispatch();
    });
    w.on('error', (err) => fail(w, err));
    w.on('exit', (code) => {
      if (busy.has(w)) fail(w, spec.exited(code, stopped));
    });
    workers.push(w);
    idle.push(w);
  }

  return {
    size: n,
    run(message, transfer = []) {
      if (stopped) return Promise.reject(spec.stopped());
      return new Promise((resolve, reject) => {
        queue.push({ message, transfer, p: { resolve, reject } });
        dispatch();
      });
    },
    async terminate() {
      stopped = true;
      for (const q of queue.splice(0)) q.p.reject(spec.stopped());
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
