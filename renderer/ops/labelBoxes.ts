// Every label's bounding box for the open series, kept so that a previewed operation starts without scanning the
// volume on the UI thread. Built once in the background (time-sliced, while the annotator looks at the new series)
// and then kept up to date from the label edits' diffs (useEditing → labelEdits): a box only grows with them, so
// after an erase it may be larger than the label — still a correct box to cut the label from (the operations
// work on what is inside it). An edit of unknown extent (a reload) drops the boxes until the next build. Until
// they are built, findLabelBox scans for the one label (renderer/ops/index.ts).
import type { VoxelDiff } from '../../common/labelDiff.js';
import type { LabelValue } from '../../common/labels.js';
import type { LabelmapVolume, VoxelBox } from '../labelmap/index.js';

/** UI-thread time per slice of the background build before it yields (ms). */
const BUILD_SLICE_MS = 6;

interface Boxes {
  /** Per label value v: i0, j0, k0, i1, j1, k1 at 6v … 6v+5 (i1 < 0: never seen). */
  readonly b: Int32Array;
}

/** Built boxes per label array (the live volume of a series; a new series is a new array). */
const built = new WeakMap<Uint8Array, Boxes>();
/** Builds in progress, so the same volume is not scanned twice at once. */
const building = new WeakMap<Uint8Array, Promise<void>>();
/** The running build's identity (a forgotten build sees another one, or none, and stops). */
const tokens = new WeakMap<Uint8Array, object>();
/** Diffs applied while a build was running (folded in when it ends). */
const pendingDuring = new WeakMap<Uint8Array, VoxelDiff[]>();

function emptyBoxes(): Boxes {
  const b = new Int32Array(256 * 6);
  for (let v = 0; v < 256; v++) b.set([2 ** 30, 2 ** 30, 2 ** 30, -1, -1, -1], v * 6);
  return { b };
}

function extend(b: Int32Array, v: number, i: number, j: number, k: number): void {
  const o = v * 6;
  if (i < b[o]!) b[o] = i;
  if (j < b[o + 1]!) b[o + 1] = j;
  if (k < b[o + 2]!) b[o + 2] = k;
  if (i > b[o + 3]!) b[o + 3] = i;
  if (j > b[o + 4]!) b[o + 4] = j;
  if (k > b[o + 5]!) b[o + 5] = k;
}

/** Yields to the event loop (a message, not setTimeout: no 4 ms clamp after a few nested calls). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Builds the boxes of every label of `vol` in the background: slice by slice, yielding every BUILD_SLICE_MS.
 * Resolves when built (at once when they are); a reload (`forgetLabelBoxes`) during the build discards it.
 * `signal` stops it early (nothing kept).
 */
export function buildLabelBoxes(vol: LabelmapVolume, signal?: AbortSignal): Promise<void> {
  const labels = vol.labels;
  if (built.has(labels)) return Promise.resolve();
  const running = building.get(labels);
  if (running) return running;
  const [nx, ny, nz] = vol.size;
  const token = {};
  tokens.set(labels, token);
  const job = (async () => {
    const boxes = emptyBoxes();
    const b = boxes.b;
    let t0 = performance.now();
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        const row = nx * (j + ny * k);
        for (let i = 0; i < nx; i++) {
          const v = labels[row + i]!;
          if (v !== 0) extend(b, v, i, j, k);
        }
      }
      if (performance.now() - t0 > BUILD_SLICE_MS) {
        performance.measure('ops:box-build', { start: t0 });
        performance.clearMeasures('ops:box-build');
        await nextTask();
        if (signal?.aborted || tokens.get(labels) !== token) return; // stopped, or forgotten (reloaded) meanwhile
        t0 = performance.now();
      }
    }
    // Edits made during the build were folded in by noteLabelEdit (the rows already passed) or are seen by the
    // rows scanned after them: every voxel's label is in its box either way.
    const pending = pendingDuring.get(labels);
    if (pending) for (const diff of pending) foldDiff(b, vol, diff);
    built.set(labels, boxes);
  })().finally(() => {
    if (tokens.get(labels) !== token) return;
    tokens.delete(labels);
    building.delete(labels);
    pendingDuring.delete(labels);
  });
  building.set(labels, job);
  return job;
}

function foldDiff(b: Int32Array, vol: LabelmapVolume, diff: VoxelDiff): void {
  const [nx, ny] = vol.size;
  const plane = nx * ny;
  for (let e = 0; e < diff.indices.length; e++) {
    const v = diff.after[e]!;
    if (v === 0) continue;
    const x = diff.indices[e]!;
    const k = Math.floor(x / plane);
    const r = x - k * plane;
    const j = Math.floor(r / nx);
    extend(b, v, r - j * nx, j, k);
  }
}

/** A label edit was applied to `vol` (forward diff, as labelEdits emits it): the boxes grow to hold it. */
export function noteLabelEdit(vol: LabelmapVolume, diff: VoxelDiff): void {
  const boxes = built.get(vol.labels);
  if (boxes) return foldDiff(boxes.b, vol, diff);
  if (building.has(vol.labels)) {
    const list = pendingDuring.get(vol.labels) ?? [];
    list.push(diff);
    pendingDuring.set(vol.labels, list);
  }
}

/** The labels of `vol` changed in an unknown way (reloaded): drop their boxes (a running build is discarded). */
export function forgetLabelBoxes(vol: LabelmapVolume): void {
  built.delete(vol.labels);
  building.delete(vol.labels);
  tokens.delete(vol.labels);
  pendingDuring.delete(vol.labels);
}

/**
 * The kept box of `label` in `vol` (it holds every voxel of the label; it may be larger after erasing), null when
 * the label has never been there since the build, undefined when the boxes are not built.
 */
export function keptLabelBox(vol: LabelmapVolume, label: LabelValue): VoxelBox | null | undefined {
  const boxes = built.get(vol.labels);
  if (!boxes) return undefined;
  const o = label * 6;
  const b = boxes.b;
  if (b[o + 3]! < 0) return null;
  return { origin: [b[o]!, b[o + 1]!, b[o + 2]!], size: [b[o + 3]! - b[o]! + 1, b[o + 4]! - b[o + 1]! + 1, b[o + 5]! - b[o + 2]! + 1] };
}
