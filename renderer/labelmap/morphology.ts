// Morphology of one label in 3-D (issue 13 item 6): grow / shrink by a distance in mm, and smoothing by opening,
// closing or a majority (median) filter over a ball of a radius in mm. Spacing is anisotropic, so the ball is an
// ellipsoid in voxels (per-axis voxel radius floor(r / spacing)). Grow and shrink are exact Euclidean distances in
// mm (separable squared distance transform, Felzenszwalb & Huttenlocher), so their cost does not depend on the
// radius. Work is bounded to the label's bounding box plus the radius; nothing outside it can change.
//
// Nothing is written into the volume: the result is a VoxelDiff (indices ascending) the caller previews, then
// applies and commits. The same rules as the other label operations hold: voxels that become the label must be
// writable under the paint mode and locks (writableLut); voxels that leave the label become background, which is
// refused when the label is locked (like island removal; the paint mode does not limit removal, as for the eraser).
//
// The work is split so a caller can keep the UI thread free: find the label's box (labelBoxScan, in slabs),
// expand it (morphologyBox), cut it out (cutBox), and run morphologyInBox on the cut (e.g. in a worker).
// morphLabel does all of it in one call.
import type { Vec3 } from '../../common/geometry.js';
import { emptyDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { BACKGROUND_LABEL, type LabelValue } from '../../common/labels.js';
import { refuseLocked, type LabelOpResult } from './labelOps.js';
import { assertLabelValue, assertVolume, writableLut, type LabelmapVolume, type WriteGuard } from './volume.js';

export type MorphologyKind = 'grow' | 'shrink' | 'open' | 'close' | 'median';

export interface MorphologyOp {
  /**
   * grow: add every voxel within `radiusMm` of the label; shrink: remove every label voxel within `radiusMm` of a
   * non-label voxel; open: shrink then grow (removes spurs and bridges thinner than the ball); close: grow then
   * shrink (fills holes and gaps smaller than the ball); median: each voxel of the label's box takes the majority
   * (label / not label) of the ball around it (ties keep the voxel as it is).
   */
  kind: MorphologyKind;
  /** Distance (grow, shrink) or ball radius (open, close, median) in mm; > 0. */
  radiusMm: number;
}

/** A box of voxels: lowest index `origin` and extent `size` along i, j, k. */
export interface VoxelBox {
  origin: Vec3;
  size: Vec3;
}

export type MorphologyResult =
  | { ok: true; diff: VoxelDiff; /** Voxels that become the label. */ added: number; /** Voxels that leave it. */ removed: number }
  | Extract<LabelOpResult, { ok: false }>;

/** Voxels of the ellipsoid's half-axes: floor(radiusMm / spacing) per axis (0 when the radius is below a voxel). */
export function ellipsoidRadii(spacing: Vec3, radiusMm: number): Vec3 {
  return spacing.map((s) => Math.floor(radiusMm / s + 1e-9)) as Vec3;
}

/** Bounding box of `label` found slab by slab along k (call scan for consecutive ranges, then box()). */
export interface LabelBoxScan {
  /** Scans slices k in [from, to). */
  scan(from: number, to: number): void;
  /** The box of what was scanned so far, or null when the label was not seen. */
  box(): VoxelBox | null;
}

export function labelBoxScan(labels: Uint8Array, size: Vec3, label: LabelValue): LabelBoxScan {
  const [nx, ny, nz] = size;
  if (labels.length !== nx * ny * nz) throw new RangeError(`labels hold ${labels.length} voxels, size ${size.join('×')} needs ${nx * ny * nz}`);
  let i0 = nx, j0 = ny, k0 = nz, i1 = -1, j1 = -1, k1 = -1;
  return {
    scan(from, to) {
      for (let k = Math.max(0, from); k < Math.min(nz, to); k++) {
        for (let j = 0; j < ny; j++) {
          const row = nx * (j + ny * k);
          // The first and last hit of the row are enough for the i range.
          let first = -1;
          for (let i = 0; i < nx; i++) if (labels[row + i] === label) { first = i; break; }
          if (first < 0) continue;
          let last = first;
          for (let i = nx - 1; i > first; i--) if (labels[row + i] === label) { last = i; break; }
          if (first < i0) i0 = first;
          if (last > i1) i1 = last;
          if (j < j0) j0 = j;
          if (j > j1) j1 = j;
          if (k < k0) k0 = k;
          if (k > k1) k1 = k;
        }
      }
    },
    box() {
      return i1 < 0 ? null : { origin: [i0, j0, k0], size: [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1] };
    },
  };
}

/** Bounding box of `label` in one call, or null when absent. */
export function labelBox(labels: Uint8Array, size: Vec3, label: LabelValue): VoxelBox | null {
  const s = labelBoxScan(labels, size, label);
  s.scan(0, size[2]);
  return s.box();
}

/** `box` grown by `margin` voxels per axis, clipped to a volume of `size`. */
export function expandBox(box: VoxelBox, margin: Vec3, size: Vec3): VoxelBox {
  const origin = [0, 1, 2].map((a) => Math.max(0, box.origin[a]! - margin[a]!)) as Vec3;
  const end = [0, 1, 2].map((a) => Math.min(size[a]!, box.origin[a]! + box.size[a]! + margin[a]!)) as Vec3;
  return { origin, size: [end[0] - origin[0], end[1] - origin[1], end[2] - origin[2]] };
}

/** The box morphologyInBox needs around the label's box: the ball's voxel radius plus one voxel, per axis. */
export function morphologyBox(labelBoxFound: VoxelBox, op: MorphologyOp, spacing: Vec3, size: Vec3): VoxelBox {
  const r = ellipsoidRadii(spacing, op.radiusMm);
  return expandBox(labelBoxFound, [r[0] + 1, r[1] + 1, r[2] + 1], size);
}

/** Copy of the voxels of `box` (i fastest, then j, then k), e.g. to send to a worker. */
export function cutBox(labels: Uint8Array, size: Vec3, box: VoxelBox): Uint8Array {
  const [bx, by, bz] = box.size;
  const out = new Uint8Array(bx * by * bz);
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const from = box.origin[0] + size[0] * (box.origin[1] + j + size[1] * (box.origin[2] + k));
      out.set(labels.subarray(from, from + bx), bx * (j + by * k));
    }
  }
  return out;
}

const INF = Number.POSITIVE_INFINITY;

/**
 * Squared distance (mm²) transform in place over a box: on entry d holds 0 at sites and +Infinity elsewhere; on exit
 * the squared Euclidean distance in mm to the nearest site inside the box (+Infinity when there is none).
 */
function distanceTransform(d: Float64Array, n: Vec3, spacing: Vec3): void {
  const longest = Math.max(n[0], n[1], n[2]);
  const f = new Float64Array(longest);
  const out = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  const stride: Vec3 = [1, n[0], n[0] * n[1]];
  for (let axis = 0; axis < 3; axis++) {
    const len = n[axis]!;
    const step = stride[axis]!;
    const s2 = spacing[axis]! * spacing[axis]!;
    const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
    for (let q = 0; q < n[b]!; q++) {
      for (let p = 0; p < n[a]!; p++) {
        const base = p * stride[a]! + q * stride[b]!;
        for (let t = 0; t < len; t++) f[t] = d[base + t * step]!;
        // Lower envelope of the parabolas s2·(t − u)² + f[u] over the finite sites u.
        let k = -1;
        for (let u = 0; u < len; u++) {
          const fu = f[u]!;
          if (fu === INF) continue;
          if (k < 0) {
            k = 0;
            v[0] = u;
            z[0] = -INF;
            z[1] = INF;
            continue;
          }
          let s = 0;
          for (;;) {
            const w = v[k]!;
            s = (fu + s2 * u * u - (f[w]! + s2 * w * w)) / (2 * s2 * (u - w));
            if (s <= z[k]! && k > 0) k--;
            else break;
          }
          if (s <= z[k]!) {
            // k === 0 and the new parabola is lower everywhere to the right of -inf: replace it.
            v[0] = u;
            z[0] = -INF;
            z[1] = INF;
            continue;
          }
          k++;
          v[k] = u;
          z[k] = s;
          z[k + 1] = INF;
        }
        if (k < 0) continue; // no site on this line: stays +Infinity
        let e = 0;
        for (let t = 0; t < len; t++) {
          while (z[e + 1]! < t) e++;
          const w = v[e]!;
          out[t] = s2 * (t - w) * (t - w) + f[w]!;
        }
        for (let t = 0; t < len; t++) d[base + t * step] = out[t]!;
      }
    }
  }
}

/** mask (0/1) dilated by the ball of radius r mm: distance to the nearest 1 ≤ r. */
function dilate(mask: Uint8Array, n: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  const d = new Float64Array(mask.length);
  for (let x = 0; x < mask.length; x++) d[x] = mask[x] ? 0 : INF;
  distanceTransform(d, n, spacing);
  const r2 = radiusMm * radiusMm * (1 + 1e-9);
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < mask.length; x++) out[x] = d[x]! <= r2 ? 1 : 0;
  return out;
}

/**
 * mask (0/1) eroded by the ball of radius r mm: 1 voxels farther than r from every 0 voxel of the box. Beyond the
 * box there are no 0 voxels: where the box touches the volume's edge, the label is not eaten from outside the image.
 */
function erode(mask: Uint8Array, n: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  const d = new Float64Array(mask.length);
  for (let x = 0; x < mask.length; x++) d[x] = mask[x] ? INF : 0;
  distanceTransform(d, n, spacing);
  const r2 = radiusMm * radiusMm * (1 + 1e-9);
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < mask.length; x++) out[x] = mask[x] && d[x]! > r2 ? 1 : 0;
  return out;
}

/**
 * Majority of the ball around each voxel of `inner` (a sub-box of the box, in box coordinates): 1 when more than
 * half of the ball's voxels inside the box are 1, 0 when fewer, unchanged on a tie. Outside `inner` the mask is
 * copied (a voxel outside the label's bounding box never has a majority of label voxels around it).
 */
function majority(mask: Uint8Array, n: Vec3, spacing: Vec3, radiusMm: number, inner: VoxelBox): Uint8Array {
  const [nx, ny, nz] = n;
  const r = ellipsoidRadii(spacing, radiusMm);
  const r2 = radiusMm * radiusMm * (1 + 1e-9);
  // The ball as rows along i: offsets (dj, dk) with their half-width along i.
  const rows: { dj: number; dk: number; w: number }[] = [];
  for (let dk = -r[2]; dk <= r[2]; dk++) {
    for (let dj = -r[1]; dj <= r[1]; dj++) {
      const rest = r2 - (dj * spacing[1]) ** 2 - (dk * spacing[2]) ** 2;
      if (rest < 0) continue;
      rows.push({ dj, dk, w: Math.min(r[0], Math.floor(Math.sqrt(rest) / spacing[0] + 1e-9)) });
    }
  }
  // prefix[(j + ny·k)·(nx + 1) + i] = number of 1s in row (j, k) before i.
  const prefix = new Int32Array((nx + 1) * ny * nz);
  for (let row = 0; row < ny * nz; row++) {
    let acc = 0;
    const p = row * (nx + 1);
    const m = row * nx;
    prefix[p] = 0;
    for (let i = 0; i < nx; i++) {
      acc += mask[m + i]!;
      prefix[p + i + 1] = acc;
    }
  }
  const out = mask.slice();
  const [oi, oj, ok] = inner.origin;
  for (let k = ok; k < ok + inner.size[2]; k++) {
    for (let j = oj; j < oj + inner.size[1]; j++) {
      for (let i = oi; i < oi + inner.size[0]; i++) {
        let count = 0;
        let total = 0;
        for (const { dj, dk, w } of rows) {
          const jj = j + dj;
          const kk = k + dk;
          if (jj < 0 || jj >= ny || kk < 0 || kk >= nz) continue;
          const lo = Math.max(0, i - w);
          const hi = Math.min(nx, i + w + 1);
          const p = (jj + ny * kk) * (nx + 1);
          count += prefix[p + hi]! - prefix[p + lo]!;
          total += hi - lo;
        }
        const x = i + nx * (j + ny * k);
        if (2 * count > total) out[x] = 1;
        else if (2 * count < total) out[x] = 0;
      }
    }
  }
  return out;
}

/**
 * Runs `op` on the label inside a cut-out box (`cut` = the volume's voxels of `box`, i fastest; `box` must hold
 * the label's bounding box plus morphologyBox's margin for the result to equal the whole-volume one). Returns the
 * diff in volume indices, ascending. Refused ('locked') when voxels of a locked label would be removed, and
 * ('invalid-label') for background.
 */
export function morphologyInBox(
  cut: Uint8Array,
  box: VoxelBox,
  volumeSize: Vec3,
  spacing: Vec3,
  label: LabelValue,
  op: MorphologyOp,
  guard: WriteGuard = {},
): MorphologyResult {
  assertLabelValue(label);
  if (label === BACKGROUND_LABEL) return { ok: false, reason: 'invalid-label', label, message: 'Background has no shape to change' };
  if (!(op.radiusMm > 0) || !Number.isFinite(op.radiusMm)) throw new RangeError(`radiusMm must be > 0, got ${op.radiusMm}`);
  const n = box.size;
  if (cut.length !== n[0] * n[1] * n[2]) throw new RangeError(`cut holds ${cut.length} voxels, box ${n.join('×')} needs ${n[0] * n[1] * n[2]}`);
  const mask = new Uint8Array(cut.length);
  let present = 0;
  let lo: Vec3 = [n[0], n[1], n[2]];
  let hi: Vec3 = [-1, -1, -1];
  for (let k = 0, x = 0; k < n[2]; k++) {
    for (let j = 0; j < n[1]; j++) {
      for (let i = 0; i < n[0]; i++, x++) {
        if (cut[x] !== label) continue;
        mask[x] = 1;
        present++;
        lo = [Math.min(lo[0], i), Math.min(lo[1], j), Math.min(lo[2], k)];
        hi = [Math.max(hi[0], i), Math.max(hi[1], j), Math.max(hi[2], k)];
      }
    }
  }
  if (present === 0) return { ok: true, diff: emptyDiff(), added: 0, removed: 0 };
  const r = op.radiusMm;
  const next =
    op.kind === 'grow' ? dilate(mask, n, spacing, r)
    : op.kind === 'shrink' ? erode(mask, n, spacing, r)
    : op.kind === 'open' ? dilate(erode(mask, n, spacing, r), n, spacing, r)
    : op.kind === 'close' ? erode(dilate(mask, n, spacing, r), n, spacing, r)
    : majority(mask, n, spacing, r, { origin: lo, size: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] });
  // Opening never adds, closing never removes (up to the box's edges): keep them exact.
  if (op.kind === 'open') for (let x = 0; x < next.length; x++) next[x]! &= mask[x]!;
  if (op.kind === 'close') for (let x = 0; x < next.length; x++) next[x]! |= mask[x]!;

  const lut = writableLut(label, guard);
  const locked = guard.locked?.has(label) ?? false;
  let added = 0;
  let removed = 0;
  for (let x = 0; x < next.length; x++) {
    if (mask[x] === next[x]) continue;
    if (next[x]) {
      if (lut[cut[x]!]) added++;
    } else removed++;
  }
  if (removed > 0 && locked) return refuseLocked(label);
  const count = added + removed;
  if (count === 0) return { ok: true, diff: emptyDiff(), added: 0, removed: 0 };
  const diff: VoxelDiff = { indices: new Uint32Array(count), before: new Uint8Array(count), after: new Uint8Array(count) };
  const [nx, ny] = volumeSize;
  let e = 0;
  for (let k = 0, x = 0; k < n[2]; k++) {
    for (let j = 0; j < n[1]; j++) {
      const row = box.origin[0] + nx * (box.origin[1] + j + ny * (box.origin[2] + k));
      for (let i = 0; i < n[0]; i++, x++) {
        if (mask[x] === next[x]) continue;
        const current = cut[x]!;
        if (next[x]) {
          if (!lut[current]) continue;
          diff.after[e] = label;
        } else diff.after[e] = BACKGROUND_LABEL;
        diff.indices[e] = row + i;
        diff.before[e] = current;
        e++;
      }
    }
  }
  return { ok: true, diff, added, removed };
}

/**
 * `op` on `label` of the whole volume (synchronous: box, cut, morphology). Nothing is written into `vol.labels`;
 * apply the returned diff (applyDiff 'forward') to keep it.
 */
export function morphLabel(vol: LabelmapVolume, label: LabelValue, op: MorphologyOp, guard: WriteGuard = {}): MorphologyResult {
  assertVolume(vol);
  assertLabelValue(label);
  if (label === BACKGROUND_LABEL) return { ok: false, reason: 'invalid-label', label, message: 'Background has no shape to change' };
  const found = labelBox(vol.labels, vol.size, label);
  if (!found) return { ok: true, diff: emptyDiff(), added: 0, removed: 0 };
  const box = morphologyBox(found, op, vol.spacing, vol.size);
  return morphologyInBox(cutBox(vol.labels, vol.size, box), box, vol.size, vol.spacing, label, op, guard);
}
