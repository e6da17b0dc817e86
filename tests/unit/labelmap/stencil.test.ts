import { describe, expect, it } from 'vitest';
import { DiffRecorder, paintStencil, strokeSegment, type BrushOptions } from '../../../renderer/labelmap/index.js';
import { countOf, slice, volume } from './grid.js';

const brush = (o: Partial<BrushOptions> = {}): BrushOptions => ({ shape: 'circle', sliceAxis: 2, radiusMm: 2, value: 1, ...o });

describe('paintStencil: circle', () => {
  it('is an ellipse in index space under anisotropic spacing (2 mm at 0.5 × 1 mm: ±4 voxels in i, ±2 in j)', () => {
    const vol = volume([11, 7, 2], { spacing: [0.5, 1, 3] });
    const changed = paintStencil(vol, new DiffRecorder(vol.labels), [5, 3, 0], brush());
    // prettier-ignore
    expect(slice(vol, 2, 0)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
      0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0,
      0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
      0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0,
      0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(changed).toBe(25);
    expect(countOf(vol.labels, 1)).toBe(25); // only the slice through the centre
  });

  it('paints in the plane across sliceAxis 0, rounding the centre to the nearest slice', () => {
    const vol = volume([3, 7, 5], { spacing: [3, 0.5, 1] });
    paintStencil(vol, new DiffRecorder(vol.labels), [1.4, 3, 2], brush({ sliceAxis: 0, radiusMm: 1 }));
    // Rows are k, columns j: radius 1 mm = ±2 voxels along j, ±1 along k.
    // prettier-ignore
    expect(slice(vol, 0, 1)).toEqual([
      0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 1, 0, 0, 0,
      0, 1, 1, 1, 1, 1, 0,
      0, 0, 0, 1, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(countOf(vol.labels, 1)).toBe(7);
  });

  it('always paints the nearest voxel, even with a radius below one voxel', () => {
    const vol = volume([4, 4, 1]);
    paintStencil(vol, new DiffRecorder(vol.labels), [1.3, 2.4, 0], brush({ radiusMm: 0.1 }));
    expect(countOf(vol.labels, 1)).toBe(1);
    expect(vol.labels[1 + 4 * 2]).toBe(1);
  });

  it('clips at the volume bounds, also with the centre outside', () => {
    const vol = volume([4, 4, 1]);
    const recorder = new DiffRecorder(vol.labels);
    paintStencil(vol, recorder, [0, 0, 0], brush({ radiusMm: 1 }));
    paintStencil(vol, recorder, [4.5, 3, 0], brush({ radiusMm: 1.6, value: 2 })); // only (3, 3) is within 1.6
    // prettier-ignore
    expect(slice(vol, 2, 0)).toEqual([
      1, 1, 0, 0,
      1, 0, 0, 0,
      0, 0, 0, 0,
      0, 0, 0, 2,
    ]);
    paintStencil(vol, recorder, [0, 0, 5], brush()); // slice outside the volume: nothing
    expect(recorder.finish().indices).toEqual(Uint32Array.from([0, 1, 4, 15]));
  });
});

describe('paintStencil: sphere', () => {
  it('covers throughPlaneSlices slices, tapering like an ellipsoid', () => {
    const vol = volume([7, 7, 5]);
    paintStencil(vol, new DiffRecorder(vol.labels), [3, 3, 2], brush({ shape: 'sphere', throughPlaneSlices: 3 }));
    expect(countOf(Uint8Array.from(slice(vol, 2, 0)), 1)).toBe(0);
    expect(countOf(Uint8Array.from(slice(vol, 2, 4)), 1)).toBe(0);
    // prettier-ignore
    expect(slice(vol, 2, 2)).toEqual([
      0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 1, 0, 0, 0,
      0, 0, 1, 1, 1, 0, 0,
      0, 1, 1, 1, 1, 1, 0,
      0, 0, 1, 1, 1, 0, 0,
      0, 0, 0, 1, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0,
    ]);
    // Outer slices: radius 2 mm × √(1 − (1/1.5)²) ≈ 1.49 mm.
    const outer = [
      0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0,
      0, 0, 1, 1, 1, 0, 0,
      0, 0, 1, 1, 1, 0, 0,
      0, 0, 1, 1, 1, 0, 0,
      0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0,
    ];
    expect(slice(vol, 2, 1)).toEqual(outer);
    expect(slice(vol, 2, 3)).toEqual(outer);
  });

  it('rounds an even slice count up to the next odd one and clips through-plane', () => {
    const vol = volume([5, 5, 3]);
    paintStencil(vol, new DiffRecorder(vol.labels), [2, 2, 0], brush({ shape: 'sphere', throughPlaneSlices: 4, radiusMm: 1 }));
    // 5 slices centred on k = 0: k = 0, 1, 2 inside the volume; k = 2 is the outermost (taper 0.6 → 1 voxel).
    expect([0, 1, 2].map((k) => countOf(Uint8Array.from(slice(vol, 2, k)), 1))).toEqual([5, 1, 1]);
  });
});

describe('paintStencil: paint modes, locks, threshold', () => {
  // One row of labels under a 5-voxel-wide brush: 0 0 1 2 3 0 0 → see what each rule lets through.
  const row = () => volume([7, 1, 1], { labels: [0, 0, 1, 2, 3, 0, 0], image: [5, 50, 10, 20, 30, 15, 5] });
  const paintRow = (o: Partial<BrushOptions>): number[] => {
    const vol = row();
    paintStencil(vol, new DiffRecorder(vol.labels), [3, 0, 0], brush({ radiusMm: 2, value: 9, ...o }));
    return [...vol.labels];
  };

  it('overwrite writes every voxel under the stencil', () => {
    expect(paintRow({ mode: 'overwrite' })).toEqual([0, 9, 9, 9, 9, 9, 0]);
  });
  it('background-only writes only label 0', () => {
    expect(paintRow({ mode: 'background-only' })).toEqual([0, 9, 1, 2, 3, 9, 0]);
  });
  it('inside a label writes only that label', () => {
    expect(paintRow({ mode: { inside: 2 } })).toEqual([0, 0, 1, 9, 3, 0, 0]);
  });
  it('never overwrites a locked label', () => {
    expect(paintRow({ locked: new Set([2, 3]) })).toEqual([0, 9, 9, 2, 3, 9, 0]);
  });
  it('the eraser leaves locked labels alone too', () => {
    expect(paintRow({ value: 0, locked: new Set([2]) })).toEqual([0, 0, 0, 2, 0, 0, 0]);
  });
  it('the threshold brush writes only voxels with intensity in [low, high]', () => {
    expect(paintRow({ threshold: [10, 20] })).toEqual([0, 0, 9, 9, 3, 9, 0]);
    expect(paintRow({ threshold: [10, 20], mode: 'background-only' })).toEqual([0, 0, 1, 2, 3, 9, 0]);
  });
  it('the threshold brush needs an image', () => {
    const vol = volume([3, 1, 1]);
    expect(() => paintStencil(vol, new DiffRecorder(vol.labels), [1, 0, 0], brush({ threshold: [0, 1] }))).toThrow(/image/);
  });
});

describe('strokeSegment', () => {
  it('leaves no gaps on a fast diagonal drag', () => {
    const vol = volume([30, 30, 1]);
    const recorder = new DiffRecorder(vol.labels);
    const opts = brush({ radiusMm: 1.5 });
    paintStencil(vol, recorder, [2, 2, 0], opts);
    const dabs = strokeSegment(vol, recorder, [2, 2, 0], [27, 27, 0], opts); // one pointer move across the grid
    expect(dabs).toBe(48); // ≤ half a radius apart: ⌈|(25, 25)| / 1.5 / 0.5⌉
    for (let t = 2; t <= 27; t++) {
      expect(vol.labels[t + 30 * t]).toBe(1);
      if (t < 27) {
        expect(vol.labels[t + 1 + 30 * t]).toBe(1);
        expect(vol.labels[t + 30 * (t + 1)]).toBe(1);
      }
    }
    expect(recorder.finish().indices.length).toBe(countOf(vol.labels, 1));
  });

  it('spaces dabs by the radius in index units along each axis (anisotropic spacing)', () => {
    const vol = volume([200, 20, 1], { spacing: [0.25, 2, 1] });
    const recorder = new DiffRecorder(vol.labels);
    const opts = brush({ radiusMm: 1 }); // 4 voxels along i, 0.5 (→ 1) along j
    expect(strokeSegment(vol, recorder, [0, 10, 0], [40, 10, 0], opts)).toBe(20);
    expect(strokeSegment(vol, recorder, [40, 0, 0], [40, 19, 0], opts)).toBe(38);
    for (let j = 0; j < 20; j++) expect(vol.labels[40 + 200 * j]).toBe(1);
    for (let i = 0; i <= 40; i++) expect(vol.labels[i + 200 * 10]).toBe(1);
  });

  it('steps at most one slice through-plane', () => {
    const vol = volume([5, 5, 6]);
    const dabs = strokeSegment(vol, new DiffRecorder(vol.labels), [2, 2, 0], [2, 2, 5], brush({ radiusMm: 0.5 }));
    expect(dabs).toBe(5);
    for (let k = 1; k < 6; k++) expect(vol.labels[2 + 5 * (2 + 5 * k)]).toBe(1);
  });
});
