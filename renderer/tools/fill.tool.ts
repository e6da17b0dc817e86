// Fill: the clicked closed region (the seed's label, 4-connected) in the slice becomes the active label. A region
// that reaches the slice's edge is not closed (the fill went through a gap): refused unless Shift is held. The
// size limit is a fraction of the slice.
import { floodFill2D } from '../labelmap/index.js';
import { describeLimit, fillLimit } from './limits.js';
import { defineTool } from './types.js';

export default defineTool({
  kind: 'click',
  id: 'fill',
  title: 'Fill region',
  hotkey: 'f',
  valueFor: (s) => s.activeLabel,
  apply: (vol, ijk, sliceAxis, s, force = false) =>
    floodFill2D(vol, ijk, sliceAxis, s.activeLabel, {
      mode: s.mode,
      locked: s.locked,
      maxVoxels: fillLimit(vol.size, sliceAxis, s.maxFillPercent),
      allowBorder: force,
    }),
  limit: (vol, sliceAxis, s) => describeLimit(vol.size, sliceAxis, s.maxFillPercent),
});
