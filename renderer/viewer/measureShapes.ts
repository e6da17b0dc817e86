// Which rulers and angles a slice view shows, and where: pure geometry (no DOM, no vtk.js), used by sliceView.ts.
import type { Vec3 } from '../../common/geometry.js';
import { worldToDisplay, type ViewCamera, type ViewFrame, type ViewportSize } from './orientation.js';
import type { DrawnMeasurement } from './overlay.js';
import type { MeasurementShape } from './types.js';

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * Display points of the shapes lying in the slice plane through `cam.focal` (every point within half a slice,
 * `halfSliceMm`, of it), in a view of `size`.
 */
export function shapesInSlice(
  shapes: readonly MeasurementShape[],
  frame: ViewFrame,
  cam: ViewCamera,
  size: ViewportSize,
  halfSliceMm: number,
): DrawnMeasurement[] {
  const out: DrawnMeasurement[] = [];
  for (const m of shapes) {
    const inSlice = m.points.every((p) => {
      const d: Vec3 = [p[0] - cam.focal[0], p[1] - cam.focal[1], p[2] - cam.focal[2]];
      return Math.abs(dot(d, frame.dop)) <= halfSliceMm + 1e-6;
    });
    if (!inSlice) continue;
    out.push({
      key: m.key,
      xy: m.points.map((p) => worldToDisplay(frame, cam, size, p)),
      label: m.label,
      draft: m.draft ?? false,
      highlighted: m.highlighted ?? false,
    });
  }
  return out;
}
