// The open workstation of the desktop app and the IPC calls in flight on it. Switching datasets and quitting
// both drain first: every call already received (a commitEdit among them) finishes and background work
// (label checkpoints) settles before a store is closed, so nothing acknowledged or on its way is lost.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Service } from '../../common/contract.js';
import type { Workstation } from '../core/workstation.js';

export interface WorkstationHost {
  current(): Workstation | null;
  service(): Service | null;
  /** Runs one IPC call, counted as in flight until it settles. */
  track<T>(work: () => Promise<T>): Promise<T>;
  inFlight(): number;
  /**
   * Opens `datasetRoot` and makes it current, then drains and closes the previous one. When opening fails the
   * previous workstation stays current and the error is thrown. Reopening the current folder is a no-op.
   */
  open(datasetRoot: string): Promise<{ ws: Workstation; changed: boolean }>;
  /** Waits until no call is in flight and the workstation's background work is done. */
  drain(): Promise<void>;
  /** Drains, then closes the store. Later calls get "no dataset is open". */
  close(): Promise<void>;
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

export function createWorkstationHost(openWorkstation: (datasetRoot: string) => Promise<Workstation>): WorkstationHost {
  let ws: Workstation | null = null;
  let root: string | null = null;
  const inflight = new Set<Promise<unknown>>();

  const drain = async (target: Workstation | null): Promise<void> => {
    // New calls may arrive while earlier ones finish: loop until a pass finds none.
    for (;;) {
      if (inflight.size === 0) {
        await target?.idle();
        if (inflight.size === 0) return;
      }
      await Promise.allSettled([...inflight]);
    }
  };

  return {
    current: () => ws,
    service: () => ws?.service ?? null,
    track(work) {
      const p = work();
      inflight.add(p);
      const done = (): void => void inflight.delete(p);
      p.then(done, done);
      return p;
    },
    inFlight: () => inflight.size,
    async open(datasetRoot) {
      const real = realPath(datasetRoot);
      if (ws && root === real) return { ws, changed: false };
      const next = await openWorkstation(real);
      const previous = ws;
      ws = next;
      root = real;
      if (previous) {
        await drain(previous);
        previous.close();
      }
      return { ws: next, changed: true };
    },
    drain: () => drain(ws),
    async close() {
      const last = ws;
      await drain(last);
      ws = null;
      root = null;
      last?.close();
    },
  };
}
