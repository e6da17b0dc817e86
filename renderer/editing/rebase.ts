// Keeps strokes that are still waiting for main consistent when the labels under them change: a refused stroke
// is rolled back, an undo or redo is acknowledged, or main's labels are reloaded after a conflict. Pure functions
// over diffs and the shown label volume; no I/O.
//
// The shown volume is always main's labels plus the pending strokes, applied in order. Each pending stroke's
// `before` values are what main will hold when that stroke arrives, so main accepts it (commitEdit checks them).
import type { VoxelDiff } from '../../common/labelDiff.js';

/** New stored values of some voxels: ascending indices and one value each. */
export interface BaseChange {
  indices: Uint32Array;
  values: Uint8Array;
}

/** Main's labels at `d.indices` go back to `d.before` (a refused stroke rolled back, or an undo acknowledged). */
export const backwardsOf = (d: VoxelDiff): BaseChange => ({ indices: d.indices, values: d.before });
/** Main's labels at `d.indices` become `d.after` (a redo acknowledged). */
export const forwardsOf = (d: VoxelDiff): BaseChange => ({ indices: d.indices, values: d.after });

/**
 * Main's labels change by `change` while the strokes `pending` (oldest first) are still on their way. Each
 * changed voxel goes to the first pending stroke that touches it (its new `before`: main will hold that value
 * when the stroke arrives), or, when no pending stroke touches it, straight into the shown volume `labels`.
 * Entries that no longer change anything drop out. Returns the pending diffs in the same order; a diff the
 * change does not touch is returned as the same object.
 */
export function changeUnderPending(labels: Uint8Array, change: BaseChange, pending: readonly VoxelDiff[]): VoxelDiff[] {
  return changeUnderPendingShown(labels, change, pending).pending;
}

/**
 * changeUnderPending, also returning `shown`: what it wrote into `labels`, as a forward diff (ascending indices,
 * the shown value before and after; voxels it left as they were are not in it). Views that follow the labels
 * (3-D surfaces, label counts) update from it instead of rescanning the volume.
 */
export function changeUnderPendingShown(
  labels: Uint8Array, change: BaseChange, pending: readonly VoxelDiff[],
): { pending: VoxelDiff[]; shown: VoxelDiff } {
  let remIdx = change.indices;
  let remVal = change.values;
  const out: VoxelDiff[] = [];
  for (const d of pending) {
    if (remIdx.length === 0) {
      out.push(d);
      continue;
    }
    const n = d.indices.length;
    const indices = new Uint32Array(n);
    const before = new Uint8Array(n);
    const after = new Uint8Array(n);
    const leftIdx = new Uint32Array(remIdx.length);
    const leftVal = new Uint8Array(remIdx.length);
    let kept = 0;
    let left = 0;
    let touched = false;
    let r = 0;
    for (let e = 0; e < n; e++) {
      const i = d.indices[e]!;
      while (r < remIdx.length && remIdx[r]! < i) {
        leftIdx[left] = remIdx[r]!;
        leftVal[left++] = remVal[r]!;
        r++;
      }
      let b = d.before[e]!;
      if (r < remIdx.length && remIdx[r] === i) {
        b = remVal[r]!;
        touched = true;
        r++;
      }
      if (b === d.after[e]) continue;
      indices[kept] = i;
      before[kept] = b;
      after[kept++] = d.after[e]!;
    }
    for (; r < remIdx.length; r++) {
      leftIdx[left] = remIdx[r]!;
      leftVal[left++] = remVal[r]!;
    }
    out.push(touched ? { indices: indices.slice(0, kept), before: before.slice(0, kept), after: after.slice(0, kept) } : d);
    remIdx = leftIdx.subarray(0, left);
    remVal = leftVal.subarray(0, left);
  }
  const indices = new Uint32Array(remIdx.length);
  const before = new Uint8Array(remIdx.length);
  const after = new Uint8Array(remIdx.length);
  let n = 0;
  for (let r = 0; r < remIdx.length; r++) {
    const i = remIdx[r]!;
    const v = remVal[r]!;
    const was = labels[i]!;
    if (was === v) continue;
    labels[i] = v;
    indices[n] = i;
    before[n] = was;
    after[n++] = v;
  }
  const shown = n === remIdx.length ? { indices, before, after } : { indices: indices.slice(0, n), before: before.slice(0, n), after: after.slice(0, n) };
  return { pending: out, shown };
}

/** The current values of the voxels some diffs touch: sorted distinct indices and their values (see changedSince). */
export interface VoxelSnapshot {
  indices: Uint32Array;
  values: Uint8Array;
}

export function snapshotVoxels(labels: Uint8Array, diffs: readonly VoxelDiff[]): VoxelSnapshot {
  let total = 0;
  for (const d of diffs) total += d.indices.length;
  const all = new Uint32Array(total);
  let o = 0;
  for (const d of diffs) {
    all.set(d.indices, o);
    o += d.indices.length;
  }
  all.sort();
  let n = 0;
  for (let k = 0; k < total; k++) if (k === 0 || all[k] !== all[n - 1]) all[n++] = all[k]!;
  const indices = all.slice(0, n);
  const values = new Uint8Array(n);
  for (let k = 0; k < n; k++) values[k] = labels[indices[k]!]!;
  return { indices, values };
}

/** What changed in `labels` at the snapshot's voxels since it was taken, as a forward diff (ascending indices). */
export function changedSince(labels: Uint8Array, snap: VoxelSnapshot): VoxelDiff {
  const m = snap.indices.length;
  const indices = new Uint32Array(m);
  const before = new Uint8Array(m);
  const after = new Uint8Array(m);
  let n = 0;
  for (let k = 0; k < m; k++) {
    const i = snap.indices[k]!;
    const a = labels[i]!;
    if (a === snap.values[k]) continue;
    indices[n] = i;
    before[n] = snap.values[k]!;
    after[n++] = a;
  }
  return { indices: indices.slice(0, n), before: before.slice(0, n), after: after.slice(0, n) };
}

/**
 * Main's labels were reloaded as `truth`: the pending strokes (oldest first) are laid on top of it, each now
 * starting from what main holds, and `truth` ends as what is to be shown (main's labels + the strokes). A stroke
 * voxel main already holds drops out, so a stroke that did reach main before the reload comes back empty.
 */
export function rebaseOnto(truth: Uint8Array, pending: readonly VoxelDiff[]): VoxelDiff[] {
  return pending.map((d) => {
    const n = d.indices.length;
    const indices = new Uint32Array(n);
    const before = new Uint8Array(n);
    const after = new Uint8Array(n);
    let kept = 0;
    for (let e = 0; e < n; e++) {
      const i = d.indices[e]!;
      const now = truth[i]!;
      const a = d.after[e]!;
      if (now === a) continue;
      indices[kept] = i;
      before[kept] = now;
      after[kept++] = a;
      truth[i] = a;
    }
    return { indices: indices.slice(0, kept), before: before.slice(0, kept), after: after.slice(0, kept) };
  });
}
