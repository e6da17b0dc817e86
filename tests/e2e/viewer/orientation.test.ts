// Pure view geometry of the viewer (no browser): slicing axes and camera frames for both SPIDER conventions, and
// the display <-> world mapping the overlay and picking share. (Kept beside the viewer e2e specs it supports.)
import { describe, expect, it } from 'vitest';
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import {
  displayToWorld,
  edgeLetters,
  viewCamera,
  viewFrames,
  worldToDisplay,
} from '../../../renderer/viewer/orientation.js';

const LPS: VolumeGeometry = { size: [12, 64, 80], spacing: [4, 0.5, 0.75], origin: [-22, -16, -30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
const PIR: VolumeGeometry = { size: [64, 80, 12], spacing: [0.5, 0.75, 4], origin: [22, -16, 30], direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] };

const close = (a: Vec3, b: Vec3): void => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 9));

describe('viewFrames', () => {
  it('slices the L–R, A–P and S–I index axes with radiological cameras (group A, identity)', () => {
    const f = viewFrames(LPS);
    expect([f.sagittal.sliceAxis, f.coronal.sliceAxis, f.axial.sliceAxis]).toEqual([0, 1, 2]);
    close(f.sagittal.right, [0, 1, 0]); // screen right = posterior: anterior on the left
    close(f.sagittal.up, [0, 0, 1]);
    close(f.coronal.right, [1, 0, 0]); // screen right = patient's left
    close(f.coronal.up, [0, 0, 1]);
    close(f.axial.right, [1, 0, 0]);
    close(f.axial.up, [0, -1, 0]); // anterior up
    expect([f.sagittal.sliceStep, f.coronal.sliceStep, f.axial.sliceStep]).toEqual([1, 1, 1]);
  });

  it("gives group B ('PIR') the same screen axes through other index axes and signs", () => {
    const a = viewFrames(LPS);
    const b = viewFrames(PIR);
    expect([b.sagittal.sliceAxis, b.coronal.sliceAxis, b.axial.sliceAxis]).toEqual([2, 0, 1]);
    for (const v of ['sagittal', 'coronal', 'axial'] as const) {
      close(b[v].right, a[v].right);
      close(b[v].up, a[v].up);
      close(b[v].dop, a[v].dop);
      expect(edgeLetters(b[v])).toEqual(edgeLetters(a[v]));
    }
    // +1 slice towards L / S needs a decreasing index on R- and I-pointing axes.
    expect([b.sagittal.sliceStep, b.coronal.sliceStep, b.axial.sliceStep]).toEqual([-1, 1, -1]);
    expect(edgeLetters(b.sagittal)).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
    expect(edgeLetters(b.axial)).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  });

  it('refuses grids far from any axis-aligned orientation', () => {
    const c = Math.SQRT1_2;
    expect(() => viewFrames({ ...LPS, direction: [c, c, 0, -c, c, 0, 0, 0, 1] })).toThrow(/Oblique/);
    expect(() => viewFrames({ ...LPS, direction: [1, 0, 0, 1, 0, 0, 0, 0, 1] })).toThrow(/orthogonal/);
  });
});

describe('display <-> world', () => {
  it('round-trips on the slice plane and puts anterior left in the sagittal view', () => {
    const frame = viewFrames(PIR).sagittal;
    const size = { width: 400, height: 300 };
    const cam = viewCamera(PIR, frame, size, [0, 0, 0], 2, [3, -4]);
    const p: Vec3 = [cam.focal[0], 5, 7];
    const xy = worldToDisplay(frame, cam, size, p);
    close(displayToWorld(frame, cam, size, xy), p);
    const anterior = worldToDisplay(frame, cam, size, [p[0], p[1] - 10, p[2]]);
    const superior = worldToDisplay(frame, cam, size, [p[0], p[1], p[2] + 10]);
    expect(anterior[0]).toBeLessThan(xy[0]);
    expect(superior[1]).toBeLessThan(xy[1]);
  });
});
