// The nucleus/CSF T2 signal ratio of the level measures (levelMeasures.ts) in two steps, so that the image never
// has to be in memory whole. The label pass records a plan: for every level, the voxels of its nucleus core and of
// its CSF region (in the order the sums are taken) and the sagittal slice each lies in. A sampler then takes the
// image in consecutive pieces (the loaded volume as one piece, or a file streamed by readMetaImageChunks while it
// inflates), keeping only each planned slice's minimum and the planned voxels' values. The sums are taken at the
// end in the recorded order, so the streamed ratio equals the in-memory one bit for bit whatever the piece sizes.
import type { LevelMeasure } from '../../../common/contractLevelMeasures.js';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { readMetaImageChunks, type PixelArray } from '../mha/index.js';

/** Image voxels in any numeric pixel type, on the label grid. */
export type ImageVoxels = ArrayLike<number>;

/** Voxels whose signal is summed per level; built by the label pass (levelMeasures.ts). */
export interface SignalPlan {
  /** Voxels of the volume (for the length check). */
  voxels: number;
  /** Index stride and size of the left–right axis: voxel v lies in sagittal slice ⌊v / lrStride⌋ mod lrSize. */
  lrStride: number;
  lrSize: number;
  /** Per level (same order as the measured levels): its nucleus and CSF voxels with their slices, in sum order. */
  levels: { nucleus: number[]; nucleusSlice: number[]; csf: number[]; csfSlice: number[] }[];
}

export const emptyLevelSignal = (): SignalPlan['levels'][number] => ({ nucleus: [], nucleusSlice: [], csf: [], csfSlice: [] });

/** True when the plan has any voxel to sample (else the image need not be read at all). */
export const planNeedsImage = (p: SignalPlan): boolean => p.levels.some((l) => l.nucleus.length > 0 && l.csf.length > 0);

export interface SignalSampler {
  /** The next piece of the image: `data[0]` is voxel `first`; pieces must come in order and cover the volume. */
  add: (data: ArrayLike<number>, first: number) => void;
  /** Per level the ratio (null when a region is empty or the CSF has no signal); throws if voxels are missing. */
  finish: () => (number | null)[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function signalSampler(plan: SignalPlan): SignalSampler {
  // Every planned voxel once, in volume order, and where each level's entries point in that list.
  const all = new Set<number>();
  for (const l of plan.levels) for (const v of [...l.nucleus, ...l.csf]) all.add(v);
  const offsets = Float64Array.from(all).sort();
  const slot = new Map<number, number>();
  offsets.forEach((v, i) => slot.set(v, i));
  const values = new Float64Array(offsets.length);
  const { lrStride: s, lrSize: n } = plan;
  const slices = [...new Set(plan.levels.flatMap((l) => [...l.nucleusSlice, ...l.csfSlice]))].sort((a, b) => a - b);
  const mins = new Float64Array(n).fill(Infinity);
  let next = 0; // first voxel of the next piece
  let p = 0; // next planned voxel to pick
  const cycle = s * n;
  return {
    add: (data, first) => {
      if (first !== next) throw new RangeError(`image piece at voxel ${first}, expected ${next}`);
      const end = first + data.length;
      if (end > plan.voxels) throw new RangeError(`image has more than ${plan.voxels} voxels`);
      // Minimum of each planned sagittal slice: its voxels form runs of lrStride, one run per cycle of lrSize runs.
      for (let b = Math.floor(first / cycle) * cycle; b < end; b += cycle) {
        for (const L of slices) {
          const lo = Math.max(first, b + L * s) - first;
          const hi = Math.min(end, b + (L + 1) * s) - first;
          if (lo >= hi) continue;
          let m = mins[L]!;
          for (let v = lo; v < hi; v++) {
            const x = data[v]!;
            if (x < m) m = x;
          }
          mins[L] = m;
        }
      }
      while (p < offsets.length && offsets[p]! < end) {
        values[p] = data[offsets[p]! - first]!;
        p++;
      }
      next = end;
    },
    finish: () => {
      if (next !== plan.voxels) throw new RangeError(`image ended at voxel ${next} of ${plan.voxels}`);
      return plan.levels.map((l) => {
        let nucleus = 0;
        let csf = 0;
        for (let i = 0; i < l.nucleus.length; i++) nucleus += values[slot.get(l.nucleus[i]!)!]! - mins[l.nucleusSlice[i]!]!;
        for (let i = 0; i < l.csf.length; i++) csf += values[slot.get(l.csf[i]!)!]! - mins[l.csfSlice[i]!]!;
        const nn = l.nucleus.length;
        const nc = l.csf.length;
        if (!(nn > 0 && nc > 0 && csf > 0)) return null;
        const r = round3(nucleus / nn / (csf / nc));
        return Number.isFinite(r) ? r : null;
      });
    },
  };
}

/** Puts the sampled ratios into the measured levels (a level without one says why). */
export function applySignal(levels: LevelMeasure[], ratios: (number | null)[]): void {
  levels.forEach((l, i) => {
    const r = ratios[i] ?? null;
    l.signalRatio = r;
    if (r === null) l.notes.push('no nucleus/CSF signal (disc core or canal missing)');
  });
}

/** Samples an image held in memory (one piece). */
export function sampleInMemory(plan: SignalPlan, image: ImageVoxels): (number | null)[] {
  const s = signalSampler(plan);
  s.add(image, 0);
  return s.finish();
}

/** Why an image file cannot give the signal (the note's text); `cause` is the reader's error, if any. */
export class SignalUnavailable extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SignalUnavailable';
  }
}

/**
 * Samples an image file while it streams (readMetaImageChunks: same checks and MetaImageErrors as readMetaImage,
 * never the whole volume in memory). `name` is the file as the dataset names it. Rejects with SignalUnavailable
 * naming the file when it cannot be read to its end or no longer lies on `grid`; a partial read is never used.
 */
export async function sampleFile(plan: SignalPlan, file: string, name: string, grid: VolumeGeometry, opts: { within?: string; chunkBytes?: number } = {}): Promise<(number | null)[]> {
  const s = signalSampler(plan);
  try {
    await readMetaImageChunks(
      file,
      (header) => {
        if (header.geometry.size.some((x, i) => x !== grid.size[i])) throw new SignalUnavailable(`${name} changed since the scan`);
        return (data: PixelArray, first: number) => s.add(data, first);
      },
      opts,
    );
    return s.finish();
  } catch (err) {
    if (err instanceof SignalUnavailable) throw err;
    throw new SignalUnavailable(`${name} cannot be read (${err instanceof Error ? err.message : String(err)})`, err);
  }
}
