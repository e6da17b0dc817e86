// Label blocks and bounding boxes for the 3-D label view: which voxels a label occupies, copying a box out of the
// volume and back, and which labels differ between two blocks. Pure (no DOM, no vtk.js, no Node).
import type { Vec3 } from '../../../common/geometry.js';

/** Inclusive voxel index box: min[a] ≤ index[a] ≤ max[a]. */
export interface VoxelBox {
  min: Vec3;
  max: Vec3;
}

/** A block of a label volume: `data` holds size[0]·size[1]·size[2] voxels (x fastest) starting at volume index `offset`. */
export interface LabelBlock {
  data: Uint8Array;
  size: Vec3;
  offset: Vec3;
}

/** The whole volume as a block. */
export function wholeBlock(labels: Uint8Array, size: Vec3): LabelBlock {
  return { data: labels, size, offset: [0, 0, 0] };
}

/** Bounding box of every non-zero label in `box` of the block (default: the whole block), in volume indices. */
export function labelBoxes(block: LabelBlock, box?: VoxelBox): Map<number, VoxelBox> {
  const [nx, ny] = block.size;
  const [ox, oy, oz] = block.offset;
  const lo: Vec3 = box ? [box.min[0] - ox, box.min[1] - oy, box.min[2] - oz] : [0, 0, 0];
  const hi: Vec3 = box ? [box.max[0] - ox, box.max[1] - oy, box.max[2] - oz] : [block.size[0] - 1, block.size[1] - 1, block.size[2] - 1];
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(0, lo[a]!);
    hi[a] = Math.min(block.size[a]! - 1, hi[a]!);
  }
  // Per label: min/max i, j, k, in a flat table (no Map lookups in the loop).
  const mins = new Int32Array(256 * 3).fill(0x7fffffff);
  const maxs = new Int32Array(256 * 3).fill(-1);
  const seenRow = new Uint8Array(256);
  const rowLabels = new Uint8Array(256);
  const data = block.data;
  const i0 = lo[0], i1 = hi[0], j0 = lo[1], j1 = hi[1], k0 = lo[2], k1 = hi[2];
  for (let k = k0; k <= k1; k++) {
    for (let j = j0; j <= j1; j++) {
      const row = nx * (j + ny * k);
      let nRow = 0;
      for (let i = i0; i <= i1; i++) {
        const v = data[row + i]!;
        if (v === 0) continue;
        const b = v * 3;
        if (i < mins[b]!) mins[b] = i;
        if (i > maxs[b]!) maxs[b] = i;
        if (seenRow[v] === 0) {
          seenRow[v] = 1;
          rowLabels[nRow++] = v;
        }
      }
      for (let r = 0; r < nRow; r++) {
        const v = rowLabels[r]!;
        seenRow[v] = 0;
        const b = v * 3;
        if (j < mins[b + 1]!) mins[b + 1] = j;
        if (j > maxs[b + 1]!) maxs[b + 1] = j;
        if (k < mins[b + 2]!) mins[b + 2] = k;
        if (k > maxs[b + 2]!) maxs[b + 2] = k;
      }
    }
  }
  const out = new Map<number, VoxelBox>();
  for (let v = 1; v < 256; v++) {
    const b = v * 3;
    if (maxs[b]! < 0) continue;
    out.set(v, { min: [mins[b]! + ox, mins[b + 1]! + oy, mins[b + 2]! + oz], max: [maxs[b]! + ox, maxs[b + 1]! + oy, maxs[b + 2]! + oz] });
  }
  return out;
}

/** Smallest box holding both (either may be null). */
export function unionBox(a: VoxelBox | null | undefined, b: VoxelBox | null | undefined): VoxelBox | null {
  if (!a) return b ? { min: [...b.min], max: [...b.max] } : null;
  if (!b) return { min: [...a.min], max: [...a.max] };
  return {
    min: [Math.min(a.min[0], b.min[0]), Math.min(a.min[1], b.min[1]), Math.min(a.min[2], b.min[2])],
    max: [Math.max(a.max[0], b.max[0]), Math.max(a.max[1], b.max[1]), Math.max(a.max[2], b.max[2])],
  };
}

/** Copies `box` (clamped to the volume) out of a whole volume as its own block. */
export function extractBlock(labels: Uint8Array, size: Vec3, box: VoxelBox): LabelBlock {
  const min: Vec3 = [Math.max(0, box.min[0]), Math.max(0, box.min[1]), Math.max(0, box.min[2])];
  const max: Vec3 = [Math.min(size[0] - 1, box.max[0]), Math.min(size[1] - 1, box.max[1]), Math.min(size[2] - 1, box.max[2])];
  const bs: Vec3 = [Math.max(0, max[0] - min[0] + 1), Math.max(0, max[1] - min[1] + 1), Math.max(0, max[2] - min[2] + 1)];
  const data = new Uint8Array(bs[0] * bs[1] * bs[2]);
  for (let k = 0; k < bs[2]; k++) {
    for (let j = 0; j < bs[1]; j++) {
      const src = min[0] + size[0] * (min[1] + j + size[1] * (min[2] + k));
      data.set(labels.subarray(src, src + bs[0]), bs[0] * (j + bs[1] * k));
    }
  }
  return { data, size: bs, offset: min };
}

/** Writes a block back into a whole volume (the inverse of extractBlock). */
export function writeBlock(labels: Uint8Array, size: Vec3, block: LabelBlock): void {
  const [bx, by, bz] = block.size;
  const [ox, oy, oz] = block.offset;
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const src = bx * (j + by * k);
      labels.set(block.data.subarray(src, src + bx), ox + size[0] * (oy + j + size[1] * (oz + k)));
    }
  }
}

/** Labels whose voxels differ between two blocks of equal size (both the old and the new value count). */
export function changedLabels(before: Uint8Array, after: Uint8Array): number[] {
  if (before.length !== after.length) throw new RangeError(`blocks differ in length: ${before.length} and ${after.length}`);
  const seen = new Uint8Array(256);
  for (let n = 0; n < before.length; n++) {
    const b = before[n]!;
    const a = after[n]!;
    if (a !== b) {
      seen[a] = 1;
      seen[b] = 1;
    }
  }
  const out: number[] = [];
  for (let v = 1; v < 256; v++) if (seen[v]) out.push(v);
  return out;
}
