// Worker threads for the voxel pass of the checks (qaWorker.mjs): the masks are inflated on libuv's pool, scanned
// on these threads, and checked (cheap) on the calling thread, so every core works. One task per worker at a time.
import type { MetaImage } from '../mha/index.js';
import type { RawScan } from './scanRuns.mjs';
import { createThreadPool } from '../threadPool.js';

const WORKER_URL = new URL('./qaWorker.mjs', import.meta.url);
/** Buffer.poolSize is 8 KiB; anything this large is never a pool slab. */
const MOVE_MIN_BYTES = 64 * 1024;

export interface ScanPool {
  readonly size: number;
  /**
   * Scans the mask's voxels on a worker. With `owned` (the caller read the mask and drops it after the scan) a
   * buffer large enough to be its own allocation is moved there; otherwise the voxels are copied, so that a volume
   * the reader keeps (a cache, the live labels) is never detached.
   */
  scan(mask: MetaImage, runsFor: readonly number[], owned: boolean): Promise<RawScan>;
  terminate(): Promise<void>;
}

export function createScanPool(size: number): ScanPool {
  const pool = createThreadPool<{ ok: boolean; raw?: RawScan; message?: string }>(size, {
    url: WORKER_URL,
    settle: (msg) => (msg.ok && msg.raw ? { ok: true, value: msg.raw } : { ok: false, error: new Error(`QA worker: ${msg.message ?? 'failed'}`) }),
    stopped: () => new Error('QA workers stopped'),
    exited: (code) => new Error(`QA worker exited (${code})`),
  });
  return {
    size: pool.size,
    scan(mask, runsFor, owned) {
      const d = mask.data;
      // Move the whole ArrayBuffer when it is large enough never to be one of Node's shared Buffer pool slabs
      // (the reader's buffers are their own allocations; inflate's is expected + 1 bytes); copy small ones.
      const move = owned && d.buffer instanceof ArrayBuffer && d.buffer.byteLength >= MOVE_MIN_BYTES;
      const buffer = move ? d.buffer : (d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer);
      const byteOffset = move ? d.byteOffset : 0;
      const msg = { buffer, byteOffset, length: d.length, type: mask.pixelType, size: mask.geometry.size, runsFor: [...runsFor] };
      return pool.run(msg, [buffer]) as Promise<RawScan>;
    },
    terminate: () => pool.terminate(),
  };
}
