// The spine axis and the spine curve of one series, in world coordinates (LPS, mm), from the vertebra centroids:
// independent of how the volume's axes are stored (identity/LPS or PIR), so both conventions give the same checks.
import type { Vec3 } from '../../../common/geometry.js';

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

export { principalAxis } from '../../../common/spineAxis.js';

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
