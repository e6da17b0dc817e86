// Fill: the clicked closed region (the seed's label, 4-connected) in the slice becomes the active label.
import { floodFill2D } from '../labelmap/index.js';
import { defineTool } from './types.js';

export default defineTool({
  kind: 'click',
  id: 'fill',
  title: 'Fill region',
  hotkey: 'f',
  valueFor: (s) => s.activeLabel,
  apply: (vol, ijk, sliceAxis, s) => floodFill2D(vol, ijk, sliceAxis, s.activeLabel, { mode: s.mode, locked: s.locked, maxVoxels: s.maxFillVoxels }),
});
