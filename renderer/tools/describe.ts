// How an edit is named in the journal and the history panel: "Brush L4/L5, 312 voxels".
import { isKnownLabel, labelInfo } from '../../common/labels.js';

export function labelName(v: number): string {
  return v === 0 ? 'background' : isKnownLabel(v) ? labelInfo(v).name : String(v);
}

/** "1 voxel", "1,234 voxels". */
export function voxelCount(n: number): string {
  return `${n.toLocaleString('en-US')} voxel${n === 1 ? '' : 's'}`;
}

export function describeEdit(title: string, value: number, voxels: number): string {
  return `${title} ${labelName(value)}, ${voxelCount(voxels)}`;
}
