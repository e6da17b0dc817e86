// The spine axis and the spine curve of one series, in world coordinates (LPS, mm), from the vertebra centroids:
// independent of how the volume's axes are stored (identity/LPS or PIR), so both conventions give the same checks.
import type { Vec3 } from '../../../common/geometry.js';

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

/**
 * Principal direction of `points` (power iteration on the 3×3 covariance), pointing superior (+z in LPS).
 * Fewer than two points, or points that do not spread: the world's inferior-superior axis.
 */
export function principalAxis(points: readonly Vec3[]): Vec3 {
  const up: Vec3 = [0, 0, 1];
  if (points.length < 2) return up;
  const m: Vec3 = [0, 0, 0];
  for (const p of points) for (const a of [0, 1, 2] as const) m[a] += p[a] / points.length;
  const c = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (const p of points) {
    const d = sub(p, m);
    for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) c[3 * r + s]! += d[r]! * d[s]!;
  }
  if (c[0]! + c[4]! + c[8]! < 1e-9) return up;
  let v: Vec3 = [0.01, 0.02, 1];
  for (let it = 0; it < 100; it++) {
    const w: Vec3 = [
      c[0]! * v[0] + c[1]! * v[1] + c[2]! * v[2],
      c[3]! * v[0] + c[4]! * v[1] + c[5]! * v[2],
      c[6]! * v[0] + c[7]! * v[1] + c[8]! * v[2],
    ];
    const n = Math.hypot(...w);
    if (n === 0) return up;
    v = [w[0] / n, w[1] / n, w[2] / n];
  }
  return dot(v, up) < 0 ? [-v[0], -v[1], -v[2]] : v;
}

/** Position of `p` along `axis`, mm. */
export const along = (p: Vec3, axis: Vec3): number => dot(p, axis);

/** Distance (mm) from `p` to the polyline through `curve` (points sorted along the spine); ends extended by `reach` mm. */
export function distanceToCurve(p: Vec3, curve: readonly Vec3[], axis: Vec3, reach = 0): number {
  if (curve.length === 0) return 0;
  const pts: Vec3[] = [...curve];
  if (reach > 0) {
    const first = pts[0]!, last = pts[pts.length - 1]!;
    pts.unshift([first[0] - axis[0] * reach, first[1] - axis[1] * reach, first[2] - axis[2] * reach]);
    pts.push([last[0] + axis[0] * reach, last[1] + axis[1] * reach, last[2] + axis[2] * reach]);
  }
  if (pts.length === 1) return Math.hypot(...sub(p, pts[0]!));
  let best = Infinity;
  for (let s = 0; s + 1 < pts.length; s++) {
    const a = pts[s]!, b = pts[s + 1]!;
    const ab = sub(b, a);
    const len2 = dot(ab, ab);
    const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, dot(sub(p, a), ab) / len2));
    const q: Vec3 = [a[0] + ab[0] * t, a[1] + ab[1] * t, a[2] + ab[2] * t];
    best = Math.min(best, Math.hypot(...sub(p, q)));
  }
  return best;
}
