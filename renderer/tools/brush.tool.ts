// Brush: paints the active label (circle in the slice, or a sphere across slices).
import { brushBase, defineTool } from './types.js';

export default defineTool({
  kind: 'stroke',
  id: 'brush',
  title: 'Brush',
  hotkey: 'b',
  valueFor: (s) => s.activeLabel,
  brush: (s, sliceAxis) => brushBase(s, sliceAxis, s.activeLabel),
});
