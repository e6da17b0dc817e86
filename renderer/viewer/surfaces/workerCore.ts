// The surfaces worker's logic without the worker: a message handler over the protocol below, given a `post`
// function. surfaces.worker.ts wires it to a dedicated Worker; tests and benches can run it in process (or in a
// Node worker thread). Pure TypeScript: setTimeout and performance are the only globals it uses.
//
// State: the worker keeps its own copy of the label volume (sent once, 'init' + 'chunk's), every label's bounding box, and
// one job: the labels still to mesh and the meshes made so far. A 'patch' (a stroke's region, copied from the
// renderer's volume) is applied at once and re-queues the labels it changed; the job then answers with the newest
// request id, so the older request is superseded (its labels are in the newer answer, never meshed from stale voxels).
// Meshing runs in slices of about SLICE_MS between which newer messages are handled.
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { changedLabels, extractBlock, labelBoxes, meshDigest, meshLabel, unionBox, wholeBlock, writeBlock, type LabelBlock, type Mesh, type MeshOptions, type VoxelBox } from './mesh.js';
import { clusterCell, clusterMesh } from './decimate.js';

export type ToWorker =
  /** A new volume: its voxels follow in 'chunk' messages of the same id (the last one starts the full build). */
  | { type: 'init'; id: number; geometry: VolumeGeometry; options: MeshOptions }
  | { type: 'chunk'; id: number; offset: number; data: Uint8Array; last: boolean }
  | { type: 'patch'; id: number; block: LabelBlock; labels: number[] | null };

export type FromWorker =
  | { type: 'result'; id: number; full: boolean; meshes: Array<[number, Mesh | null]>; workerMs: number }
  | { type: 'error'; id: number; message: string };

export type Post = (msg: FromWorker, transfer: Transferable[]) => void;

const SLICE_MS = 30;

export interface SurfaceWorkerCore {
  handle(msg: ToWorker): void;
}

export function createSurfaceWorkerCore(post: Post): SurfaceWorkerCore {
  let volume: Uint8Array | null = null;
  let geometry: VolumeGeometry | null = null;
  let options: MeshOptions = {};
  let boxes = new Map<number, VoxelBox>();
  let pending = new Set<number>();
  let done = new Map<number, Mesh | null>();
  let full = false;
  let jobId = -1;
  let jobMs = 0;
  let scheduled = false;

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(step, 0);
  };

  const fail = (id: number, err: unknown): void => {
    post({ type: 'error', id, message: err instanceof Error ? err.message : String(err) }, []);
  };

  function step(): void {
    scheduled = false;
    if (!volume || !geometry) return;
    const t0 = performance.now();
    try {
      const size = geometry.size;
      while (pending.size > 0 && performance.now() - t0 < SLICE_MS) {
        const label = pending.values().next().value as number;
        pending.delete(label);
        const box = boxes.get(label);
        const surface = box ? meshLabel(wholeBlock(volume, size), label, box, geometry, options) : null;
        const factor = options.clusterFactor ?? 0;
        const mesh = surface && factor > 0 ? clusterMesh(surface, clusterCell(geometry.spacing, factor)) : surface;
        if (mesh) mesh.digest = meshDigest(mesh);
        done.set(label, mesh);
      }
    } catch (err) {
      fail(jobId, err);
      pending.clear();
      done.clear();
      return;
    }
    jobMs += performance.now() - t0;
    if (pending.size > 0) {
      schedule();
      return;
    }
    const meshes = [...done];
    const transfer: Transferable[] = [];
    for (const [, m] of meshes) if (m) transfer.push(m.points.buffer, m.normals.buffer, m.triangles.buffer);
    post({ type: 'result', id: jobId, full, meshes, workerMs: jobMs }, transfer);
    done = new Map();
    full = false;
    jobMs = 0;
  }

  /** The volume being received ('init' then 'chunk's), with the id of its 'init'. */
  let incoming: { id: number; labels: Uint8Array; geometry: VolumeGeometry; options: MeshOptions } | null = null;

  function init(msg: Extract<ToWorker, { type: 'init' }>): void {
    const n = msg.geometry.size[0] * msg.geometry.size[1] * msg.geometry.size[2];
    // A new volume supersedes everything: drop the current one and any job on it.
    volume = null;
    geometry = null;
    pending.clear();
    done.clear();
    incoming = { id: msg.id, labels: new Uint8Array(n), geometry: msg.geometry, options: msg.options };
  }

  function chunk(msg: Extract<ToWorker, { type: 'chunk' }>): void {
    if (!incoming || incoming.id !== msg.id) return; // a chunk of a superseded volume
    const t0 = performance.now();
    if (msg.offset + msg.data.length > incoming.labels.length) throw new RangeError(`chunk at ${msg.offset} (${msg.data.length} voxels) outside the volume`);
    incoming.labels.set(msg.data, msg.offset);
    jobMs = performance.now() - t0;
    if (!msg.last) return;
    volume = incoming.labels;
    geometry = incoming.geometry;
    options = incoming.options;
    incoming = null;
    boxes = labelBoxes(wholeBlock(volume, geometry.size));
    pending = new Set(boxes.keys());
    done = new Map();
    full = true;
    jobId = msg.id;
    jobMs += performance.now() - t0;
    schedule();
  }

  function patch(msg: Extract<ToWorker, { type: 'patch' }>): void {
    if (!volume || !geometry) throw new Error('patch before init');
    const t0 = performance.now();
    const size: Vec3 = geometry.size;
    const { block } = msg;
    const region: VoxelBox = {
      min: [...block.offset],
      max: [block.offset[0] + block.size[0] - 1, block.offset[1] + block.size[1] - 1, block.offset[2] + block.size[2] - 1],
    };
    const labels = msg.labels ?? changedLabels(extractBlock(volume, size, region).data, block.data);
    writeBlock(volume, size, block);
    const whole = wholeBlock(volume, size);
    for (const label of labels) {
      if (label <= 0 || label > 255) continue;
      // Erasing can shrink a label anywhere in its old box; painting can grow it only inside the region.
      const scan = unionBox(boxes.get(label), region)!;
      const box = labelBoxes(whole, scan).get(label);
      if (box) boxes.set(label, box);
      else boxes.delete(label);
      done.delete(label);
      pending.add(label);
    }
    jobId = msg.id;
    jobMs += performance.now() - t0;
    schedule();
  }

  return {
    handle(msg: ToWorker): void {
      try {
        if (msg.type === 'init') init(msg);
        else if (msg.type === 'chunk') chunk(msg);
        else patch(msg);
      } catch (err) {
        fail(msg.id, err);
      }
    },
  };
}
