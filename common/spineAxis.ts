// The spine axis of one series: the principal direction of the vertebra centroids in world coordinates (LPS, mm),
// pointing superior. Shared by the label checks (main/core/qa) and the one-click fixes (renderer/qa), which must
// agree on which way is up. Pure.
import type { Vec3 } from './geometry.js';

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
