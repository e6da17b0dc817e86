// One-click QA fixes as voxel diffs (issue 14 item 2): computed from the live label volume, never written into it.
// The caller commits the diff through the editing session's commitPrepared (one journal entry, undoable, history
// text from `title`). Locked labels are respected: a fix that would change one is refused with a message naming it.
// Pure: no DOM, no platform.
import type { Vec3 } from '../../common/geometry.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import {
  DISC_OFFSET, isDisc, isKnownLabel, isPartialVertebra, isVertebra, labelInfo, MAX_VERTEBRA_INDEX, PARTIAL_VERTEBRA_OFFSET,
} from '../../common/labels.js';
import { identityValueMap, labelCounts, valueMapDiff } from '../labelmap/index.js';
import type { QaFix } from './decide.js';

/** The checks' split threshold (main/core/qa SPLIT_FRACTION): a part this fraction of the largest or more is no island. */
export const QA_SPLIT_FRACTION = 0.1;

export interface FixVolume {
  labels: Uint8Array;
  size: Vec3;
}

export type FixResult =
  | { ok: true; diff: VoxelDiff; /** History text (the voxel count is appended). */ title: string; tool: string; label: number }
  | { ok: false; message: string };

const nameOf = (v: number): string => (isKnownLabel(v) ? `${v} (${labelInfo(v).name})` : String(v));
const refuseLocked = (v: number): FixResult => ({ ok: false, message: `Label ${nameOf(v)} is locked: unlock it to apply this fix` });

/** The diff of `fix` on `vol`; `locked` labels must keep every voxel. */
export function buildFix(fix: QaFix, vol: FixVolume, locked: ReadonlySet<number> = new Set()): FixResult {
  if (vol.labels.length !== vol.size[0] * vol.size[1] * vol.size[2]) throw new RangeError('label volume and size disagree');
  switch (fix.kind) {
    case 'islands':
      return islands(fix.label, vol, locked);
    case 'swap':
      return swap(fix.a, fix.b, vol, locked);
    case 'shift':
      return shift(fix.from, fix.to, fix.delta, vol, locked);
  }
}

function swap(a: number, b: number, vol: FixVolume, locked: ReadonlySet<number>): FixResult {
  const counts = labelCounts(vol.labels);
  if (!counts[a] || !counts[b]) return { ok: false, message: `Swap ${nameOf(a)} ↔ ${nameOf(b)}: ${nameOf(counts[a] ? b : a)} is not in the labels any more` };
  for (const v of [a, b]) if (locked.has(v)) return refuseLocked(v);
  const map = identityValueMap();
  map[a] = b;
  map[b] = a;
  return { ok: true, diff: valueMapDiff(vol.labels, map, counts), title: `QA fix: swap ${labelInfo(a).name} ↔ ${labelInfo(b).name}`, tool: 'qaSwap', label: a };
}

/** Vertebra n, partial 100 + n and disc 200 + n for n in from..to move to n + delta; nothing else moves. */
function shift(from: number, to: number, delta: number, vol: FixVolume, locked: ReadonlySet<number>): FixResult {
  if (!Number.isInteger(delta) || delta === 0 || from > to) return { ok: false, message: 'Shift: nothing to move' };
  const counts = labelCounts(vol.labels);
  const map = identityValueMap();
  const moving = new Set<number>();
  for (let v = 0; v < 256; v++) {
    const offset = isVertebra(v) ? 0 : isPartialVertebra(v) ? PARTIAL_VERTEBRA_OFFSET : isDisc(v) ? DISC_OFFSET : -1;
    if (offset < 0 || !counts[v]) continue;
    const n = v - offset;
    if (n < from || n > to) continue;
    if (n + delta < 1 || n + delta > MAX_VERTEBRA_INDEX) return { ok: false, message: `Shift: ${nameOf(v)} has no level ${n + delta}` };
    if (locked.has(v)) return refuseLocked(v);
    map[v] = offset + n + delta;
    moving.add(v);
  }
  if (moving.size === 0) return { ok: false, message: `Shift: no level ${from}–${to} in the labels` };
  // A target that is present and stays put would merge two structures into one label.
  for (const v of moving) {
    const t = map[v]!;
    if (counts[t] && !moving.has(t)) return { ok: false, message: `Shift: ${nameOf(v)} would merge into ${nameOf(t)}, which stays` };
  }
  const dir = delta > 0 ? 'up' : 'down';
  return { ok: true, diff: valueMapDiff(vol.labels, map, counts), title: `QA fix: shift levels ${from}–${to} ${dir} by ${Math.abs(delta)}`, tool: 'qaShift', label: 0 };
}

/**
 * The 26-connected parts of `label` (the checks' connectivity) inside its bounding box: per voxel a part number
 * (0 = not the label) and each part's size.
 */
export function labelParts(label: number, vol: FixVolume): { box: { lo: Vec3; hi: Vec3 }; part: Int32Array; sizes: number[] } | null {
  const [nx, ny, nz] = vol.size;
  const L = vol.labels;
  const lo: Vec3 = [nx, ny, nz], hi: Vec3 = [-1, -1, -1];
  for (let k = 0, i = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let x = 0; x < nx; x++, i++) {
        if (L[i] !== label) continue;
        if (x < lo[0]) lo[0] = x;
        if (x > hi[0]) hi[0] = x;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
    }
  }
  if (hi[0] < 0) return null;
  const bx = hi[0] - lo[0] + 1, by = hi[1] - lo[1] + 1, bz = hi[2] - lo[2] + 1;
  const part = new Int32Array(bx * by * bz);
  const at = (x: number, y: number, z: number): number => lo[0] + x + nx * (lo[1] + y + ny * (lo[2] + z));
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let b = 0; b < part.length; b++) {
    if (part[b] !== 0) continue;
    const x0 = b % bx, y0 = Math.floor(b / bx) % by, z0 = Math.floor(b / (bx * by));
    if (L[at(x0, y0, z0)] !== label) continue;
    const id = sizes.length + 1;
    let size = 0;
    part[b] = id;
    stack.push(b);
    while (stack.length) {
      const c = stack.pop()!;
      size++;
      const x = c % bx, y = Math.floor(c / bx) % by, z = Math.floor(c / (bx * by));
      for (let dz = -1; dz <= 1; dz++) {
        const zz = z + dz;
        if (zz < 0 || zz >= bz) continue;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= by) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= bx) continue;
            const n = xx + bx * (yy + by * zz);
            if (part[n] !== 0 || L[at(xx, yy, zz)] !== label) continue;
            part[n] = id;
            stack.push(n);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { box: { lo, hi }, part, sizes };
}

/** Removes the parts of `label` under QA_SPLIT_FRACTION of its largest part (they become background). */
function islands(label: number, vol: FixVolume, locked: ReadonlySet<number>): FixResult {
  const parts = labelParts(label, vol);
  if (!parts) return { ok: false, message: `Remove islands: ${nameOf(label)} is not in the labels any more` };
  const largest = Math.max(...parts.sizes);
  const remove = parts.sizes.map((s) => s < QA_SPLIT_FRACTION * largest);
  const removed = remove.filter(Boolean).length;
  if (removed === 0) return { ok: false, message: `Remove islands: ${nameOf(label)} has no part under a tenth of its largest part` };
  if (locked.has(label)) return refuseLocked(label);
  const { lo, hi } = parts.box;
  const [nx, ny] = vol.size;
  const bx = hi[0] - lo[0] + 1, by = hi[1] - lo[1] + 1;
  const indices: number[] = [];
  for (let b = 0; b < parts.part.length; b++) {
    const id = parts.part[b]!;
    if (id === 0 || !remove[id - 1]) continue;
    const x = b % bx, y = Math.floor(b / bx) % by, z = Math.floor(b / (bx * by));
    indices.push(lo[0] + x + nx * (lo[1] + y + ny * (lo[2] + z)));
  }
  // Box order is volume order (x fastest, then y, then z), so the indices are already ascending.
  const n = indices.length;
  const diff: VoxelDiff = { indices: Uint32Array.from(indices), before: new Uint8Array(n).fill(label), after: new Uint8Array(n) };
  const what = removed === 1 ? '1 island' : `${removed} islands`;
  return { ok: true, diff, title: `QA fix: remove ${what} of ${labelInfo(label).name}`, tool: 'qaIslands', label: 0 };
}
