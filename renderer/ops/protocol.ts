// Messages between renderer/ops/index.ts and morphology.worker.ts (structured clone; the cut box and the answer's
// diff arrays are transferred, not copied).
import type { Vec3 } from '../../common/geometry.js';
import type { LabelValue } from '../../common/labels.js';
import type { MorphologyOp, PaintMode, VoxelBox } from '../labelmap/index.js';

export interface MorphologyRequest {
  id: number;
  /** The volume's voxels of `box` (i fastest). */
  cut: Uint8Array;
  box: VoxelBox;
  volumeSize: Vec3;
  spacing: Vec3;
  label: LabelValue;
  op: MorphologyOp;
  mode: PaintMode;
  locked: LabelValue[];
}

export type MorphologyResponse =
  | { id: number; ok: true; indices: Uint32Array; before: Uint8Array; after: Uint8Array; added: number; removed: number; ms: number }
  | { id: number; ok: false; refused: boolean; message: string };
