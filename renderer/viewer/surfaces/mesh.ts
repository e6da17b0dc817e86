// Pure meshing for the 3-D label view: label bounding boxes, and one smoothed closed triangle surface per label in
// world millimetres. No DOM, no vtk.js, no Node: runs in the surfaces worker, in the renderer and in Node tests.
//
// Algorithm (chosen over vtk.js vtkImageMarchingCubes + vtkWindowedSincPolyDataFilter + vtkPolyDataNormals, which
// took 8–12× as long per label on the bench volume, 3–4× for marching cubes alone; BENCHMARKS.md, "3-D label
// surfaces"): naive Surface Nets on the label's binary mask, then constrained Taubin smoothing.
//   1. Mask: the label's bounding box plus a one-voxel margin of zeros on every side (so the surface is closed even
//      where the label touches the volume edge).
//   2. One vertex per "active" cell (a cube between 8 voxel centres that are not all inside or all outside), placed
//      at the mean of the midpoints of its sign-changing edges; made when the first quad needs it, so only cells on
//      the boundary are visited.
//   3. One quad per pair of face-adjacent voxels with different mask values, joining the four cells around their
//      shared edge, wound so its normal points out of the label; split into two triangles. The quads are the dual
//      of the voxel boundary, so the mesh is closed and consistently oriented by construction.
//   4. Taubin smoothing (λ, μ alternating, uniform weights over the quad edges) in millimetres of index space, so
//      anisotropic spacing is smoothed physically; each vertex stays inside its cell, which keeps the surface on the
//      voxel boundary (no shrinkage, no feature loss beyond one voxel).
//   5. Index space → world (origin + spacing + direction); a direction with determinant < 0 (a flipped axis)
//      reverses every triangle so the winding stays outward in world space. Area-weighted vertex normals.
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { labelBoxes, type LabelBlock, type VoxelBox } from './blocks.js';

export { changedLabels, extractBlock, labelBoxes, unionBox, wholeBlock, writeBlock, type LabelBlock, type VoxelBox } from './blocks.js';

/** One label's surface. Every array is its own ArrayBuffer (transferable). */
export interface Mesh {
  label: number;
  /** x, y, z per vertex, LPS world millimetres. */
  points: Float32Array;
  /** Unit outward normal per vertex (world). */
  normals: Float32Array;
  /** Three vertex indices per triangle, counter-clockwise seen from outside. */
  triangles: Uint32Array;
  /** meshDigest of points and triangles, set by the worker (tests and benches compare surfaces by it). */
  digest?: number;
}

/** FNV-1a (32 bit) over the bits of a mesh's points and its triangle indices: equal meshes have equal digests. */
export function meshDigest(mesh: Pick<Mesh, 'points' | 'triangles'>): number {
  let h = 0x811c9dc5;
  const words = [new Uint32Array(mesh.points.buffer, mesh.points.byteOffset, mesh.points.length), mesh.triangles];
  for (const w of words) {
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 0x01000193) >>> 0;
    h = Math.imul(h ^ w.length, 0x01000193) >>> 0;
  }
  return h;
}

export interface MeshOptions {
  /** Taubin iterations (each is one λ step and one μ step). Default 12. */
  smoothingIterations?: number;
  /** Taubin shrink factor, 0..1. Default 0.5. */
  lambda?: number;
  /** Taubin inflate factor, negative, |μ| slightly above λ. Default -0.53. */
  mu?: number;
  /** Keep every vertex inside its Surface Nets cell while smoothing. Default true. */
  constrainToCell?: boolean;
  /**
   * Worker only (meshLabel ignores it): display meshes clustered on cells of this many times the finest voxel
   * spacing (decimate.ts); 0 = the full mesh. Default 0.
   */
  clusterFactor?: number;
}

const DEFAULTS: Required<MeshOptions> = { smoothingIterations: 12, lambda: 0.5, mu: -0.53, constrainToCell: true, clusterFactor: 0 };

/**
 * The smoothed surface of `label` inside `box` (volume indices, e.g. from labelBoxes) of `block`, or null when the
 * label has no voxel there. `block` must cover `box`; voxels outside the block count as outside the label.
 */
export function meshLabel(block: LabelBlock, label: number, box: VoxelBox, geometry: VolumeGeometry, options: MeshOptions = {}): Mesh | null {
  const opt = { ...DEFAULTS, ...options };
  // Mask grid: the box plus one voxel of margin per side. Mask voxel (x, y, z) is volume voxel (x, y, z) + base.
  const base: Vec3 = [box.min[0] - 1, box.min[1] - 1, box.min[2] - 1];
  const nx = box.max[0] - box.min[0] + 3;
  const ny = box.max[1] - box.min[1] + 3;
  const nz = box.max[2] - box.min[2] + 3;
  if (nx < 3 || ny < 3 || nz < 3) return null;
  const mask = new Uint8Array(nx * ny * nz);
  const [bx, by, bz] = block.size;
  const [ox, oy, oz] = block.offset;
  let any = false;
  for (let z = 1; z < nz - 1; z++) {
    const k = base[2] + z - oz;
    if (k < 0 || k >= bz) continue;
    for (let y = 1; y < ny - 1; y++) {
      const j = base[1] + y - oy;
      if (j < 0 || j >= by) continue;
      const src = bx * (j + by * k);
      const dst = nx * (y + ny * z);
      const i0 = Math.max(1, ox - base[0]);
      const i1 = Math.min(nx - 2, ox + bx - 1 - base[0]);
      for (let x = i0; x <= i1; x++) {
        if (block.data[src + base[0] + x - ox] === label) {
          mask[dst + x] = 1;
          any = true;
        }
      }
    }
  }
  if (!any) return null;
  const mesh = meshMask(mask, [nx, ny, nz], base, geometry, opt);
  if (mesh) mesh.label = label;
  return mesh;
}

/** Surface Nets + smoothing of a 0/1 mask whose outermost layer is 0. `base` = volume index of mask voxel (0,0,0). */
export function meshMask(mask: Uint8Array, dims: Vec3, base: Vec3, geometry: VolumeGeometry, options: MeshOptions = {}): Mesh | null {
  const opt = { ...DEFAULTS, ...options };
  const [nx, ny, nz] = dims;
  const sx = 1;
  const sy = nx;
  const sz = nx * ny;
  // Cells: cell (x, y, z) spans mask voxel centres x..x+1, y..y+1, z..z+1. A cell gets its vertex when the first
  // quad needs it (only cells on the boundary are ever visited), at the mean of the midpoints of its sign-changing
  // edges. Corners in the order b = dx | dy << 1 | dz << 2; EDGES lists the 12 edges as corner pairs.
  const cx = nx - 1;
  const cy = ny - 1;
  const cellVertex = new Int32Array(cx * cy * (nz - 1)).fill(-1);
  let pts = new Float64Array(3 * 4096);
  /** Cell corner (lowest voxel centre) of each vertex, mm along the index axes: the smoothing constraint. */
  let lows = new Float64Array(3 * 4096);
  let nVerts = 0;
  const [spx, spy, spz] = geometry.spacing;
  const cornerOffset = [0, sx, sy, sx + sy, sz, sx + sz, sy + sz, sx + sy + sz];
  const EDGES = [0, 1, 2, 3, 4, 5, 6, 7, 0, 2, 1, 3, 4, 6, 5, 7, 0, 4, 1, 5, 2, 6, 3, 7];
  const vertexOf = (x: number, y: number, z: number): number => {
    const c = x + cx * (y + cy * z);
    const known = cellVertex[c]!;
    if (known >= 0) return known;
    const v = x + sy * y + sz * z;
    let code = 0;
    for (let b = 0; b < 8; b++) code |= mask[v + cornerOffset[b]!]! << b;
    let ax = 0;
    let ay = 0;
    let az = 0;
    let n = 0;
    for (let e = 0; e < 24; e += 2) {
      const b0 = EDGES[e]!;
      const b1 = EDGES[e + 1]!;
      if (((code >> b0) & 1) === ((code >> b1) & 1)) continue;
      ax += (b0 & 1) + (b1 & 1);
      ay += ((b0 >> 1) & 1) + ((b1 >> 1) & 1);
      az += ((b0 >> 2) & 1) + ((b1 >> 2) & 1);
      n += 2;
    }
    if (3 * nVerts + 3 > pts.length) {
      const grownP = new Float64Array(pts.length * 2);
      grownP.set(pts);
      pts = grownP;
      const grownL = new Float64Array(lows.length * 2);
      grownL.set(lows);
      lows = grownL;
    }
    const p = 3 * nVerts;
    // Millimetres along the index axes (not yet rotated or offset): smoothing happens in this frame.
    lows[p] = (base[0] + x) * spx;
    lows[p + 1] = (base[1] + y) * spy;
    lows[p + 2] = (base[2] + z) * spz;
    pts[p] = lows[p] + (ax / n) * spx;
    pts[p + 1] = lows[p + 1]! + (ay / n) * spy;
    pts[p + 2] = lows[p + 2]! + (az / n) * spz;
    cellVertex[c] = nVerts;
    return nVerts++;
  };

  // Quads: one per sign-changing voxel pair, joining the four cells around the pair's shared edge, wound
  // counter-clockwise seen from the outside. One pass over the voxels checks the +x, +y and +z neighbour. The mask's
  // outer layer is 0, so a differing pair always has its inside voxel at 1..n-2 on every axis and the four cells exist.
  let quads = new Uint32Array(4 * 4096);
  let nQuads = 0;
  const pushQuad = (a: number, b: number, c: number, d: number, outwardPositive: boolean): void => {
    if (4 * nQuads + 4 > quads.length) {
      const grown = new Uint32Array(quads.length * 2);
      grown.set(quads);
      quads = grown;
    }
    const q = 4 * nQuads++;
    quads[q] = outwardPositive ? a : d;
    quads[q + 1] = outwardPositive ? b : c;
    quads[q + 2] = outwardPositive ? c : b;
    quads[q + 3] = outwardPositive ? d : a;
  };
  for (let z = 0; z < nz - 1; z++) {
    for (let y = 0; y < ny - 1; y++) {
      let v = sy * y + sz * z;
      for (let x = 0; x < nx - 1; x++, v++) {
        const m = mask[v]!;
        const mx = mask[v + sx]!;
        const my = mask[v + sy]!;
        const mz = mask[v + sz]!;
        if (m === 0 && mx === 0 && my === 0 && mz === 0) continue;
        // +x pair: cells (x, y-1..y, z-1..z); (y, z) counter-clockwise seen from +x.
        if (m !== mx) pushQuad(vertexOf(x, y - 1, z - 1), vertexOf(x, y, z - 1), vertexOf(x, y, z), vertexOf(x, y - 1, z), m === 1);
        // +y pair: (z, x) counter-clockwise seen from +y.
        if (m !== my) pushQuad(vertexOf(x - 1, y, z - 1), vertexOf(x - 1, y, z), vertexOf(x, y, z), vertexOf(x, y, z - 1), m === 1);
        // +z pair: (x, y) counter-clockwise seen from +z.
        if (m !== mz) pushQuad(vertexOf(x - 1, y - 1, z), vertexOf(x, y - 1, z), vertexOf(x, y, z), vertexOf(x - 1, y, z), m === 1);
      }
    }
  }
  if (nVerts === 0) return null;
  taubin(pts, nVerts, quads, nQuads, opt, opt.constrainToCell ? lows : null, [spx, spy, spz]);

  // Triangles: split each quad along its shorter diagonal.
  const triangles = new Uint32Array(6 * nQuads);
  const flip = det3(geometry.direction) < 0;
  for (let q = 0; q < nQuads; q++) {
    const a = quads[4 * q]!;
    const b = quads[4 * q + 1]!;
    const c = quads[4 * q + 2]!;
    const d = quads[4 * q + 3]!;
    const t = 6 * q;
    if (dist2(pts, a, c) <= dist2(pts, b, d)) {
      tri(triangles, t, a, b, c, flip);
      tri(triangles, t + 3, a, c, d, flip);
    } else {
      tri(triangles, t, a, b, d, flip);
      tri(triangles, t + 3, b, c, d, flip);
    }
  }

  // Index-axis millimetres → world.
  const points = new Float32Array(3 * nVerts);
  const o = geometry.origin;
  const dir = geometry.direction;
  for (let p = 0; p < nVerts; p++) {
    const u = pts[3 * p]!;
    const v = pts[3 * p + 1]!;
    const w = pts[3 * p + 2]!;
    points[3 * p] = o[0] + u * dir[0] + v * dir[3] + w * dir[6];
    points[3 * p + 1] = o[1] + u * dir[1] + v * dir[4] + w * dir[7];
    points[3 * p + 2] = o[2] + u * dir[2] + v * dir[5] + w * dir[8];
  }
  return { label: 0, points, normals: vertexNormals(points, triangles), triangles };
}

function tri(out: Uint32Array, t: number, a: number, b: number, c: number, flip: boolean): void {
  out[t] = a;
  out[t + 1] = flip ? c : b;
  out[t + 2] = flip ? b : c;
}

function dist2(p: Float64Array, a: number, b: number): number {
  const dx = p[3 * a]! - p[3 * b]!;
  const dy = p[3 * a + 1]! - p[3 * b + 1]!;
  const dz = p[3 * a + 2]! - p[3 * b + 2]!;
  return dx * dx + dy * dy + dz * dz;
}

function det3(m: VolumeGeometry['direction']): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/**
 * Taubin smoothing with uniform weights over the quad edges, optionally keeping each vertex inside its cell
 * (`cellLo` = the cell's lowest corner, the cell one spacing wide per axis).
 */
function taubin(
  pts: Float64Array,
  nVerts: number,
  quads: Uint32Array,
  nQuads: number,
  opt: Required<MeshOptions>,
  cellLo: Float64Array | null,
  spacing: Vec3,
): void {
  if (opt.smoothingIterations <= 0) return;
  // Neighbour lists in CSR form (cache-friendly inner loop).
  // In a closed, consistently wound quad mesh every undirected edge is the directed edge a→b of exactly one quad
  // (and b→a of the other), so taking each quad's directed edges once per endpoint lists every neighbour once.
  const degree = new Uint32Array(nVerts + 1);
  for (let q = 0; q < 4 * nQuads; q++) degree[quads[q]! + 1]! += 1;
  for (let p = 0; p < nVerts; p++) degree[p + 1]! += degree[p]!;
  const adj = new Uint32Array(degree[nVerts]!);
  const fill = degree.slice(0, nVerts);
  for (let q = 0; q < nQuads; q++) {
    for (let e = 0; e < 4; e++) adj[fill[quads[4 * q + e]!]!++] = quads[4 * q + ((e + 1) & 3)]!;
  }
  const next = new Float64Array(3 * nVerts);
  const [spx, spy, spz] = spacing;
  let cur: Float64Array = pts;
  let out: Float64Array = next;
  for (let it = 0; it < 2 * opt.smoothingIterations; it++) {
    const f = it & 1 ? opt.mu : opt.lambda;
    for (let p = 0; p < nVerts; p++) {
      const s = degree[p]!;
      const e = degree[p + 1]!;
      const x = cur[3 * p]!;
      const y = cur[3 * p + 1]!;
      const z = cur[3 * p + 2]!;
      if (e === s) {
        out[3 * p] = x;
        out[3 * p + 1] = y;
        out[3 * p + 2] = z;
        continue;
      }
      let mx = 0;
      let my = 0;
      let mz = 0;
      for (let n = s; n < e; n++) {
        const q = 3 * adj[n]!;
        mx += cur[q]!;
        my += cur[q + 1]!;
        mz += cur[q + 2]!;
      }
      const inv = 1 / (e - s);
      let nx = x + f * (mx * inv - x);
      let ny = y + f * (my * inv - y);
      let nz = z + f * (mz * inv - z);
      if (cellLo) {
        const lx = cellLo[3 * p]!;
        const ly = cellLo[3 * p + 1]!;
        const lz = cellLo[3 * p + 2]!;
        nx = nx < lx ? lx : nx > lx + spx ? lx + spx : nx;
        ny = ny < ly ? ly : ny > ly + spy ? ly + spy : ny;
        nz = nz < lz ? lz : nz > lz + spz ? lz + spz : nz;
      }
      out[3 * p] = nx;
      out[3 * p + 1] = ny;
      out[3 * p + 2] = nz;
    }
    const t = cur;
    cur = out;
    out = t;
  }
  if (cur !== pts) pts.set(cur.subarray(0, 3 * nVerts));
}

/** Area-weighted unit vertex normals of a triangle mesh. */
export function vertexNormals(points: Float32Array, triangles: Uint32Array): Float32Array {
  const acc = new Float64Array(points.length);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t]!;
    const b = 3 * triangles[t + 1]!;
    const c = 3 * triangles[t + 2]!;
    const ux = points[b]! - points[a]!;
    const uy = points[b + 1]! - points[a + 1]!;
    const uz = points[b + 2]! - points[a + 2]!;
    const vx = points[c]! - points[a]!;
    const vy = points[c + 1]! - points[a + 1]!;
    const vz = points[c + 2]! - points[a + 2]!;
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    acc[a] = acc[a]! + nx;
    acc[a + 1] = acc[a + 1]! + ny;
    acc[a + 2] = acc[a + 2]! + nz;
    acc[b] = acc[b]! + nx;
    acc[b + 1] = acc[b + 1]! + ny;
    acc[b + 2] = acc[b + 2]! + nz;
    acc[c] = acc[c]! + nx;
    acc[c + 1] = acc[c + 1]! + ny;
    acc[c + 2] = acc[c + 2]! + nz;
  }
  const out = new Float32Array(points.length);
  for (let p = 0; p < acc.length; p += 3) {
    const l = Math.hypot(acc[p]!, acc[p + 1]!, acc[p + 2]!) || 1;
    out[p] = acc[p]! / l;
    out[p + 1] = acc[p + 1]! / l;
    out[p + 2] = acc[p + 2]! / l;
  }
  return out;
}

/** Volume enclosed by a closed, outward-wound triangle mesh (divergence theorem), in mm³. */
export function enclosedVolume(points: Float32Array, triangles: Uint32Array): number {
  let six = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t]!;
    const b = 3 * triangles[t + 1]!;
    const c = 3 * triangles[t + 2]!;
    const ax = points[a]!, ay = points[a + 1]!, az = points[a + 2]!;
    const bx = points[b]!, by = points[b + 1]!, bz = points[b + 2]!;
    const cx = points[c]!, cy = points[c + 1]!, cz = points[c + 2]!;
    six += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return six / 6;
}

/** Triangles in vtkPolyData's cell-array layout: [3, a, b, c, 3, …] (for vtkPolyData.getPolys().setData). */
export function vtkPolys(triangles: Uint32Array): Uint32Array {
  const out = new Uint32Array((triangles.length / 3) * 4);
  for (let t = 0, o = 0; t < triangles.length; t += 3, o += 4) {
    out[o] = 3;
    out[o + 1] = triangles[t]!;
    out[o + 2] = triangles[t + 1]!;
    out[o + 3] = triangles[t + 2]!;
  }
  return out;
}

/** Every label's surface in one block (a whole volume for the full build). */
export function meshAll(block: LabelBlock, geometry: VolumeGeometry, options: MeshOptions = {}): Map<number, Mesh> {
  const out = new Map<number, Mesh>();
  for (const [label, box] of labelBoxes(block)) {
    const m = meshLabel(block, label, box, geometry, options);
    if (m) out.set(label, m);
  }
  return out;
}
