// Measure (issue 13, item 4), the renderer's pure parts: the ruler / angle gesture, the live value, which
// measurements a slice view shows (half a slice either side, both SPIDER conventions) and the scale bar length.
import { describe, expect, it } from 'vitest';
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { indexToWorld } from '../../../common/geometry.js';
import { formatValue, hover, liveValue, press, release, type GesturePoint } from '../../../renderer/features/measurements/measureGesture.js';
import { shapesInSlice } from '../../../renderer/viewer/measureShapes.js';
import { viewCamera, viewFrames, worldToDisplay } from '../../../renderer/viewer/orientation.js';
import { scaleBarMm } from '../../../renderer/viewer/overlay.js';

const pt = (world: Vec3, xy: [number, number] | null, view = 'sagittal', slice = 5): GesturePoint => ({ view, slice, world, xy });

describe('ruler and angle gestures', () => {
  it('press-drag-release places a ruler', () => {
    let s = press(null, 'ruler', pt([0, 0, 0], [10, 10]));
    expect(s.done).toBeNull();
    const d = hover(s.draft, pt([0, 5, 0], [20, 10]));
    expect(d?.live).toEqual([0, 5, 0]);
    s = release(d, pt([0, 30, 40], [80, 90]));
    expect(s.draft).toBeNull();
    expect(s.done).toEqual({ kind: 'ruler', points: [[0, 0, 0], [0, 30, 40]] });
  });

  it('click then click places a ruler (a click places nothing on release)', () => {
    let s = press(null, 'ruler', pt([0, 0, 0], [10, 10]));
    s = release(s.draft, pt([0, 0.1, 0], [11, 10]));
    expect(s.done).toBeNull();
    expect(s.draft?.points).toEqual([[0, 0, 0]]);
    s = press(s.draft, 'ruler', pt([0, 10, 0], [40, 10]));
    expect(s.done?.points).toEqual([[0, 0, 0], [0, 10, 0]]);
  });

  it('three clicks place an angle, vertex in the middle', () => {
    let s = press(null, 'angle', pt([10, 0, 0], [50, 10]));
    s = release(s.draft, pt([10, 0, 0], [50, 10]));
    s = press(s.draft, 'angle', pt([0, 0, 0], [10, 10]));
    s = release(s.draft, pt([0, 0, 0], [10, 10]));
    expect(s.done).toBeNull();
    s = press(s.draft, 'angle', pt([0, 10, 0], [10, 50]));
    expect(s.done).toEqual({ kind: 'angle', points: [[10, 0, 0], [0, 0, 0], [0, 10, 0]] });
  });

  it('a press in another view or on another slice starts over there', () => {
    const first = press(null, 'angle', pt([10, 0, 0], [50, 10]));
    const other = press(first.draft, 'angle', pt([0, 0, 0], [10, 10], 'axial'));
    expect(other.draft?.view).toBe('axial');
    expect(other.draft?.points).toEqual([[0, 0, 0]]);
    const slice = press(first.draft, 'angle', pt([0, 0, 0], [10, 10], 'sagittal', 6));
    expect(slice.draft?.points).toEqual([[0, 0, 0]]);
    // The band does not follow the pointer in another view.
    expect(hover(first.draft, pt([1, 1, 1], null, 'coronal'))?.live).toEqual([10, 0, 0]);
  });

  it('live values and their text', () => {
    expect(liveValue('ruler', [[0, 0, 0], [3, 4, 12]])).toBeCloseTo(13, 12);
    expect(liveValue('angle', [[1, 0, 0], [0, 0, 0], [1, 1, 0]])).toBeCloseTo(45, 12);
    expect(liveValue('angle', [[1, 0, 0], [0, 0, 0]])).toBeNull();
    expect(formatValue('ruler', 23.449)).toBe('23.4 mm');
    expect(formatValue('angle', 87.55)).toBe('87.5°');
  });
});

const LPS: VolumeGeometry = { size: [12, 64, 80], spacing: [4, 0.5, 0.75], origin: [-22, -16, -30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
const PIR: VolumeGeometry = { size: [64, 80, 12], spacing: [0.5, 0.75, 4], origin: [22, -16, 30], direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] };

describe.each([['A (LPS)', LPS], ['B (PIR)', PIR]] as const)('measurements shown in a slice view, group %s', (_name, g) => {
  const frame = viewFrames(g).sagittal;
  const size = { width: 400, height: 300 };
  // Sagittal slice 5 (index along the L–R axis, 4 mm apart).
  const ijk: Vec3 = [10, 10, 10];
  ijk[frame.sliceAxis] = 5;
  const onSlice = indexToWorld(g, ijk);
  const cam = viewCamera(g, frame, size, onSlice, 1.5, [2, -3]);
  const at = (dx: number, dy: number, dz: number): Vec3 => [onSlice[0] + dx, onSlice[1] + dy, onSlice[2] + dz];

  it('shows a ruler within half a slice of the plane, at its display position', () => {
    const ruler = { key: '1', points: [at(0, 0, 0), at(1.9, 20, 10)], label: '22.4 mm' };
    const shown = shapesInSlice([ruler], frame, cam, size, 2);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.xy[0]).toEqual(worldToDisplay(frame, cam, size, ruler.points[0]!));
    expect(shown[0]!.label).toBe('22.4 mm');
    expect(shown[0]!.draft).toBe(false);
  });

  it('leaves out a measurement with any point more than half a slice away', () => {
    const angle = { key: '2', points: [at(0, 0, 0), at(0, 10, 0), at(2.5, 10, 10)], label: '45.0°' };
    expect(shapesInSlice([angle], frame, cam, size, 2)).toHaveLength(0);
    // The neighbouring slice (4 mm to the left) does not show a ruler of this one.
    const next = viewCamera(g, frame, size, at(4, 0, 0), 1, [0, 0]);
    expect(shapesInSlice([{ key: '3', points: [at(0, 0, 0), at(0, 5, 5)], label: '' }], frame, next, size, 2)).toHaveLength(0);
  });
});

describe('scale bar', () => {
  it('takes the longest 1-2-5 length that fits', () => {
    expect(scaleBarMm(2)).toBe(50); // 120 px = 60 mm
    expect(scaleBarMm(2.5)).toBe(20); // 48 mm fit
    expect(scaleBarMm(0.5)).toBe(200);
    expect(scaleBarMm(30)).toBe(2);
    expect(scaleBarMm(10_000)).toBe(0.1);
  });
});
