// Ray picking on the label meshes: the nearest triangle a ray hits (Möller–Trumbore), straight on the meshes'
// Float32 arrays. Pure, no vtk.js: one pass over a mesh's triangles with no allocation (vtkCellPicker builds a cell
// object per candidate and costs far more on surfaces of ~10⁵ triangles).
import type { Vec3 } from '../../../common/geometry.js';

const EPS = 1e-12;

/**
 * Smallest t >= 0 with origin + t·dir on a triangle of the mesh (either side), or null when the ray misses it.
 * `points`: x, y, z per vertex; `triangles`: three vertex indices per triangle.
 */
export function pickSurface(points: Float32Array, triangles: Uint32Array, origin: Vec3, dir: Vec3): number | null {
  const [ox, oy, oz] = origin;
  const [dx, dy, dz] = dir;
  let best = Infinity;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t]! * 3;
    const b = triangles[t + 1]! * 3;
    const c = triangles[t + 2]! * 3;
    const ax = points[a]!, ay = points[a + 1]!, az = points[a + 2]!;
    const e1x = points[b]! - ax, e1y = points[b + 1]! - ay, e1z = points[b + 2]! - az;
    const e2x = points[c]! - ax, e2y = points[c + 1]! - ay, e2z = points[c + 2]! - az;
    // p = dir × e2
    const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
    const det = e1x * px + e1y * py + e1z * pz;
    if (det > -EPS && det < EPS) continue;
    const inv = 1 / det;
    const sx = ox - ax, sy = oy - ay, sz = oz - az;
    const u = (sx * px + sy * py + sz * pz) * inv;
    if (u < 0 || u > 1) continue;
    // q = s × e1
    const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
    const v = (dx * qx + dy * qy + dz * qz) * inv;
    if (v < 0 || u + v > 1) continue;
    const d = (e2x * qx + e2y * qy + e2z * qz) * inv;
    if (d >= 0 && d < best) best = d;
  }
  return best === Infinity ? null : best;
}

/** Pixels the pointer may move between press and release for the gesture to count as a click (not a rotate). */
export const CLICK_SLOP_PX = 4;
