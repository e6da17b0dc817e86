// Eraser: writes background; locked labels keep their voxels. The history names what was erased ("Erase L3,
// 312 voxels"; "Erase L3 + L4, …"; "Erase 4 labels, …"), from the diff's before values.
import { BACKGROUND_LABEL } from '../../common/labels.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import { labelName, voxelCount } from './describe.js';
import { brushBase, defineTool } from './types.js';

/** Names of the labels a diff erased, most voxels first: "L3", "L3 + L4", "L3 + L4 + L5", "4 labels". */
export function erasedNames(diff: VoxelDiff): string {
  const counts = new Map<number, number>();
  for (let e = 0; e < diff.before.length; e++) {
    const v = diff.before[e]!;
    if (v !== BACKGROUND_LABEL) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const labels = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([v]) => v);
  if (labels.length === 0) return 'nothing';
  if (labels.length > 3) return `${labels.length} labels`;
  return labels.map(labelName).join(' + ');
}

export default defineTool({
  kind: 'stroke',
  id: 'eraser',
  title: 'Eraser',
  hotkey: 'e',
  valueFor: () => BACKGROUND_LABEL,
  // The eraser removes labels whatever the paint mode says ("only background" would make it a no-op).
  brush: (s, sliceAxis) => ({ ...brushBase(s, sliceAxis, BACKGROUND_LABEL), mode: s.mode === 'background-only' ? 'overwrite' : s.mode }),
  describe: (diff) => {
    const names = erasedNames(diff);
    return (n) => `Erase ${names}, ${voxelCount(n)}`;
  },
});
