// Which patients and series a sample dataset holds, on which grids, in which pixel types and orientation
// conventions (DATASET.md §4.3: group A = identity/LPS int16 normalised to -1000..3096; group B = PIR raw uint16).
import type { VolumeGeometry } from '../../../common/geometry.js';
import type { PixelType } from '../mha/index.js';
import type { Anatomy, Contrast } from './phantom.js';

export type Profile = 'tiny' | 'realistic';
export type OrientationGroup = 'A' | 'B';

export interface GridTemplate {
  /** Voxel counts and spacing (mm) along left-right (slice axis), anterior-posterior and superior-inferior. */
  lr: [count: number, spacing: number];
  ap: [count: number, spacing: number];
  si: [count: number, spacing: number];
}

export interface SeriesTemplate {
  suffix: 't1' | 't2' | 't2_SPACE';
  contrast: Contrast;
  group: OrientationGroup;
  pixelType: PixelType;
  grid: GridTemplate;
  /** Overview scanner profile key. */
  scanner: ScannerKey;
}

export type ScannerKey = 'ingenia3' | 'avanto15' | 'skyra3';

const TINY = {
  tse: { lr: [13, 4.0], ap: [96, 2.1], si: [144, 2.1] },
  space: { lr: [30, 1.7], ap: [112, 1.8], si: [160, 1.9] },
  fine: { lr: [11, 4.4], ap: [112, 1.8], si: [160, 1.9] },
} satisfies Record<string, GridTemplate>;

const REALISTIC = {
  tse: { lr: [17, 3.3], ap: [512, 0.586], si: [512, 0.586] },
  space: { lr: [120, 0.9], ap: [640, 0.469], si: [512, 0.469] },
  fine: { lr: [15, 4.4], ap: [896, 0.3125], si: [896, 0.3125] },
} satisfies Record<string, GridTemplate>;

/**
 * Series of the patient at position p (0-based). The first three patients together hold every variant the
 * workstation must handle: both orientation groups, int16 / uint16 / float32 images, t1 / t2 / t2_SPACE.
 */
export function seriesPlan(p: number, profile: Profile): SeriesTemplate[] {
  const g = profile === 'tiny' ? TINY : REALISTIC;
  const t1 = (pixelType: PixelType = 'int16', grid: GridTemplate = g.tse, scanner: ScannerKey = 'ingenia3'): SeriesTemplate =>
    ({ suffix: 't1', contrast: 't1', group: 'A', pixelType, grid, scanner });
  const t2 = (pixelType: PixelType = 'int16', grid: GridTemplate = g.tse, scanner: ScannerKey = 'ingenia3'): SeriesTemplate =>
    ({ suffix: 't2', contrast: 't2', group: 'A', pixelType, grid, scanner });
  const t2B: SeriesTemplate = { suffix: 't2', contrast: 't2', group: 'B', pixelType: 'uint16', grid: g.tse, scanner: 'avanto15' };
  const space: SeriesTemplate = { suffix: 't2_SPACE', contrast: 't2', group: 'B', pixelType: 'uint16', grid: g.space, scanner: 'avanto15' };
  switch (p) {
    case 0: return [t1(), t2(), space];
    case 1: return [t1('float32', g.tse, 'avanto15'), t2B];
    case 2: return [t1(), t2()];
    default: {
      const cycle: SeriesTemplate[][] = [
        [t1('int16', g.fine, 'skyra3'), t2('int16', g.fine, 'skyra3')],
        [t2()],
        [t1('int16', g.tse, 'avanto15'), t2('int16', g.tse, 'avanto15'), space],
        [t1(), t2()],
      ];
      return cycle[(p - 3) % cycle.length]!;
    }
  }
}

const PIR_DIRECTION: VolumeGeometry['direction'] = [0, 1, 0, 0, 0, -1, -1, 0, 0];

/** The grid of a series: centred on the patient's field of view, in the orientation convention of its group. */
export function seriesGeometry(a: Anatomy, t: SeriesTemplate): VolumeGeometry {
  const cx = (a.fov.x[0] + a.fov.x[1]) / 2;
  const cy = (a.fov.y[0] + a.fov.y[1]) / 2;
  const cz = (a.fov.z[0] + a.fov.z[1]) / 2;
  const [nlr, slr] = t.grid.lr;
  const [nap, sap] = t.grid.ap;
  const [nsi, ssi] = t.grid.si;
  const half = (n: number, s: number): number => ((n - 1) * s) / 2;
  if (t.group === 'A') {
    // Identity: i = L (slice axis), j = P, k = S.
    return {
      size: [nlr, nap, nsi],
      spacing: [slr, sap, ssi],
      origin: [cx - half(nlr, slr), cy - half(nap, sap), cz - half(nsi, ssi)],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    };
  }
  // PIR: i = P, j = I (row 0 superior), k = R (slice axis).
  return {
    size: [nap, nsi, nlr],
    spacing: [sap, ssi, slr],
    origin: [cx + half(nlr, slr), cy - half(nap, sap), cz + half(nsi, ssi)],
    direction: PIR_DIRECTION,
  };
}
