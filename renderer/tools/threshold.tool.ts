// Threshold brush: paints the active label only where the image intensity lies in [low, high].
import { brushBase, defineTool } from './types.js';

export default defineTool({
  kind: 'stroke',
  id: 'threshold',
  title: 'Threshold brush',
  hotkey: 't',
  valueFor: (s) => s.activeLabel,
  brush: (s, sliceAxis) => ({ ...brushBase(s, sliceAxis, s.activeLabel), threshold: s.threshold }),
});
