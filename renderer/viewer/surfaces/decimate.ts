// Display meshes for the 3-D view: vertex clustering. Every vertex falls into a cell of a regular grid (`cell` mm per
// axis); each cell's vertices merge into their mean, triangles that collapse are dropped, and a triangle made twice
// (same three cells) is kept once. Under software GL the 3-D view's frames are bound by the triangles drawn and
// handed to vtk.js, and a smoothed Surface Nets mesh has about one triangle per boundary voxel face — far more than
// a view cell of a few hundred pixels shows. Pure: no DOM, no Node.
import type { Vec3 } from '../../../common/geometry.js';
import { vertexNormals, type Mesh } from './mesh.js';

/** Cell size (mm per axis) for `factor` × the finest voxel spacing; an axis never gets a cell finer than its spacing. */
export function clusterCell(spacing: Vec3, factor: number): Vec3 {
  const fine = Math.min(spacing[0], spacing[1], spacing[2]) * factor;
  return [Math.max(spacing[0], fine), Math.max(spacing[1], fine), Math.max(spacing[2], fine)];
}

/**
 * The mesh with its vertices clustered on cells of `cell` mm (see above); normals recomputed. A mesh that clusters
 * to nothing (smaller than a cell) comes back unchanged.
 */
export function clusterMesh(mesh: Mesh, cell: Vec3): Mesh {
  const { points, triangles } = mesh;
  const n = points.length / 3;
  if (n === 0 || !(cell[0] > 0 && cell[1] > 0 && cell[2] > 0)) throw new RangeError(`cluster cell must be positive, got ${cell.join('×')}`);
  const min: Vec3 = [Infinity, Infinity, Infinity];
  for (let i = 0; i < points.length; i += 3) for (let a = 0; a < 3; a++) min[a] = Math.min(min[a]!, points[i + a]!);
  const cells = new Map<number, number>();
  const clusterOf = new Uint32Array(n);
  const sums: number[] = [];
  const counts: number[] = [];
  // Grid coordinates stay far below 2^17 per axis for any volume here: the key is exact in a double.
  const span = 1 << 17;
  for (let v = 0; v < n; v++) {
    const ix = Math.floor((points[3 * v]! - min[0]) / cell[0]);
    const iy = Math.floor((points[3 * v + 1]! - min[1]) / cell[1]);
    const iz = Math.floor((points[3 * v + 2]! - min[2]) / cell[2]);
    const key = (iz * span + iy) * span + ix;
    let c = cells.get(key);
    if (c === undefined) {
      c = counts.length;
      cells.set(key, c);
      sums.push(0, 0, 0);
      counts.push(0);
    }
    clusterOf[v] = c;
    sums[3 * c] = sums[3 * c]! + points[3 * v]!;
    sums[3 * c + 1] = sums[3 * c + 1]! + points[3 * v + 1]!;
    sums[3 * c + 2] = sums[3 * c + 2]! + points[3 * v + 2]!;
    counts[c]!++;
  }
  const out = new Uint32Array(triangles.length);
  const seen = new Set<number>();
  let m = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = clusterOf[triangles[t]!]!;
    const b = clusterOf[triangles[t + 1]!]!;
    const c = clusterOf[triangles[t + 2]!]!;
    if (a === b || b === c || a === c) continue;
    const lo = Math.min(a, b, c);
    const hi = Math.max(a, b, c);
    const mid = a + b + c - lo - hi;
    const key = (lo * span + mid) * span + hi;
    if (seen.has(key)) continue;
    seen.add(key);
    out[m++] = a;
    out[m++] = b;
    out[m++] = c;
  }
  if (m === 0) return mesh;
  // Only the clusters some triangle uses, renumbered in order of first use.
  const index = new Int32Array(counts.length).fill(-1);
  let k = 0;
  for (let i = 0; i < m; i++) {
    const c = out[i]!;
    if (index[c] === -1) index[c] = k++;
    out[i] = index[c]!;
  }
  const pts = new Float32Array(3 * k);
  for (let c = 0; c < counts.length; c++) {
    const j = index[c]!;
    if (j < 0) continue;
    pts[3 * j] = sums[3 * c]! / counts[c]!;
    pts[3 * j + 1] = sums[3 * c + 1]! / counts[c]!;
    pts[3 * j + 2] = sums[3 * c + 2]! / counts[c]!;
  }
  const tris = out.slice(0, m);
  return { label: mesh.label, points: pts, normals: vertexNormals(pts, tris), triangles: tris };
}
