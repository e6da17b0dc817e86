// Crafted label volumes for the QA unit tests: boxes in world space (LPS, mm) rasterised onto a grid stored in
// either on-disk convention (group A identity/LPS, i = L; group B PIR, i = P, j = I, k = R), the later box
// winning where boxes overlap. The default spine: vertebrae 1..5 (20 mm high, 30 mm apart, 1 at the bottom),
// disc 200 + n in the 10 mm gap BELOW vertebra n (201 between vertebra 1 and the unlabelled sacrum), the canal
// behind them.
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { indexToWorld } from '../../../common/geometry.js';

export type Convention = 'A' | 'B';
export interface Box {
  label: number;
  min: Vec3;
  max: Vec3;
}

export const vertebraZ = (n: number): number => n * 30;
export const vertebraBox = (n: number, label = n): Box => ({ label, min: [-15, -12, vertebraZ(n) - 10], max: [15, 12, vertebraZ(n) + 10] });
export const discBox = (n: number, label = 200 + n): Box => ({ label, min: [-12, -10, vertebraZ(n) - 20], max: [12, 10, vertebraZ(n) - 10] });
export const canalBox = (): Box => ({ label: 100, min: [-5, 16, 0], max: [5, 24, 175] });

export function spine(levels = 5): Box[] {
  const out: Box[] = [];
  for (let n = 1; n <= levels; n++) out.push(vertebraBox(n), discBox(n));
  out.push(canalBox());
  return out;
}

/** World box covered: x -30..30 (3 mm), y -40..40 (2 mm), z -6..186 (2 mm). */
export function grid(c: Convention): VolumeGeometry {
  const lr: [number, number] = [21, 3], ap: [number, number] = [41, 2], si: [number, number] = [97, 2];
  const centre: Vec3 = [0, 0, 90];
  const half = (n: number, s: number): number => ((n - 1) * s) / 2;
  if (c === 'A') {
    return {
      size: [lr[0], ap[0], si[0]],
      spacing: [lr[1], ap[1], si[1]],
      origin: [centre[0] - half(...lr), centre[1] - half(...ap), centre[2] - half(...si)],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    };
  }
  return {
    size: [ap[0], si[0], lr[0]],
    spacing: [ap[1], si[1], lr[1]],
    origin: [centre[0] + half(...lr), centre[1] - half(...ap), centre[2] + half(...si)],
    direction: [0, 1, 0, 0, 0, -1, -1, 0, 0],
  };
}

export function rasterise(c: Convention, boxes: readonly Box[]): { geometry: VolumeGeometry; data: Int16Array } {
  const g = grid(c);
  const [nx, ny, nz] = g.size;
  const data = new Int16Array(nx * ny * nz);
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        const w = indexToWorld(g, [i, j, k]);
        for (let b = boxes.length - 1; b >= 0; b--) {
          const box = boxes[b]!;
          if (w[0] >= box.min[0] && w[0] <= box.max[0] && w[1] >= box.min[1] && w[1] <= box.max[1] && w[2] >= box.min[2] && w[2] <= box.max[2]) {
            data[p] = box.label;
            break;
          }
        }
      }
    }
  }
  return { geometry: g, data };
}

/** Relabels every voxel `from` as `to`. */
export function relabel(boxes: readonly Box[], map: Record<number, number>): Box[] {
  return boxes.map((b) => ({ ...b, label: map[b.label] ?? b.label }));
}
