import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../common/geometry.js';
import { applyDiff } from '../../../common/labelDiff.js';
import {
  cutBox, ellipsoidRadii, labelBox, labelBoxScan, morphLabel, morphologyBox, morphologyInBox, type LabelmapVolume, type MorphologyOp,
} from '../../../renderer/labelmap/index.js';
import { countOf, prng, volume } from './grid.js';

const idx = (v: LabelmapVolume, i: number, j: number, k: number): number => i + v.size[0] * (j + v.size[1] * k);

/** Every voxel whose centre lies within `r` mm of the world point `c` (mm, voxel (0,0,0) at the origin) gets `label`. */
function ball(v: LabelmapVolume, c: Vec3, r: number, label: number): void {
  const [nx, ny, nz] = v.size;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const d = Math.hypot(i * v.spacing[0] - c[0], j * v.spacing[1] - c[1], k * v.spacing[2] - c[2]);
    if (d <= r) v.labels[idx(v, i, j, k)] = label;
  }
}

function box(v: LabelmapVolume, lo: Vec3, hi: Vec3, label: number): void {
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) v.labels[idx(v, i, j, k)] = label;
}

/** The result by its definition, voxel pair by voxel pair (slow; small volumes only). */
function bruteForce(v: LabelmapVolume, label: number, kind: 'grow' | 'shrink', r: number): Uint8Array {
  const [nx, ny, nz] = v.size;
  const out = v.labels.slice();
  const pts: Vec3[] = [];
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if ((v.labels[idx(v, i, j, k)] === label) === (kind === 'grow')) pts.push([i, j, k]);
  }
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const x = idx(v, i, j, k);
    const isLabel = v.labels[x] === label;
    if (isLabel === (kind === 'grow')) continue;
    const near = pts.some(([a, b, c]) => Math.hypot((a - i) * v.spacing[0], (b - j) * v.spacing[1], (c - k) * v.spacing[2]) <= r + 1e-9);
    if (near) out[x] = kind === 'grow' ? label : 0;
  }
  return out;
}

function run(v: LabelmapVolume, label: number, op: MorphologyOp, guard = {}): Uint8Array {
  const res = morphLabel(v, label, op, guard);
  if (!res.ok) throw new Error(res.message);
  const after = v.labels.slice();
  applyDiff(after, res.diff, 'forward');
  return after;
}

const SPACING: Vec3 = [0.5, 0.7, 1.5];

describe('morphLabel grow / shrink', () => {
  it('per-axis voxel radius of the ellipsoid follows the spacing', () => {
    expect(ellipsoidRadii(SPACING, 3)).toEqual([6, 4, 2]);
    expect(ellipsoidRadii([1, 1, 1], 0.5)).toEqual([0, 0, 0]);
  });

  it('a sphere grown by r mm on anisotropic spacing is the sphere of radius R + r, within a voxel', () => {
    const v = volume([50, 40, 20], { spacing: SPACING });
    const c: Vec3 = [12.5, 14, 15];
    ball(v, c, 5, 7);
    const before = countOf(v.labels, 7);
    const after = run(v, 7, { kind: 'grow', radiusMm: 3 });
    const voxelDiag = Math.hypot(...SPACING);
    let outside = 0;
    let missing = 0;
    for (let k = 0; k < 20; k++) for (let j = 0; j < 40; j++) for (let i = 0; i < 50; i++) {
      const d = Math.hypot(i * SPACING[0] - c[0], j * SPACING[1] - c[1], k * SPACING[2] - c[2]);
      const on = after[idx(v, i, j, k)] === 7;
      if (on && d > 8 + voxelDiag / 2) outside++;
      if (!on && d <= 8 - voxelDiag / 2) missing++;
    }
    expect(outside).toBe(0);
    expect(missing).toBe(0);
    expect(countOf(after, 7)).toBeGreaterThan(before * 3); // (8/5)³ ≈ 4.1
    // Nothing but the label's own growth changed.
    for (let x = 0; x < after.length; x++) if (after[x] !== v.labels[x]) expect(after[x]).toBe(7);
  });

  it('grow and shrink equal their definition (nearest voxel within r mm) on an irregular blob', () => {
    const v = volume([18, 16, 9], { spacing: SPACING });
    const rnd = prng(3);
    for (let n = 0; n < 6; n++) ball(v, [2 + rnd() * 5, 3 + rnd() * 6, 3 + rnd() * 6], 1 + rnd() * 2.5, 4);
    v.labels[idx(v, 1, 1, 1)] = 2; // another label stays
    for (const r of [0.6, 1.6, 2.5]) {
      expect(run(v, 4, { kind: 'grow', radiusMm: r })).toEqual(bruteForce(v, 4, 'grow', r));
      expect(run(v, 4, { kind: 'shrink', radiusMm: r })).toEqual(bruteForce(v, 4, 'shrink', r));
    }
  });

  it('shrink undoes grow: a sphere of radius R + r shrunk by r mm is the sphere of radius R, within a voxel', () => {
    const v = volume([50, 40, 20], { spacing: SPACING });
    const c: Vec3 = [12.5, 14, 15];
    ball(v, c, 8, 7);
    const after = run(v, 7, { kind: 'shrink', radiusMm: 3 });
    const voxelDiag = Math.hypot(...SPACING);
    for (let k = 0; k < 20; k++) for (let j = 0; j < 40; j++) for (let i = 0; i < 50; i++) {
      const d = Math.hypot(i * SPACING[0] - c[0], j * SPACING[1] - c[1], k * SPACING[2] - c[2]);
      const on = after[idx(v, i, j, k)] === 7;
      if (d > 5 + voxelDiag / 2) expect(on).toBe(false);
      if (d <= 5 - voxelDiag / 2) expect(on).toBe(true);
    }
    // Removed voxels become background.
    for (let x = 0; x < after.length; x++) if (after[x] !== v.labels[x]) expect([v.labels[x], after[x]]).toEqual([7, 0]);
  });

  it('the box cut with its margin gives the same diff as the whole volume', () => {
    const v = volume([30, 30, 12], { spacing: SPACING });
    ball(v, [7, 10, 9], 3, 5);
    const op: MorphologyOp = { kind: 'grow', radiusMm: 2 };
    const found = labelBox(v.labels, v.size, 5)!;
    const scan = labelBoxScan(v.labels, v.size, 5);
    scan.scan(0, 5);
    scan.scan(5, 12);
    expect(scan.box()).toEqual(found);
    const b = morphologyBox(found, op, v.spacing, v.size);
    const inBox = morphologyInBox(cutBox(v.labels, v.size, b), b, v.size, v.spacing, 5, op);
    expect(inBox).toEqual(morphLabel(v, 5, op));
    // Indices ascending and inside the volume.
    if (!inBox.ok) throw new Error('refused');
    for (let e = 1; e < inBox.diff.indices.length; e++) expect(inBox.diff.indices[e]).toBeGreaterThan(inBox.diff.indices[e - 1]!);
  });
});

describe('morphLabel smoothing', () => {
  it('opening removes a thin spur and adds nothing; the body stays', () => {
    const v = volume([30, 20, 20]);
    box(v, [3, 4, 4], [14, 15, 15], 3);
    for (let i = 15; i <= 22; i++) v.labels[idx(v, i, 10, 10)] = 3; // 1-voxel spur out of the +i face
    const res = morphLabel(v, 3, { kind: 'open', radiusMm: 2 });
    if (!res.ok) throw new Error(res.message);
    expect(res.added).toBe(0);
    const after = v.labels.slice();
    applyDiff(after, res.diff, 'forward');
    // Beyond the ball's reach from the body the spur is gone.
    for (let i = 17; i <= 22; i++) expect(after[idx(v, i, 10, 10)]).toBe(0);
    expect(countOf(after, 3)).toBeLessThan(countOf(v.labels, 3) - 5);
    // The body's inner part (2 voxels in from every face) is untouched.
    for (let k = 6; k <= 13; k++) for (let j = 6; j <= 13; j++) for (let i = 5; i <= 12; i++) expect(after[idx(v, i, j, k)]).toBe(3);
  });

  it('closing fills a small hole and a notch, removes nothing, and changes nothing else', () => {
    const v = volume([24, 24, 24], { spacing: [1, 1, 1] });
    box(v, [4, 4, 4], [17, 17, 17], 9);
    box(v, [10, 10, 10], [11, 11, 11], 0); // 2×2×2 cavity
    v.labels[idx(v, 17, 10, 10)] = 0; // notch in the +i face
    const res = morphLabel(v, 9, { kind: 'close', radiusMm: 2.5 });
    if (!res.ok) throw new Error(res.message);
    expect(res.removed).toBe(0);
    expect(res.added).toBe(9);
    const after = v.labels.slice();
    applyDiff(after, res.diff, 'forward');
    expect(after[idx(v, 10, 11, 10)]).toBe(9);
    expect(after[idx(v, 17, 10, 10)]).toBe(9);
    expect(countOf(after, 9)).toBe(14 ** 3);
  });

  it('median removes a one-voxel bump and fills a one-voxel pit of a face', () => {
    const v = volume([24, 24, 24]);
    box(v, [4, 4, 4], [17, 17, 17], 2);
    v.labels[idx(v, 18, 10, 10)] = 2; // bump
    v.labels[idx(v, 10, 17, 12)] = 0; // pit
    const after = run(v, 2, { kind: 'median', radiusMm: 1.5 });
    expect(after[idx(v, 18, 10, 10)]).toBe(0);
    expect(after[idx(v, 10, 17, 12)]).toBe(2);
    expect(after[idx(v, 10, 10, 10)]).toBe(2);
  });
});

describe('morphLabel write rules', () => {
  it('grow leaves locked labels and, in background-only mode, every other label alone', () => {
    const v = volume([20, 20, 10]);
    box(v, [5, 5, 3], [9, 9, 6], 1);
    box(v, [10, 5, 3], [12, 9, 6], 2); // touching +i face
    box(v, [5, 2, 3], [9, 4, 6], 3); // touching -j face
    const locked = run(v, 1, { kind: 'grow', radiusMm: 2 }, { locked: new Set([2]) });
    for (let x = 0; x < v.labels.length; x++) if (v.labels[x] === 2) expect(locked[x]).toBe(2);
    expect(countOf(locked, 3)).toBeLessThan(countOf(v.labels, 3)); // overwrite mode: 3 is eaten
    const bgOnly = run(v, 1, { kind: 'grow', radiusMm: 2 }, { mode: 'background-only' });
    expect(countOf(bgOnly, 2)).toBe(countOf(v.labels, 2));
    expect(countOf(bgOnly, 3)).toBe(countOf(v.labels, 3));
    expect(countOf(bgOnly, 1)).toBeGreaterThan(countOf(v.labels, 1));
  });

  it('removing voxels of a locked label is refused; growing it is not; background is refused', () => {
    const v = volume([16, 16, 8]);
    box(v, [4, 4, 2], [10, 10, 5], 5);
    const locked = new Set([5]);
    for (const kind of ['shrink', 'open', 'median'] as const) {
      const res = morphLabel(v, 5, { kind, radiusMm: 1.5 }, { locked });
      expect(res).toMatchObject({ ok: false, reason: 'locked', label: 5 });
    }
    expect(morphLabel(v, 5, { kind: 'grow', radiusMm: 1 }, { locked })).toMatchObject({ ok: true, removed: 0 });
    expect(morphLabel(v, 0, { kind: 'grow', radiusMm: 1 })).toMatchObject({ ok: false, reason: 'invalid-label' });
    expect(morphLabel(v, 6, { kind: 'grow', radiusMm: 1 })).toMatchObject({ ok: true, added: 0, removed: 0 });
    expect(() => morphLabel(v, 5, { kind: 'grow', radiusMm: 0 })).toThrow(RangeError);
  });

  it('a label touching the volume edge is not eaten from outside the image', () => {
    const v = volume([10, 10, 10]);
    box(v, [0, 0, 0], [5, 9, 9], 1); // fills the -i side completely
    const after = run(v, 1, { kind: 'shrink', radiusMm: 1 });
    expect(after[idx(v, 0, 5, 5)]).toBe(1); // on the volume's edge, deep inside the label
    expect(after[idx(v, 5, 5, 5)]).toBe(0); // on the face towards the image
  });
});
