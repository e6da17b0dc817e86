import { describe, expect, it } from 'vitest';
import type { Vec3, VolumeGeometry } from '../../common/geometry.js';
import { IDENTITY_DIRECTION, indexToWorld } from '../../common/geometry.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import {
  CHUNK_VOXELS,
  SurfaceBuilder,
  changedLabels,
  diffBox,
  enclosedVolume,
  inProcessPort,
  labelBoxes,
  labelsInDiff,
  meshAll,
  wholeBlock,
  type Mesh,
} from '../../renderer/viewer/surfaces/index.js';

const at = (size: Vec3, i: number, j: number, k: number): number => i + size[0] * (j + size[1] * k);

/** Writes a ball of `value` (radius in mm, centre in voxel indices) into `labels`. */
function ball(labels: Uint8Array, g: Pick<VolumeGeometry, 'size' | 'spacing'>, centre: Vec3, radiusMm: number, value: number): void {
  const [nx, ny, nz] = g.size;
  const [sx, sy, sz] = g.spacing;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if (((i - centre[0]) * sx) ** 2 + ((j - centre[1]) * sy) ** 2 + ((k - centre[2]) * sz) ** 2 <= radiusMm ** 2) labels[at(g.size, i, j, k)] = value;
}

/** Every edge of a closed, consistently wound mesh appears once in each direction. */
function isClosedAndOriented(m: Mesh): boolean {
  const edges = new Map<string, number>();
  const t = m.triangles;
  for (let n = 0; n < t.length; n += 3) {
    for (let e = 0; e < 3; e++) {
      const a = t[n + e]!;
      const b = t[n + ((e + 1) % 3)]!;
      const key = `${a},${b}`;
      edges.set(key, (edges.get(key) ?? 0) + 1);
    }
  }
  for (const [key, count] of edges) {
    const [a, b] = key.split(',');
    if (edges.get(`${b},${a}`) !== count) return false;
  }
  return true;
}

function centroid(m: Mesh): Vec3 {
  const c: Vec3 = [0, 0, 0];
  const n = m.points.length / 3;
  for (let p = 0; p < n; p++) for (let a = 0; a < 3; a++) c[a] = c[a]! + m.points[3 * p + a]! / n;
  return c;
}

const sphereVolume = (r: number): number => (4 / 3) * Math.PI * r ** 3;

async function flush(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
}

describe('label surfaces: meshing', () => {
  it('a sphere label gives a closed mesh enclosing 4/3πr³ within a few per cent after smoothing', () => {
    const g: VolumeGeometry = { size: [32, 32, 32], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY_DIRECTION };
    const labels = new Uint8Array(32 ** 3);
    ball(labels, g, [15.5, 15.5, 15.5], 10, 7);
    const meshes = meshAll(wholeBlock(labels, g.size), g);
    expect([...meshes.keys()]).toEqual([7]);
    const m = meshes.get(7)!;
    expect(m.label).toBe(7);
    expect(isClosedAndOriented(m)).toBe(true);
    const v = enclosedVolume(m.points, m.triangles);
    expect(Math.abs(v / sphereVolume(10) - 1)).toBeLessThan(0.03);
    // Smoothed: every vertex within half a voxel of the true sphere; unit normals pointing outwards.
    const n = m.points.length / 3;
    let outward = 0;
    for (let p = 0; p < n; p++) {
      const d: Vec3 = [m.points[3 * p]! - 15.5, m.points[3 * p + 1]! - 15.5, m.points[3 * p + 2]! - 15.5];
      const r = Math.hypot(...d);
      expect(Math.abs(r - 10)).toBeLessThan(0.5);
      const nn = [m.normals[3 * p]!, m.normals[3 * p + 1]!, m.normals[3 * p + 2]!];
      expect(Math.hypot(...nn)).toBeCloseTo(1, 4);
      if ((d[0] * nn[0]! + d[1] * nn[1]! + d[2] * nn[2]!) / r > 0.9) outward++;
    }
    expect(outward / n).toBeGreaterThan(0.99);
  });

  it('places points in world mm for non-unit spacing, an offset origin and a flipped direction', () => {
    // Index axes: i → -L (flipped), j → S, k → P: determinant -1, so the winding must be reversed to stay outward.
    const g: VolumeGeometry = { size: [40, 30, 16], spacing: [0.5, 0.8, 2], origin: [10, -20, 30], direction: [-1, 0, 0, 0, 0, 1, 0, 1, 0] };
    const labels = new Uint8Array(40 * 30 * 16);
    const centre: Vec3 = [20, 15, 8];
    const r = 6;
    ball(labels, g, centre, r, 3);
    const m = meshAll(wholeBlock(labels, g.size), g).get(3)!;
    expect(isClosedAndOriented(m)).toBe(true);
    const v = enclosedVolume(m.points, m.triangles);
    expect(v).toBeGreaterThan(0);
    expect(Math.abs(v / sphereVolume(r) - 1)).toBeLessThan(0.05);
    const cw = indexToWorld(g, centre);
    const c = centroid(m);
    for (let a = 0; a < 3; a++) expect(Math.abs(c[a]! - cw[a]!)).toBeLessThan(0.3);
    // Every vertex near the sphere in world mm (within a voxel's largest half-extent).
    for (let p = 0; p < m.points.length / 3; p++) {
      const d = Math.hypot(m.points[3 * p]! - cw[0], m.points[3 * p + 1]! - cw[1], m.points[3 * p + 2]! - cw[2]);
      expect(Math.abs(d - r)).toBeLessThan(1);
    }
  });

  it('two labels give two meshes, an absent label none, and a label touching the volume edge is still closed', () => {
    const g: VolumeGeometry = { size: [30, 20, 12], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY_DIRECTION };
    const labels = new Uint8Array(30 * 20 * 12);
    ball(labels, g, [7, 10, 6], 4, 201);
    for (let k = 0; k < 12; k++) for (let j = 0; j < 4; j++) for (let i = 18; i < 30; i++) labels[at(g.size, i, j, k)] = 100; // touches 3 faces
    const meshes = meshAll(wholeBlock(labels, g.size), g);
    expect([...meshes.keys()].sort((a, b) => a - b)).toEqual([100, 201]);
    const box = meshes.get(100)!;
    expect(isClosedAndOriented(box)).toBe(true);
    expect(enclosedVolume(box.points, box.triangles) / (12 * 4 * 12)).toBeGreaterThan(0.9);
    expect(meshAll(wholeBlock(new Uint8Array(30 * 20 * 12), g.size), g).size).toBe(0);
  });

  it('label bounding boxes, diff labels and diff box', () => {
    const size: Vec3 = [10, 8, 6];
    const labels = new Uint8Array(480);
    labels[at(size, 2, 3, 1)] = 5;
    labels[at(size, 7, 1, 4)] = 5;
    labels[at(size, 9, 7, 5)] = 201;
    const boxes = labelBoxes(wholeBlock(labels, size));
    expect(boxes.get(5)).toEqual({ min: [2, 1, 1], max: [7, 3, 4] });
    expect(boxes.get(201)).toEqual({ min: [9, 7, 5], max: [9, 7, 5] });
    expect(labelBoxes(wholeBlock(labels, size), { min: [0, 0, 0], max: [5, 7, 5] }).get(5)).toEqual({ min: [2, 3, 1], max: [2, 3, 1] });
    const diff: VoxelDiff = {
      indices: new Uint32Array([at(size, 2, 3, 1), at(size, 4, 0, 2), at(size, 1, 6, 3)]),
      before: new Uint8Array([5, 0, 100]),
      after: new Uint8Array([0, 202, 0]),
    };
    expect(labelsInDiff(diff)).toEqual([5, 100, 202]);
    expect(diffBox(diff, size)).toEqual({ min: [1, 0, 1], max: [4, 6, 3] });
    expect(diffBox({ indices: new Uint32Array(0), before: new Uint8Array(0), after: new Uint8Array(0) }, size)).toBeNull();
    expect(changedLabels(new Uint8Array([0, 5, 5, 9]), new Uint8Array([3, 5, 0, 9]))).toEqual([3, 5]);
  });
});

describe('label surfaces: SurfaceBuilder (worker logic in process)', () => {
  const g: VolumeGeometry = { size: [48, 40, 24], spacing: [0.9, 0.9, 1.5], origin: [-5, 7, 2], direction: IDENTITY_DIRECTION };
  function volume(): Uint8Array {
    const labels = new Uint8Array(48 * 40 * 24);
    ball(labels, g, [12, 20, 12], 7, 1);
    ball(labels, g, [34, 20, 12], 7, 2);
    ball(labels, g, [24, 8, 12], 4, 201);
    return labels;
  }

  it('builds every label, then rebuilds only the label a stroke changed and leaves the others identical', async () => {
    const labels = volume();
    const builder = new SurfaceBuilder({ createPort: inProcessPort });
    const updates: boolean[] = [];
    builder.onUpdate((u) => updates.push(u.full));
    const all = (await builder.buildAll(labels, g))!;
    expect([...all.keys()].sort((a, b) => a - b)).toEqual([1, 2, 201]);
    const before2 = all.get(2)!;
    const copy2 = { points: before2.points.slice(), triangles: before2.triangles.slice() };
    // A stroke: grow label 1 by a block on its right side (voxels were background).
    const box = { min: [18, 17, 10] as Vec3, max: [21, 23, 14] as Vec3 };
    for (let k = box.min[2]; k <= box.max[2]; k++)
      for (let j = box.min[1]; j <= box.max[1]; j++) for (let i = box.min[0]; i <= box.max[0]; i++) labels[at(g.size, i, j, k)] = 1;
    const u = (await builder.rebuild(null, box))!; // the worker finds the changed labels itself
    expect(u.full).toBe(false);
    expect([...u.meshes.keys()]).toEqual([1]);
    const v1 = enclosedVolume(u.meshes.get(1)!.points, u.meshes.get(1)!.triangles);
    expect(v1).toBeGreaterThan(enclosedVolume(all.get(1)!.points, all.get(1)!.triangles));
    // The others were not rebuilt: identical to the full build, and the full build's arrays are untouched.
    expect(all.get(2)!.points).toEqual(copy2.points);
    expect(all.get(2)!.triangles).toEqual(copy2.triangles);
    // A fresh full build agrees with the incremental one for label 1 and with the first for label 2.
    const fresh = meshAll(wholeBlock(labels, g.size), g);
    expect(u.meshes.get(1)!.points).toEqual(fresh.get(1)!.points);
    expect(fresh.get(2)!.points).toEqual(copy2.points);
    expect(updates).toEqual([true, false]);
    builder.dispose();
  });

  it('erasing a whole label answers null for it; a diff drives the rebuild', async () => {
    const labels = volume();
    const builder = new SurfaceBuilder({ createPort: inProcessPort });
    await builder.buildAll(labels, g);
    const idx: number[] = [];
    for (let n = 0; n < labels.length; n++) if (labels[n] === 201) idx.push(n);
    const diff: VoxelDiff = { indices: Uint32Array.from(idx), before: new Uint8Array(idx.length).fill(201), after: new Uint8Array(idx.length) };
    for (const n of idx) labels[n] = 0;
    const u = (await builder.rebuildFromDiff(diff))!;
    expect([...u.meshes]).toEqual([[201, null]]);
    builder.dispose();
  });

  it('a newer stroke supersedes an older request: the older resolves null, the newer carries both labels', async () => {
    const labels = volume();
    const builder = new SurfaceBuilder({ createPort: inProcessPort });
    await builder.buildAll(labels, g);
    const seen: number[][] = [];
    builder.onUpdate((u) => seen.push([...u.meshes.keys()].sort((a, b) => a - b)));
    labels[at(g.size, 12, 20, 3)] = 1; // touches nothing else
    const first = builder.rebuild([1], { min: [12, 20, 3], max: [12, 20, 3] });
    labels[at(g.size, 34, 20, 3)] = 2;
    const second = builder.rebuild([2], { min: [34, 20, 3], max: [34, 20, 3] });
    expect(await first).toBeNull();
    const u = (await second)!;
    expect([...u.meshes.keys()].sort((a, b) => a - b)).toEqual([1, 2]);
    expect(seen).toEqual([[1, 2]]);
    await flush();
    builder.dispose();
  });

  it('sends a volume larger than one chunk in pieces; a rebuild issued meanwhile waits for the last piece', async () => {
    const big: VolumeGeometry = { size: [256, 128, 140], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY_DIRECTION };
    const n = 256 * 128 * 140;
    expect(n).toBeGreaterThan(CHUNK_VOXELS);
    const labels = new Uint8Array(n);
    ball(labels, big, [20, 20, 10], 5, 4);
    ball(labels, big, [200, 100, 130], 5, 9); // in the second chunk
    const builder = new SurfaceBuilder({ createPort: inProcessPort });
    const all = builder.buildAll(labels, big);
    // A stroke while the volume is still being sent: label 9 grows by one voxel.
    labels[at(big.size, 200, 100, 136)] = 9;
    const u = builder.rebuild([9], { min: [200, 100, 136], max: [200, 100, 136] });
    const first = await all;
    const update = (await u)!;
    // Here the patch reaches the worker before the build's job ends, so the build is superseded and the rebuild's
    // answer is a full one; either way, build + rebuild together must equal a fresh build of the current voxels.
    expect(first).toBeNull();
    expect(update.full).toBe(true);
    const shown = new Map(first ?? []);
    for (const [label, mesh] of update.meshes) if (mesh) shown.set(label, mesh);
    const fresh = meshAll(wholeBlock(labels, big.size), big);
    expect([...shown.keys()].sort((a, b) => a - b)).toEqual([4, 9]);
    expect(shown.get(9)!.points).toEqual(fresh.get(9)!.points);
    expect(shown.get(4)!.points).toEqual(fresh.get(4)!.points);
    builder.dispose();
  });

  it('a new buildAll supersedes pending work; dispose resolves what is pending with null', async () => {
    const labels = volume();
    const builder = new SurfaceBuilder({ createPort: inProcessPort });
    const a = builder.buildAll(labels, g);
    const b = builder.buildAll(new Uint8Array(labels.length), g);
    expect(await a).toBeNull();
    expect((await b)!.size).toBe(0);
    const c = builder.buildAll(labels, g);
    builder.dispose();
    expect(await c).toBeNull();
  });
});
