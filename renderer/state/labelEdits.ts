// Label edits of the open series as they happen, for views that follow the labels (the 3-D view re-meshes the
// labels a diff touched). Emitted by useEditing after the live volume was written: what changed as a forward diff
// (a stroke, click tool or label operation; an undo, redo, refused stroke taken back or discard: the voxels whose
// shown value it changed), or null only when the whole volume was reloaded from main (changed in an unknown way).
import type { VoxelDiff } from '../../common/labelDiff.js';
import { createChannel } from './store.js';

export const labelEdits = createChannel<VoxelDiff | null>();
