// Display meshes (renderer/viewer/surfaces/decimate.ts): vertex clustering of a real smoothed Surface Nets mesh of a
// ball keeps its shape (enclosed volume, radius) with far fewer triangles, leaves no degenerate or repeated
// triangle, and the surfaces worker applies it when asked (clusterFactor) and not otherwise.
import { describe, expect, it } from 'vitest';
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { IDENTITY_DIRECTION } from '../../../common/geometry.js';
import { clusterCell, clusterMesh, enclosedVolume, inProcessPort, meshAll, SurfaceBuilder, wholeBlock, type Mesh } from '../../../renderer/viewer/surfaces/index.js';

const geometry: VolumeGeometry = { size: [48, 48, 24], spacing: [0.5, 0.5, 1], origin: [0, 0, 0], direction: IDENTITY_DIRECTION };
const centre: Vec3 = [24, 24, 12];
const R = 8; // mm

function ballLabels(): Uint8Array {
  const [nx, ny, nz] = geometry.size;
  const [sx, sy, sz] = geometry.spacing;
  const labels = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++)
    if (((i - centre[0]) * sx) ** 2 + ((j - centre[1]) * sy) ** 2 + ((k - centre[2]) * sz) ** 2 <= R * R) labels[i + nx * (j + ny * k)] = 4;
  return labels;
}

function triangleKeys(m: Mesh): Set<string> {
  const keys = new Set<string>();
  for (let t = 0; t < m.triangles.length; t += 3) keys.add([...m.triangles.subarray(t, t + 3)].sort((a, b) => a - b).join(','));
  return keys;
}

describe('clusterMesh', () => {
  const full = meshAll(wholeBlock(ballLabels(), geometry.size), geometry).get(4)!;

  it('keeps the ball with a third of the triangles or fewer, none degenerate or repeated', () => {
    const cell = clusterCell(geometry.spacing, 2);
    expect(cell).toEqual([1, 1, 1]);
    const d = clusterMesh(full, cell);
    const n = d.triangles.length / 3;
    expect(n).toBeLessThan((full.triangles.length / 3) * 0.45);
    expect(n).toBeGreaterThan(200);
    const v0 = enclosedVolume(full.points, full.triangles);
    const v1 = enclosedVolume(d.points, d.triangles);
    expect(Math.abs(v1 - v0) / v0).toBeLessThan(0.03);
    // Every vertex stays near the sphere: the radius of each is within a voxel of R (world = index × spacing here).
    const c: Vec3 = [centre[0] * 0.5, centre[1] * 0.5, centre[2] * 1];
    for (let p = 0; p < d.points.length; p += 3) {
      const r = Math.hypot(d.points[p]! - c[0], d.points[p + 1]! - c[1], d.points[p + 2]! - c[2]);
      expect(Math.abs(r - R)).toBeLessThan(1);
    }
    for (let t = 0; t < d.triangles.length; t += 3) {
      const [a, b, e] = d.triangles.subarray(t, t + 3);
      expect(a !== b && b !== e && a !== e).toBe(true);
      for (const i of [a!, b!, e!]) expect(i).toBeLessThan(d.points.length / 3);
    }
    expect(triangleKeys(d).size).toBe(n);
    expect(d.normals.length).toBe(d.points.length);
    for (let p = 0; p < d.normals.length; p += 3) expect(Math.hypot(d.normals[p]!, d.normals[p + 1]!, d.normals[p + 2]!)).toBeCloseTo(1, 4);
  });

  it('never makes a cell finer than an axis spacing, and names a bad cell', () => {
    expect(clusterCell([0.5, 0.5, 3], 2)).toEqual([1, 1, 3]);
    expect(() => clusterMesh(full, [0, 1, 1])).toThrow(/cluster cell must be positive/);
  });

  it('the surfaces worker clusters only when asked', async () => {
    const labels = ballLabels();
    const plain = new SurfaceBuilder({ createPort: inProcessPort });
    const display = new SurfaceBuilder({ createPort: inProcessPort, mesh: { clusterFactor: 2 } });
    try {
      const a = (await plain.buildAll(labels, geometry))!.get(4)!;
      const b = (await display.buildAll(labels, geometry))!.get(4)!;
      expect([...a.triangles]).toEqual([...full.triangles]);
      expect([...b.triangles]).toEqual([...clusterMesh(full, clusterCell(geometry.spacing, 2)).triangles]);
    } finally {
      plain.dispose();
      display.dispose();
    }
  });
});
