// Island removal: the 6-connected 3-D components of one label, keeping the largest or dropping those below a
// size. Removed voxels become background; the diff records them.
import { emptyDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { BACKGROUND_LABEL, type LabelValue } from '../../common/labels.js';
import { refuseLocked, type LabelOpOptions, type LabelOpResult } from './labelOps.js';
import { createVisitedBits, growRegion } from './region.js';
import { assertLabelValue, assertVolume, type LabelmapVolume } from './volume.js';

/** Keep only the largest component (ties: the one first in index order), or drop components below `minVoxels`. */
export type IslandCriterion = { keep: 'largest' } | { minVoxels: number };

export type IslandsResult =
  | { ok: true; diff: VoxelDiff; /** Components of the label before removal. */ componentCount: number; removedComponentCount: number }
  | Extract<LabelOpResult, { ok: false }>;

/**
 * Removes islands of `label`: finds its 6-connected components and sets the voxels of the removed ones to 0.
 * Refused when `label` is background or is locked (and present).
 */
export function removeIslands(vol: LabelmapVolume, label: LabelValue, criterion: IslandCriterion, opts: LabelOpOptions = {}): IslandsResult {
  assertVolume(vol);
  assertLabelValue(label);
  if (label === BACKGROUND_LABEL) return { ok: false, reason: 'invalid-label', label, message: 'Background has no islands to remove' };
  if ('minVoxels' in criterion && !(criterion.minVoxels >= 0)) throw new RangeError(`minVoxels must be ≥ 0, got ${criterion.minVoxels}`);
  const labels = vol.labels;
  let total = 0;
  for (let voxelIndex = 0; voxelIndex < labels.length; voxelIndex++) if (labels[voxelIndex] === label) total++;
  if (total === 0) return { ok: true, diff: emptyDiff(), componentCount: 0, removedComponentCount: 0 };
  if (opts.locked?.has(label)) return refuseLocked(label);

  // Every component's voxels go one after the other into `members`; component c is members[starts[c] .. + sizes[c]).
  const members = new Uint32Array(total);
  const visited = createVisitedBits(labels.length);
  const starts: number[] = [];
  const sizes: number[] = [];
  const isLabel = (voxelIndex: number): boolean => labels[voxelIndex] === label;
  let filled = 0;
  for (let voxelIndex = 0; voxelIndex < labels.length && filled < total; voxelIndex++) {
    if (labels[voxelIndex] !== label || (visited[voxelIndex >>> 5]! & (1 << (voxelIndex & 31))) !== 0) continue;
    const size = growRegion(vol.size, voxelIndex, [0, 1, 2], isLabel, total, visited, members.subarray(filled));
    starts.push(filled);
    sizes.push(size);
    filled += size;
  }

  const remove = sizes.map((size) => ('minVoxels' in criterion ? size < criterion.minVoxels : false));
  if ('keep' in criterion) {
    let largest = 0;
    for (let c = 1; c < sizes.length; c++) if (sizes[c]! > sizes[largest]!) largest = c;
    remove.fill(true);
    remove[largest] = false;
  }
  let removedCount = 0;
  let removedComponentCount = 0;
  remove.forEach((r, c) => {
    if (r) {
      removedCount += sizes[c]!;
      removedComponentCount++;
    }
  });
  const indices = new Uint32Array(removedCount);
  let d = 0;
  remove.forEach((r, c) => {
    if (r) {
      indices.set(members.subarray(starts[c], starts[c]! + sizes[c]!), d);
      d += sizes[c]!;
    }
  });
  indices.sort();
  for (let e = 0; e < removedCount; e++) labels[indices[e]!] = BACKGROUND_LABEL;
  const diff: VoxelDiff = { indices, before: new Uint8Array(removedCount).fill(label), after: new Uint8Array(removedCount) };
  return { ok: true, diff, componentCount: sizes.length, removedComponentCount };
}
