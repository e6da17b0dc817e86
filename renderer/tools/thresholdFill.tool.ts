// Threshold fill: the connected in-range region around the click (slice or 3-D) becomes the active label.
import { thresholdFill } from '../labelmap/index.js';
import { defineTool } from './types.js';

export default defineTool({
  kind: 'click',
  id: 'thresholdFill',
  title: 'Threshold fill',
  hotkey: 'g',
  valueFor: (s) => s.activeLabel,
  apply: (vol, ijk, sliceAxis, s) =>
    thresholdFill(vol, ijk, {
      range: s.threshold,
      connectivity: s.fill3d ? '3d' : '2d',
      sliceAxis,
      value: s.activeLabel,
      maxVoxels: s.maxFillVoxels,
      mode: s.mode,
      locked: s.locked,
    }),
});
