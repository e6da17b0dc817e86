// Label edits of the open series as they happen, for views that follow the labels (the 3-D view re-meshes the
// labels a diff touched). Emitted by useEditing after the live volume was written: the edit's forward diff (stroke,
// click tool, label operation), or null when the labels changed in an unknown way (undo, redo, rollback, reload).
import type { VoxelDiff } from '../../common/labelDiff.js';
import { createChannel } from './store.js';

export const labelEdits = createChannel<VoxelDiff | null>();
