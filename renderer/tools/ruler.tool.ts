// Ruler: a distance in mm between two points on a slice (press-drag-release, or click then click). Writes no
// labels: the measurement is stored by main (addMeasurement), which also computes the length shown.
import { defineTool } from './types.js';

export default defineTool({
  kind: 'measure',
  id: 'ruler',
  title: 'Ruler (mm)',
  hotkey: 'l',
  measure: 'ruler',
  points: 2,
  hint: 'Ruler: drag from one end to the other, or click both ends',
});
