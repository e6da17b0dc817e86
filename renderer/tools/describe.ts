// How an edit is named in the journal and the history panel: "Brush L4/L5, 312 voxels".
import { isKnownLabel, labelInfo } from '../../common/labels.js';

export function labelName(v: number): string {
  return v === 0 ? 'background' : isKnownLabel(v) ? labelInfo(v).name : String(v);
}

export function describeEdit(title: string, value: number, voxels: number): string {
  return `${title} ${labelName(value)}, ${voxels.toLocaleString('en-US')} voxel${voxels === 1 ? '' : 's'}`;
}
