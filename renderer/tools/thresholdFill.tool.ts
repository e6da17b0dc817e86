// Threshold fill: the connected in-range region around the click (slice or 3-D) becomes the active label. The
// size limit is a fraction of the slice (2-D, maxFillPercent) or of the volume (3-D, maxFill3dPercent).
import { thresholdFill } from '../labelmap/index.js';
import { describeLimit, fillLimit } from './limits.js';
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
      maxVoxels: fillLimit(vol.size, s.fill3d ? null : sliceAxis, s.fill3d ? s.maxFill3dPercent : s.maxFillPercent),
      mode: s.mode,
      locked: s.locked,
    }),
  limit: (vol, sliceAxis, s) => describeLimit(vol.size, s.fill3d ? null : sliceAxis, s.fill3d ? s.maxFill3dPercent : s.maxFillPercent),
});
