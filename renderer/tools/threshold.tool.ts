// Threshold brush: paints the active label only where the image intensity lies in [low, high].
import type { IntensityRange } from '../labelmap/index.js';
import { brushBase, defineTool } from './types.js';

/** The threshold range "Sample" sets: centred on a sampled intensity, ±10 % of the image's range. */
export function sampledRange(value: number, imageRange: readonly [number, number]): IntensityRange {
  const half = (imageRange[1] - imageRange[0]) * 0.1;
  return [value - half, value + half];
}

export default defineTool({
  kind: 'stroke',
  id: 'threshold',
  title: 'Threshold brush',
  hotkey: 't',
  valueFor: (s) => s.activeLabel,
  brush: (s, sliceAxis) => ({ ...brushBase(s, sliceAxis, s.activeLabel), threshold: s.threshold }),
});
