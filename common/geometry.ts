// Voxel-grid geometry shared by core and renderer. Pure: no I/O.
//
// Conventions (the same as MetaImage / ITK, LPS world space in millimetres):
//   - index (i, j, k) addresses voxel data at flat offset i + size[0] * (j + size[1] * k)
//   - world = origin + sum over axis a of (index[a] * spacing[a]) * axisVector(a)
//   - `direction` holds the three unit axis vectors one after the other: axis a's vector is
//     direction[3a], direction[3a+1], direction[3a+2]. This is exactly the order of the
//     MetaImage `TransformMatrix` field, so it is written back without transposition.

export type Vec3 = [number, number, number];
export type Axis = 0 | 1 | 2;

export interface VolumeGeometry {
  /** Voxel counts along index axes i, j, k. */
  size: Vec3;
  /** Millimetres between voxel centres along each index axis. */
  spacing: Vec3;
  /** World position (LPS, mm) of the centre of voxel (0, 0, 0). */
  origin: Vec3;
  /** Three unit axis vectors, axis after axis (see file header). */
  direction: [number, number, number, number, number, number, number, number, number];
}

export const IDENTITY_DIRECTION: VolumeGeometry['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function voxelCount(g: Pick<VolumeGeometry, 'size'>): number {
  return g.size[0] * g.size[1] * g.size[2];
}

export function axisVector(g: VolumeGeometry, a: Axis): Vec3 {
  const d = g.direction;
  return [d[3 * a]!, d[3 * a + 1]!, d[3 * a + 2]!];
}

export function indexToWorld(g: VolumeGeometry, ijk: Vec3): Vec3 {
  const out: Vec3 = [g.origin[0], g.origin[1], g.origin[2]];
  for (let a = 0 as Axis; a < 3; a = (a + 1) as Axis) {
    const v = axisVector(g, a);
    const s = ijk[a] * g.spacing[a];
    out[0] += s * v[0];
    out[1] += s * v[1];
    out[2] += s * v[2];
  }
  return out;
}

/** Continuous index of a world point (inverse of indexToWorld for orthonormal directions). */
export function worldToIndex(g: VolumeGeometry, world: Vec3): Vec3 {
  const rel: Vec3 = [world[0] - g.origin[0], world[1] - g.origin[1], world[2] - g.origin[2]];
  const out: Vec3 = [0, 0, 0];
  for (let a = 0 as Axis; a < 3; a = (a + 1) as Axis) {
    const v = axisVector(g, a);
    out[a] = (rel[0] * v[0] + rel[1] * v[1] + rel[2] * v[2]) / g.spacing[a];
  }
  return out;
}

const LPS_POS = ['L', 'P', 'S'] as const;
const LPS_NEG = ['R', 'A', 'I'] as const;

/** ITK-style "pointing-to" orientation code of the index axes, e.g. 'LPS' (identity) or 'PIR'. */
export function orientationCode(g: VolumeGeometry): string {
  let code = '';
  for (let a = 0 as Axis; a < 3; a = (a + 1) as Axis) {
    const v = axisVector(g, a);
    let best = 0;
    for (let c = 1; c < 3; c++) if (Math.abs(v[c]!) > Math.abs(v[best]!)) best = c;
    code += (v[best]! >= 0 ? LPS_POS : LPS_NEG)[best];
  }
  return code;
}

/** True when two grids place every voxel at the same world position (within `tolMm` at the far corner). */
export function sameGrid(a: VolumeGeometry, b: VolumeGeometry, tolMm = 1e-3): boolean {
  if (a.size.some((n, i) => n !== b.size[i])) return false;
  const corners: Vec3[] = [
    [0, 0, 0],
    [a.size[0] - 1, a.size[1] - 1, a.size[2] - 1],
  ];
  for (const c of corners) {
    const pa = indexToWorld(a, c);
    const pb = indexToWorld(b, c);
    if (Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]) > tolMm) return false;
  }
  return a.direction.every((v, i) => Math.abs(v - b.direction[i]!) < 1e-4);
}
