// Sole entry point of renderer/viewer/surfaces: smoothed per-label surfaces for the 3-D label view, built in a worker.
//
//   const builder = new SurfaceBuilder();
//   builder.onUpdate((u) => { if (u.full) clearAll(); for (const [label, mesh] of u.meshes) mesh ? show(label, mesh) : remove(label); });
//   await builder.buildAll(labels.scalars, labels.geometry);        // copies the volume once into the worker
//   // after a stroke wrote into labels.scalars (diff from DiffRecorder.finish(), or a box + the labels it wrote):
//   await builder.rebuildFromDiff(diff);                           // or builder.rebuild([202], box) / rebuild(null, box)
//   builder.dispose();
//
// Requests are answered in order. A request that a newer one overtook before its answer was ready resolves null:
// its labels are in the newer answer (meshed from the newer voxels). onUpdate sees every answer exactly once.
import type { VolumeGeometry } from '../../../common/geometry.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';
import { diffBox } from './changes.js';
import { extractBlock, type Mesh, type MeshOptions, type VoxelBox } from './mesh.js';
import { createSurfaceWorkerCore, type FromWorker, type ToWorker } from './workerCore.js';

export type { Mesh, MeshOptions, VoxelBox, LabelBlock } from './mesh.js';
export { enclosedVolume, labelBoxes, meshAll, meshDigest, meshLabel, vertexNormals, vtkPolys, wholeBlock, extractBlock } from './mesh.js';
export { changedLabels, diffBox, labelsInDiff } from './changes.js';
export { clusterCell, clusterMesh } from './decimate.js';
export type { ToWorker, FromWorker } from './workerCore.js';

/** One answer: the meshes to show per label (null = the label is gone). `full`: replaces every earlier mesh. */
export interface SurfaceUpdate {
  full: boolean;
  meshes: Map<number, Mesh | null>;
  /** Worker time spent on this answer (meshing, patching), ms. */
  workerMs: number;
}

/** What SurfaceBuilder needs of a worker; see webWorkerPort and inProcessPort. */
export interface SurfaceWorkerPort {
  post(msg: ToWorker, transfer: Transferable[]): void;
  listen(handler: (msg: FromWorker) => void): void;
  terminate(): void;
}

/** The real dedicated worker (Vite bundles surfaces.worker.ts as its own chunk). */
export function webWorkerPort(): SurfaceWorkerPort {
  const worker = new Worker(new URL('./surfaces.worker.ts', import.meta.url), { type: 'module', name: 'label-surfaces' });
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    listen: (handler) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => handler(e.data);
      worker.onerror = (e) => handler({ type: 'error', id: Number.MAX_SAFE_INTEGER, message: e.message || 'surfaces worker failed' });
    },
    terminate: () => worker.terminate(),
  };
}

/** The worker's logic on this thread, answering asynchronously (tests; a fallback where workers are unavailable). */
export function inProcessPort(): SurfaceWorkerPort {
  let handler: ((msg: FromWorker) => void) | null = null;
  let alive = true;
  const core = createSurfaceWorkerCore((msg) => {
    if (alive) setTimeout(() => alive && handler?.(msg), 0);
  });
  return {
    post: (msg) => setTimeout(() => alive && core.handle(msg), 0),
    listen: (h) => (handler = h),
    terminate: () => (alive = false),
  };
}

/** Voxels per chunk when buildAll copies the volume into the worker (4 MiB: a few ms of copying per chunk). */
export const CHUNK_VOXELS = 4 << 20;

export interface SurfaceBuilderOptions {
  /** Default webWorkerPort. */
  createPort?: () => SurfaceWorkerPort;
  mesh?: MeshOptions;
}

interface Waiting {
  resolve: (u: SurfaceUpdate | null) => void;
  reject: (e: Error) => void;
}

export class SurfaceBuilder {
  private readonly port: SurfaceWorkerPort;
  private readonly meshOptions: MeshOptions;
  private readonly waiting = new Map<number, Waiting>();
  private readonly listeners = new Set<(u: SurfaceUpdate) => void>();
  private nextId = 1;
  private volume: Uint8Array | null = null;
  private geometry: VolumeGeometry | null = null;
  private disposed = false;
  /** Id of the newest buildAll: an older one stops sending its chunks. */
  private currentInit = 0;
  /** Settles when the newest buildAll has posted its last chunk. */
  private sending: Promise<void> = Promise.resolve();
  /**
   * Main-thread milliseconds of the last request's longest synchronous piece (a chunk copy + post, or a rebuild's block
   * copy + post) and of the last answer's handling (for benches).
   */
  readonly mainThread = { requestMs: 0, answerMs: 0 };

  constructor(opts: SurfaceBuilderOptions = {}) {
    this.port = (opts.createPort ?? webWorkerPort)();
    this.meshOptions = opts.mesh ?? {};
    this.port.listen((msg) => this.onMessage(msg));
  }

  /** Calls `fn` with every answer (also those whose promise a newer request superseded). Returns an unsubscribe. */
  onUpdate(fn: (u: SurfaceUpdate) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Surfaces of every label of `labels` (FILE index order, on `geometry`'s grid). The volume is copied once into the
   * worker, in chunks of CHUNK_VOXELS with a yield to the event loop between them (a 640×512×120 volume in one copy
   * stalls the thread for tens of ms). The builder keeps a reference to `labels` to read changed regions from in
   * rebuild(). Resolves with the meshes (empty labels have none), or null when a newer request superseded this one.
   */
  async buildAll(labels: Uint8Array, geometry: VolumeGeometry): Promise<Map<number, Mesh> | null> {
    const n = geometry.size[0] * geometry.size[1] * geometry.size[2];
    if (labels.length !== n) throw new RangeError(`labels hold ${labels.length} voxels, size ${geometry.size.join('×')} needs ${n}`);
    this.volume = labels;
    this.geometry = structuredClone(geometry);
    const id = this.nextId++;
    this.currentInit = id;
    const answer = this.request(id);
    this.port.post({ type: 'init', id, geometry: this.geometry, options: this.meshOptions }, []);
    this.sending = this.sendChunks(id, labels);
    await this.sending;
    const u = await answer;
    if (!u) return null;
    const out = new Map<number, Mesh>();
    for (const [label, mesh] of u.meshes) if (mesh) out.set(label, mesh);
    return out;
  }

  /**
   * Re-meshes `labels` after their voxels inside `region` changed (the labels a stroke wrote or overwrote; null =
   * let the worker find them by comparing the region with its copy). Only the region's voxels are sent. Called while
   * buildAll is still sending the volume, it waits for that first.
   */
  async rebuild(labels: readonly number[] | null, region: VoxelBox): Promise<SurfaceUpdate | null> {
    await this.sending;
    if (!this.volume || !this.geometry) throw new Error('rebuild before buildAll');
    const t0 = performance.now();
    const block = extractBlock(this.volume, this.geometry.size, region);
    const id = this.nextId++;
    const answer = this.request(id);
    this.port.post({ type: 'patch', id, block, labels: labels ? [...labels] : null }, [block.data.buffer]);
    this.mainThread.requestMs = performance.now() - t0;
    return answer;
  }

  /** rebuild() for a stroke's diff: the labels it touched, inside its bounding box. */
  rebuildFromDiff(diff: VoxelDiff): Promise<SurfaceUpdate | null> {
    if (!this.geometry) return Promise.reject(new Error('rebuild before buildAll'));
    const box = diffBox(diff, this.geometry.size);
    if (!box) return Promise.resolve({ full: false, meshes: new Map(), workerMs: 0 });
    return this.rebuild(null, box);
  }

  private async sendChunks(id: number, labels: Uint8Array): Promise<void> {
    let longest = 0;
    for (let offset = 0; ; ) {
      if (this.disposed || this.currentInit !== id) return;
      const t0 = performance.now();
      const end = Math.min(labels.length, offset + CHUNK_VOXELS);
      const data = labels.slice(offset, end);
      const last = end >= labels.length;
      this.port.post({ type: 'chunk', id, offset, data, last }, [data.buffer]);
      longest = Math.max(longest, performance.now() - t0);
      this.mainThread.requestMs = longest;
      if (last) return;
      offset = end;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /** Stops the worker; pending requests resolve null. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.port.terminate();
    for (const w of this.waiting.values()) w.resolve(null);
    this.waiting.clear();
    this.listeners.clear();
    this.volume = null;
  }

  private request(id: number): Promise<SurfaceUpdate | null> {
    if (this.disposed) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  private onMessage(msg: FromWorker): void {
    if (this.disposed) return;
    const t0 = performance.now();
    if (msg.type === 'error') {
      const err = new Error(`label surfaces: ${msg.message}`);
      for (const [id, w] of this.waiting) if (id <= msg.id) {
        this.waiting.delete(id);
        w.reject(err);
      }
      return;
    }
    const update: SurfaceUpdate = { full: msg.full, meshes: new Map(msg.meshes), workerMs: msg.workerMs };
    for (const fn of this.listeners) fn(update);
    for (const [id, w] of this.waiting) {
      if (id > msg.id) continue;
      this.waiting.delete(id);
      w.resolve(id === msg.id ? update : null);
    }
    this.mainThread.answerMs = performance.now() - t0;
  }
}
