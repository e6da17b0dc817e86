// Adjudication's label edit (issue 16): "label L := the source's L" as a diff of the live volume, computed from the
// live labels and the source's labels of the same grid. The rule (the same one main checks before it commits an
// edit with tool 'adjudicate'): a voxel the source labels L becomes L; a voxel labelled L here that the source does
// not label L becomes background (0); no other voxel changes. Locked labels refuse it by name, like the QA fixes.
// Pure: neither volume is written.
import { emptyDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { isKnownLabel, labelInfo } from '../../common/labels.js';

export type TakeLabelResult = { ok: true; diff: VoxelDiff } | { ok: false; label: number; message: string };

const nameOf = (v: number): string => (isKnownLabel(v) ? `${v} (${labelInfo(v).name})` : String(v));

/**
 * The diff making label `label` of `current` exactly the `label` region of `source` (rule above), indices
 * ascending; empty when they already agree. Refused when `label` is locked or when a voxel of another locked label
 * would become `label`. Throws RangeError on volumes of different lengths or a label outside 1–255.
 */
export function takeLabelDiff(current: Uint8Array, source: Uint8Array, label: number, locked: ReadonlySet<number> = new Set()): TakeLabelResult {
  if (current.length !== source.length) throw new RangeError(`label volumes differ in length (${current.length} and ${source.length} voxels)`);
  if (!Number.isInteger(label) || label < 1 || label > 255) throw new RangeError(`label ${label} is not a label value 1–255`);
  // First pass: count the voxels that change and find locked labels overwritten.
  let changed = 0;
  const overwritten = new Uint32Array(256);
  for (let i = 0; i < current.length; i++) {
    const c = current[i]!;
    const s = source[i]!;
    if (s === label) {
      if (c !== label) {
        changed++;
        overwritten[c]!++;
      }
    } else if (c === label) changed++;
  }
  if (changed === 0) return { ok: true, diff: emptyDiff() };
  if (locked.has(label)) return { ok: false, label, message: `Label ${nameOf(label)} is locked: unlock it to take it from another reader` };
  for (let v = 1; v < 256; v++) {
    if (overwritten[v] && locked.has(v)) {
      return { ok: false, label: v, message: `Label ${nameOf(v)} is locked: taking ${nameOf(label)} would overwrite ${overwritten[v]} of its voxels` };
    }
  }
  const diff: VoxelDiff = { indices: new Uint32Array(changed), before: new Uint8Array(changed), after: new Uint8Array(changed) };
  let d = 0;
  for (let i = 0; i < current.length; i++) {
    const c = current[i]!;
    const s = source[i]!;
    const next = s === label ? label : c === label ? 0 : c;
    if (next === c) continue;
    diff.indices[d] = i;
    diff.before[d] = c;
    diff.after[d] = next;
    d++;
  }
  return { ok: true, diff };
}

/** True when the `label` regions of both volumes are the same voxels. */
export function sameLabelRegion(current: Uint8Array, source: Uint8Array, label: number): boolean {
  if (current.length !== source.length) return false;
  for (let i = 0; i < current.length; i++) if ((current[i] === label) !== (source[i] === label)) return false;
  return true;
}
