// Whole-volume label operations (relabel, swap, level shift) as value maps applied in one pass. Each writes
// into the volume and returns the diff, or refuses with a typed reason and writes nothing.
import { emptyDiff, type VoxelDiff } from '../../common/labelDiff.js';
import {
  DISC_OFFSET, isDisc, isPartialVertebra, isVertebra, labelInfo, isKnownLabel, MAX_VERTEBRA_INDEX, PARTIAL_VERTEBRA_OFFSET,
  type LabelValue,
} from '../../common/labels.js';
import { labelCounts } from './counts.js';
import { assertLabelValue, assertVolume, type LabelmapVolume } from './volume.js';

/** Why a label operation refused to run. */
export type LabelOpRefusal =
  /** A label whose voxels would change is locked. */
  | 'locked'
  /** A level shift would move a label out of its range (vertebra 1..25, partial 101..125, disc 201..225). */
  | 'out-of-range'
  /** The operation makes no sense for this label (e.g. islands of background). */
  | 'invalid-label';

export type LabelOpResult =
  | { ok: true; diff: VoxelDiff }
  | { ok: false; reason: LabelOpRefusal; /** The label that caused the refusal. */ label: LabelValue; message: string };

export interface LabelOpOptions {
  /** Labels whose voxels must not change: an operation that would change them is refused. */
  locked?: ReadonlySet<LabelValue>;
}

function nameOf(v: LabelValue): string {
  return isKnownLabel(v) ? `${v} (${labelInfo(v).name})` : String(v);
}

/** The refusal of an operation that would change the voxels of locked `label`. */
export function refuseLocked(label: LabelValue): Extract<LabelOpResult, { ok: false }> {
  return { ok: false, reason: 'locked', label, message: `Label ${nameOf(label)} is locked` };
}

/** Identity value map: map[v] = v for the 256 label values. */
export function identityValueMap(): Uint8Array {
  const map = new Uint8Array(256);
  for (let v = 0; v < 256; v++) map[v] = v;
  return map;
}

/**
 * The diff of value map `map` (map[v] = new value of label v, 256 entries) over `labels`: every voxel whose value
 * the map changes, indices ascending. `labels` is not written. `counts` (labelCounts of `labels`) saves a pass.
 * Shared by the label operations below and the one-click QA fixes (renderer/qa), which only compute the diff.
 */
export function valueMapDiff(labels: Uint8Array, map: Uint8Array, counts?: Uint32Array): VoxelDiff {
  if (map.length !== 256) throw new RangeError(`value map has ${map.length} entries, not 256`);
  const present = counts ?? labelCounts(labels);
  let changed = 0;
  for (let v = 0; v < 256; v++) if (map[v] !== v) changed += present[v]!;
  if (changed === 0) return emptyDiff();
  const diff: VoxelDiff = { indices: new Uint32Array(changed), before: new Uint8Array(changed), after: new Uint8Array(changed) };
  let d = 0;
  for (let voxelIndex = 0; voxelIndex < labels.length; voxelIndex++) {
    const old = labels[voxelIndex]!;
    const now = map[old]!;
    if (now === old) continue;
    diff.indices[d] = voxelIndex;
    diff.before[d] = old;
    diff.after[d] = now;
    d++;
  }
  if (d !== changed) throw new RangeError(`label counts disagree with the volume (${changed} voxels counted, ${d} found)`);
  return diff;
}

/**
 * Refuses when a label that is present in the volume, locked, and changed by `map` exists; otherwise applies
 * `map` to every voxel (valueMapDiff, then its changed voxels written) and returns the diff.
 */
function applyValueMap(vol: LabelmapVolume, map: Uint8Array, opts: LabelOpOptions, counts?: Uint32Array): LabelOpResult {
  const present = counts ?? labelCounts(vol.labels);
  for (let v = 0; v < 256; v++) {
    if (map[v] !== v && present[v] !== 0 && opts.locked?.has(v)) return refuseLocked(v);
  }
  const diff = valueMapDiff(vol.labels, map, present);
  const labels = vol.labels;
  for (let d = 0; d < diff.indices.length; d++) labels[diff.indices[d]!] = diff.after[d]!;
  return { ok: true, diff };
}

/** Every voxel of label `from` becomes `to` (merging into `to` if it exists). Refused if `from` is locked. */
export function relabel(vol: LabelmapVolume, from: LabelValue, to: LabelValue, opts: LabelOpOptions = {}): LabelOpResult {
  assertVolume(vol);
  assertLabelValue(from, 'from');
  assertLabelValue(to, 'to');
  const map = identityValueMap();
  map[from] = to;
  return applyValueMap(vol, map, opts);
}

/** Labels `a` and `b` trade voxels. Refused if either is present and locked. */
export function swapLabels(vol: LabelmapVolume, a: LabelValue, b: LabelValue, opts: LabelOpOptions = {}): LabelOpResult {
  assertVolume(vol);
  assertLabelValue(a, 'a');
  assertLabelValue(b, 'b');
  const map = identityValueMap();
  map[a] = b;
  map[b] = a;
  return applyValueMap(vol, map, opts);
}

/**
 * Renumbers every level by `delta` (the usual numbering fix): vertebra n → n + delta, partial vertebra
 * 100 + n → 100 + n + delta, disc 200 + n → 200 + n + delta. Canal, background and values outside the
 * convention stay. Refused ('out-of-range') when a present label would leave its range, e.g. shifting down
 * while label 1 (L5) exists, and ('locked') when a present label that would move is locked.
 */
export function shiftLevels(vol: LabelmapVolume, delta: 1 | -1, opts: LabelOpOptions = {}): LabelOpResult {
  assertVolume(vol);
  const counts = labelCounts(vol.labels);
  const map = identityValueMap();
  for (let v = 0; v < 256; v++) {
    const offset = isVertebra(v) ? 0 : isPartialVertebra(v) ? PARTIAL_VERTEBRA_OFFSET : isDisc(v) ? DISC_OFFSET : -1;
    if (offset < 0) continue;
    const n = v - offset + delta;
    if (n < 1 || n > MAX_VERTEBRA_INDEX) {
      if (counts[v] === 0) continue;
      const direction = delta > 0 ? 'up' : 'down';
      return { ok: false, reason: 'out-of-range', label: v, message: `Cannot shift levels ${direction}: label ${nameOf(v)} has no level ${direction === 'up' ? 'above' : 'below'}` };
    }
    map[v] = offset + n;
  }
  return applyValueMap(vol, map, opts, counts);
}
