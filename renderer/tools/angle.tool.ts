// Angle: three clicks on a slice (arm end, vertex, arm end); the angle at the vertex in degrees. Writes no labels:
// the measurement is stored by main (addMeasurement), which also computes the angle shown.
import { defineTool } from './types.js';

export default defineTool({
  kind: 'measure',
  id: 'angle',
  title: 'Angle (°)',
  hotkey: 'a',
  measure: 'angle',
  points: 3,
  hint: 'Angle: click an arm end, the vertex, then the other arm end',
});
