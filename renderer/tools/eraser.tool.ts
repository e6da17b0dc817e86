// Eraser: writes background; locked labels keep their voxels.
import { BACKGROUND_LABEL } from '../../common/labels.js';
import { brushBase, defineTool } from './types.js';

export default defineTool({
  kind: 'stroke',
  id: 'eraser',
  title: 'Eraser',
  hotkey: 'e',
  valueFor: () => BACKGROUND_LABEL,
  // The eraser removes labels whatever the paint mode says ("only background" would make it a no-op).
  brush: (s, sliceAxis) => ({ ...brushBase(s, sliceAxis, BACKGROUND_LABEL), mode: s.mode === 'background-only' ? 'overwrite' : s.mode }),
});
