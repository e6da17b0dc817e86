// Worker threads for the voxel pass of the checks (qaWorker.mjs): the masks are inflated on libuv's pool, scanned
// on these threads, and checked (cheap) on the calling thread, so every core works. One task per worker at a time.
import { Worker } from 'node:worker_threads';
import type { MetaImage } from '../mha/index.js';
import type { RawScan } from './scanRuns.mjs';

const WORKER_URL = new URL('./qaWorker.mjs', import.meta.url);
/** Buffer.poolSize is 8 KiB; anything this large is never a pool slab. */
const MOVE_MIN_BYTES = 64 * 1024;

export interface ScanPool {
  readonly size: number;
  /** Scans the mask's voxels on a worker; its buffer is moved there when it owns all of it, else copied. */
  scan(mask: MetaImage, runsFor: readonly number[]): Promise<RawScan>;
  terminate(): Promise<void>;
}

interface Pending {
  resolve: (raw: RawScan) => void;
  reject: (err: Error) => void;
}

export function createScanPool(size: number): ScanPool {
  const n = Math.max(1, Math.floor(size));
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  const queue: { msg: object; transfer: ArrayBuffer[]; p: Pending }[] = [];
  let nextId = 1;
  let stopped = false;
  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      busy.set(w, job.p);
      w.postMessage(job.msg, job.transfer);
    }
  };
  const workers: Worker[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('message', (msg: { ok: boolean; raw?: RawScan; message?: string }) => {
      const p = busy.get(w);
      busy.delete(w);
      if (!stopped) idle.push(w);
      if (msg.ok && msg.raw) p?.resolve(msg.raw);
      else p?.reject(new Error(`QA worker: ${msg.message ?? 'failed'}`));
      dispatch();
    });
    const fail = (err: Error): void => {
      const p = busy.get(w);
      busy.delete(w);
      p?.reject(err);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`QA worker exited (${code})`)));
    workers.push(w);
    idle.push(w);
  }
  return {
    size: n,
    scan(mask, runsFor) {
      if (stopped) return Promise.reject(new Error('QA workers stopped'));
      const d = mask.data;
      // Move the whole ArrayBuffer when it is large enough never to be one of Node's shared Buffer pool slabs
      // (the reader's buffers are their own allocations; inflate's is expected + 1 bytes); copy small ones.
      const move = d.buffer instanceof ArrayBuffer && d.buffer.byteLength >= MOVE_MIN_BYTES;
      const buffer = move ? d.buffer : (d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer);
      const byteOffset = move ? d.byteOffset : 0;
      const msg = { id: nextId++, buffer, byteOffset, length: d.length, type: mask.pixelType, size: mask.geometry.size, runsFor: [...runsFor] };
      return new Promise<RawScan>((resolve, reject) => {
        queue.push({ msg, transfer: [buffer], p: { resolve, reject } });
        dispatch();
      });
    },
    async terminate() {
      stopped = true;
      for (const q of queue.splice(0)) q.p.reject(new Error('QA workers stopped'));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
