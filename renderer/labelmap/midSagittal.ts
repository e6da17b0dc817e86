// The mid-sagittal slice of a series: the sagittal index plane through the centre of the spinal canal (label 100),
// either over the whole canal or at one disc level (the canal voxels within the disc's superior-inferior extent).
// Grading starts there: Pfirrmann and Modic are read on the mid-sagittal slice. Pure: no DOM, no vtk.js.
import { axisVector, type Axis, type VolumeGeometry } from '../../common/geometry.js';
import { CANAL_LABEL } from '../../common/labels.js';

export interface MidSagittal {
  /** Index axis whose planes are sagittal (the one nearest to world left-right). */
  sliceAxis: Axis;
  /** Slice index through the canal's centre (the rounded mean below), file index order. */
  slice: number;
  /** Mean canal index along `sliceAxis` (continuous). */
  exact: number;
  /** Canal voxels averaged. */
  voxels: number;
  /** 'level': only canal voxels within the disc's superior-inferior extent; 'canal': the whole canal. */
  scope: 'level' | 'canal';
}

export interface MidSagittalOptions {
  /** Mask value of a disc (201..225): the canal is taken at this level only. Absent or empty disc: whole canal. */
  disc?: number;
  /** Widens the disc's superior-inferior band on both sides (mm, default 0; at least half a voxel is always added). */
  marginMm?: number;
}

/** The index axis nearest to world left-right (LPS x): the sagittal slicing axis. */
export function sagittalAxis(g: VolumeGeometry): Axis {
  let best: Axis = 0;
  for (const a of [1, 2] as const) if (Math.abs(axisVector(g, a)[0]) > Math.abs(axisVector(g, best)[0])) best = a;
  return best;
}

/**
 * The sagittal slice through the canal's centre, or null when the mask holds no canal voxel. With `disc`, only the
 * canal voxels whose centre lies within the disc's superior-inferior extent (world z of its voxel centres, widened
 * by half the largest voxel step along z plus `marginMm`) count; when the disc is absent or no canal voxel lies in
 * its band, the whole canal is used (scope 'canal'). Throws a RangeError when `labels` does not fit the grid.
 */
export function midSagittal(labels: Uint8Array, g: VolumeGeometry, opts: MidSagittalOptions = {}): MidSagittal | null {
  const [nx, ny, nz] = g.size;
  if (labels.length !== nx * ny * nz) {
    throw new RangeError(`midSagittal: label volume has ${labels.length} voxels, its grid ${nx}×${ny}×${nz} needs ${nx * ny * nz}`);
  }
  const axis = sagittalAxis(g);
  // World z (superior) of a voxel centre = z0 + i*dz[0] + j*dz[1] + k*dz[2].
  const dz = [0, 1, 2].map((a) => g.spacing[a]! * axisVector(g, a as Axis)[2]) as [number, number, number];
  const z0 = g.origin[2];

  let band: [number, number] | null = null;
  if (opts.disc !== undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    let p = 0;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        const zRow = z0 + j * dz[1] + k * dz[2];
        for (let i = 0; i < nx; i++, p++) {
          if (labels[p] !== opts.disc) continue;
          const z = zRow + i * dz[0];
          if (z < lo) lo = z;
          if (z > hi) hi = z;
        }
      }
    }
    if (lo <= hi) {
      const pad = Math.max(...dz.map(Math.abs)) / 2 + Math.max(0, opts.marginMm ?? 0);
      band = [lo - pad, hi + pad];
    }
  }

  const mean = (b: [number, number] | null): { sum: number; n: number } => {
    let sum = 0;
    let n = 0;
    let p = 0;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        const zRow = z0 + j * dz[1] + k * dz[2];
        for (let i = 0; i < nx; i++, p++) {
          if (labels[p] !== CANAL_LABEL) continue;
          if (b) {
            const z = zRow + i * dz[0];
            if (z < b[0] || z > b[1]) continue;
          }
          sum += axis === 0 ? i : axis === 1 ? j : k;
          n++;
        }
      }
    }
    return { sum, n };
  };

  let scope: MidSagittal['scope'] = band ? 'level' : 'canal';
  let m = mean(band);
  if (m.n === 0 && band) {
    scope = 'canal';
    m = mean(null);
  }
  if (m.n === 0) return null;
  const exact = m.sum / m.n;
  return { sliceAxis: axis, slice: Math.round(exact), exact, voxels: m.n, scope };
}
