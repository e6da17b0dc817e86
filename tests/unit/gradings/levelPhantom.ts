// A box phantom of a lumbar segment with known geometry (world LPS, mm), rasterised onto either SPIDER on-disk
// orientation: identity (LPS: i = L, j = P, k = S) or PIR (i = P, j = I, k = R). Vertebrae 1..4 are boxes
// VERT_H tall and VERT_D deep, discs 201..204 fill DISC_H between them, the canal (100) runs CANAL_AP behind the
// bodies. Vertebra `slipLevel` (and everything above it) is moved forward by `slipMm`. Image intensities per
// structure are known: vertebra 300, disc 600, canal 1000, background 0.
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { indexToWorld } from '../../../common/geometry.js';

export const VERT_H = 24;
export const VERT_D = 32;
export const DISC_H = [0, 9, 8, 7, 6] as const; // index = disc k (201..204)
export const CANAL_AP = 14;
export const HALF_WIDTH = 14;
export const INTENSITY = { vertebra: 300, disc: 600, canal: 1000 } as const;

export interface PhantomOptions {
  orientation: 'LPS' | 'PIR';
  /** Vertebra whose body and all above move forward (anterior, −y) by slipMm. */
  slipLevel?: number;
  slipMm?: number;
  /** Spacing [left–right, antero-posterior, superior–inferior], mm. */
  spacing?: Vec3;
}

export interface Phantom {
  geometry: VolumeGeometry;
  labels: Uint8Array;
  image: Int16Array;
  /** World z (mm) of the bottom of vertebra n (index n). */
  bottom: number[];
  /** Voxel offset of a world point's nearest voxel. */
  offsetOf: (p: Vec3) => number;
}

export function makePhantom(opts: PhantomOptions): Phantom {
  const [sx, sy, sz] = opts.spacing ?? [3, 0.5, 0.5];
  const nx = 9;
  const ny = 140;
  const nz = 300;
  const x0 = -((nx - 1) * sx) / 2;
  const y0 = -20;
  const z0 = -10;
  const geometry: VolumeGeometry =
    opts.orientation === 'LPS'
      ? { size: [nx, ny, nz], spacing: [sx, sy, sz], origin: [x0, y0, z0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
      : {
          size: [ny, nz, nx],
          spacing: [sy, sz, sx],
          origin: [-x0, y0, z0 + (nz - 1) * sz],
          direction: [0, 1, 0, 0, 0, -1, -1, 0, 0],
        };
  // Vertebra n bottom z: stacked from z = 0 with the discs between (disc n below vertebra n).
  const bottom: number[] = [0];
  let z = 0;
  for (let n = 1; n <= 4; n++) {
    z += DISC_H[n]!;
    bottom[n] = z;
    z += VERT_H;
  }
  const shift = (n: number): number => (opts.slipLevel !== undefined && n >= opts.slipLevel ? -(opts.slipMm ?? 0) : 0);
  const labelAt = (p: Vec3): number => {
    const [x, y, zz] = p;
    if (Math.abs(x) > HALF_WIDTH) return 0;
    for (let n = 1; n <= 4; n++) {
      const b = bottom[n]!;
      const y1 = shift(n);
      if (zz >= b && zz < b + VERT_H && y >= y1 && y < y1 + VERT_D) return n;
      // Disc n below vertebra n, following the vertebra below it (vertebra n−1; the level's lower vertebra).
      const yl = shift(n - 1);
      if (zz >= b - DISC_H[n]! && zz < b && y >= yl && y < yl + VERT_D) return 200 + n;
    }
    if (Math.abs(x) <= 6 && y >= VERT_D + 2 && y < VERT_D + 2 + CANAL_AP && zz >= -5 && zz < 140) return 100;
    return 0;
  };
  const [n0, n1, n2] = geometry.size;
  const labels = new Uint8Array(n0 * n1 * n2);
  const image = new Int16Array(n0 * n1 * n2);
  let v = 0;
  for (let k = 0; k < n2; k++) {
    for (let j = 0; j < n1; j++) {
      for (let i = 0; i < n0; i++, v++) {
        const l = labelAt(indexToWorld(geometry, [i, j, k]));
        labels[v] = l;
        image[v] = l === 0 ? 0 : l === 100 ? INTENSITY.canal : l > 200 ? INTENSITY.disc : INTENSITY.vertebra;
      }
    }
  }
  const offsetOf = (p: Vec3): number => {
    // Inverse of indexToWorld for the two permutation grids.
    const rel: Vec3 = [p[0] - geometry.origin[0], p[1] - geometry.origin[1], p[2] - geometry.origin[2]];
    const d = geometry.direction;
    const idx = [0, 1, 2].map((a) => Math.round((rel[0] * d[3 * a]! + rel[1] * d[3 * a + 1]! + rel[2] * d[3 * a + 2]!) / geometry.spacing[a as 0 | 1 | 2]));
    return idx[0]! + n0 * (idx[1]! + n1 * idx[2]!);
  };
  return { geometry, labels, image, bottom, offsetOf };
}

/** Paints an 81-voxel 9×9 stroke of `label` in the mid-sagittal plane (x = 0) with its corner at world (y, z). */
export function paintStroke(ph: Phantom, label: number, y: number, z: number, step = 0.5): number {
  const done = new Set<number>();
  for (let a = 0; a < 9; a++) for (let b = 0; b < 9; b++) done.add(ph.offsetOf([0, y + a * step, z + b * step]));
  for (const o of done) ph.labels[o] = label;
  return done.size;
}
