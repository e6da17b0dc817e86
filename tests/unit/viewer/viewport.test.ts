// The viewer's viewport in world terms: zoomPanFor puts a given world point at the view's centre at a given mm per
// pixel (what viewCamera then draws), for both SPIDER orientation groups and views of different sizes.
import { describe, expect, it } from 'vitest';
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { centerWorld, viewCamera, viewFrames } from '../../../renderer/viewer/orientation.js';
import { viewportOf, zoomPanFor } from '../../../renderer/viewer/viewport.js';

const LPS: VolumeGeometry = { size: [13, 96, 144], spacing: [4, 2.1, 2.1], origin: [-24, -100, -150], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
const PIR: VolumeGeometry = { size: [112, 160, 30], spacing: [1.8, 1.9, 1.7], origin: [25, -100, 151], direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] };

describe('viewport', () => {
  for (const [name, g] of [['LPS', LPS], ['PIR', PIR]] as const) {
    it(`${name}: a centre and scale set through zoom and pan come back from the camera`, () => {
      const frame = viewFrames(g).sagittal;
      for (const size of [{ width: 300, height: 500 }, { width: 900, height: 400 }]) {
        const centre: Vec3 = [3, -20.5, 37.25];
        const slicePoint = centerWorld(g);
        const { zoom, pan } = zoomPanFor(g, frame, size, { centre, mmPerPx: 0.35 }, { zoom: 1, pan: [0, 0] });
        const vp = viewportOf('sagittal', viewCamera(g, frame, size, slicePoint, zoom, pan), size);
        expect(vp.mmPerPx).toBeCloseTo(0.35, 9);
        // In-plane (A-P, S-I) the centre is the one asked for; L-R stays on the slice.
        expect(vp.centre[1]).toBeCloseTo(centre[1], 9);
        expect(vp.centre[2]).toBeCloseTo(centre[2], 9);
        expect(vp.centre[0]).toBeCloseTo(slicePoint[0], 9);
      }
    });
  }
  it('keeps what is not given, and the zoom of a view without height', () => {
    const frame = viewFrames(LPS).sagittal;
    const current = { zoom: 2, pan: [5, -3] as [number, number] };
    expect(zoomPanFor(LPS, frame, { width: 300, height: 500 }, {}, current)).toEqual(current);
    expect(zoomPanFor(LPS, frame, { width: 0, height: 0 }, { mmPerPx: 0.5 }, current).zoom).toBe(2);
  });
});
