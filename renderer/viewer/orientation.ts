// Pure view geometry of the slice viewer: which index axis each view slices, where its camera looks from, and
// the mapping between view display coordinates (CSS px) and world (LPS mm). No vtk.js, no DOM: the vtk cameras
// are set FROM these numbers, so picking, crosshair overlay and rendering share one definition.
import type { Axis, Vec3, VolumeGeometry } from '../../common/geometry.js';
import { axisVector, indexToWorld, worldToIndex } from '../../common/geometry.js';
import type { ViewId } from './types.js';

/**
 * Radiological conventions in LPS world space (x = patient's left, y = posterior, z = superior):
 * - sagittal: camera on the patient's left looking right, head up  → screen right = posterior (anterior left)
 * - coronal:  camera in front (anterior) looking back, head up     → screen right = patient's left
 * - axial:    camera at the feet looking up, anterior up           → screen right = patient's left
 * `plus` is the anatomical direction of a +1 slice step (scrollSlice) for that view.
 */
const IDEAL: Record<ViewId, { plus: Vec3; dop: Vec3; up: Vec3 }> = {
  sagittal: { plus: [1, 0, 0], dop: [-1, 0, 0], up: [0, 0, 1] },
  coronal: { plus: [0, 1, 0], dop: [0, 1, 0], up: [0, 0, 1] },
  axial: { plus: [0, 0, 1], dop: [0, 0, 1], up: [0, -1, 0] },
};

/** Smallest |cos| between a view's ideal normal and the index axis it slices (about 37°). */
const MAX_OBLIQUITY_COS = 0.8;

/** A view's slicing axis and camera frame, all derived from the volume direction. */
export interface ViewFrame {
  view: ViewId;
  /** Index axis this view slices (its slice planes are index planes of this axis). */
  sliceAxis: Axis;
  /** Index change of one +1 slice step (+1 = towards L / P / S for sagittal / coronal / axial). */
  sliceStep: 1 | -1;
  /** Unit direction of projection, world. */
  dop: Vec3;
  /** Unit view-up, world: always ± an index axis vector (upAxis). */
  up: Vec3;
  /** Unit screen-right, world: dop × up, ± the remaining index axis (rightAxis). */
  right: Vec3;
  upAxis: Axis;
  rightAxis: Axis;
}

/** A view's 2-D camera state: zoom relative to "fit" and pan in mm along the screen axes. */
export interface ViewCamera {
  /** Point at the centre of the view, world (LPS mm), on the current slice plane. */
  focal: Vec3;
  /** Half the view height in mm (vtk parallel scale). */
  parallelScale: number;
}

export interface ViewportSize {
  /** CSS pixels. */
  width: number;
  height: number;
}

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const AXES: readonly Axis[] = [0, 1, 2];

/** Throws unless the direction holds three orthonormal axis vectors. */
function assertOrthonormal(g: VolumeGeometry): void {
  for (const a of AXES) {
    const v = axisVector(g, a);
    if (Math.abs(dot(v, v) - 1) > 1e-3) throw new Error(`Volume direction axis ${a} is not a unit vector: ${v.join(' ')}`);
    for (const b of AXES) {
      if (b > a && Math.abs(dot(v, axisVector(g, b))) > 1e-3) {
        throw new Error(`Volume direction axes ${a} and ${b} are not orthogonal: ${g.direction.join(' ')}`);
      }
    }
  }
}

/**
 * Slicing axis and camera frame of each view. SPIDER directions are ±1 permutations (identity 'LPS' and 'PIR'),
 * for which the frames are exactly the radiological ones above. Mildly oblique grids are shown in index planes
 * (camera along the index axis nearest to the ideal normal); a grid more than ~37° off is refused.
 */
export function viewFrames(g: VolumeGeometry): Record<ViewId, ViewFrame> {
  assertOrthonormal(g);
  const axes = AXES.map((a) => axisVector(g, a));
  const frame = (view: ViewId): ViewFrame => {
    const ideal = IDEAL[view];
    const best = (candidates: readonly Axis[], target: Vec3): Axis =>
      candidates.reduce((b, a) => (Math.abs(dot(axes[a]!, target)) > Math.abs(dot(axes[b]!, target)) ? a : b));
    const sliceAxis = best(AXES, ideal.plus);
    const cos = dot(axes[sliceAxis]!, ideal.plus);
    if (Math.abs(cos) < MAX_OBLIQUITY_COS) {
      throw new Error(
        `Oblique volume direction (${g.direction.join(' ')}): no index axis within 37° of the ${view} normal`,
      );
    }
    const sliceVec = axes[sliceAxis]!;
    const dop = scale(sliceVec, Math.sign(dot(sliceVec, ideal.dop)));
    const upAxis = best(
      AXES.filter((a) => a !== sliceAxis),
      ideal.up,
    );
    const up = scale(axes[upAxis]!, Math.sign(dot(axes[upAxis]!, ideal.up)) || 1);
    const rightAxis = AXES.find((a) => a !== sliceAxis && a !== upAxis)!;
    return { view, sliceAxis, sliceStep: cos > 0 ? 1 : -1, dop, up, right: cross(dop, up), upAxis, rightAxis };
  };
  const frames = { sagittal: frame('sagittal'), coronal: frame('coronal'), axial: frame('axial') };
  if (new Set([frames.sagittal.sliceAxis, frames.coronal.sliceAxis, frames.axial.sliceAxis]).size !== 3) {
    throw new Error(`Oblique volume direction (${g.direction.join(' ')}): two views would slice the same index axis`);
  }
  return frames;
}

/** Continuous index of the volume centre. */
export function centerWorld(g: VolumeGeometry): Vec3 {
  return indexToWorld(g, [(g.size[0] - 1) / 2, (g.size[1] - 1) / 2, (g.size[2] - 1) / 2]);
}

/** Clamps a world point into the box spanned by the voxel centres (continuous index 0..size-1 per axis). */
export function clampToVolume(g: VolumeGeometry, world: Vec3): Vec3 {
  const ijk = worldToIndex(g, world);
  const clamped = ijk.map((v, a) => Math.min(Math.max(v, 0), g.size[a]! - 1)) as Vec3;
  return indexToWorld(g, clamped);
}

/** Integer slice index of `world` along the frame's slicing axis, clamped into the volume. */
export function sliceIndexAt(g: VolumeGeometry, frame: ViewFrame, world: Vec3): number {
  const v = Math.round(worldToIndex(g, world)[frame.sliceAxis]);
  return Math.min(Math.max(v, 0), g.size[frame.sliceAxis] - 1);
}

/** Nearest voxel of a world point and whether it lies in the volume. */
export function voxelAt(g: VolumeGeometry, world: Vec3): { ijk: Vec3; inside: boolean } {
  const ijk = worldToIndex(g, world).map((v) => Math.round(v)) as Vec3;
  const inside = ijk.every((v, a) => v >= 0 && v < g.size[a]!);
  return { ijk, inside };
}

/** Parallel scale (half view height, mm) at which the whole slice fits the viewport with a small margin. */
export function fitParallelScale(g: VolumeGeometry, frame: ViewFrame, size: ViewportSize): number {
  const halfW = (g.size[frame.rightAxis] * g.spacing[frame.rightAxis]) / 2;
  const halfH = (g.size[frame.upAxis] * g.spacing[frame.upAxis]) / 2;
  const aspect = size.width > 0 && size.height > 0 ? size.width / size.height : 1;
  return 1.04 * Math.max(halfH, halfW / aspect);
}

/**
 * Camera of a view: the volume centre moved onto the slice plane through `slicePoint`, panned by
 * `pan` mm along screen right/up, zoomed by `zoom` relative to fit.
 */
export function viewCamera(
  g: VolumeGeometry,
  frame: ViewFrame,
  size: ViewportSize,
  slicePoint: Vec3,
  zoom: number,
  pan: readonly [number, number],
): ViewCamera {
  const c = centerWorld(g);
  const onPlane = add(c, scale(frame.dop, dot(sub(slicePoint, c), frame.dop)));
  const focal = add(add(onPlane, scale(frame.right, pan[0])), scale(frame.up, pan[1]));
  return { focal, parallelScale: fitParallelScale(g, frame, size) / zoom };
}

/** CSS px per mm of a camera in a viewport. */
export function pixelsPerMm(cam: ViewCamera, size: ViewportSize): number {
  return size.height / (2 * cam.parallelScale);
}

/** Display position (CSS px from the view's top-left) of a world point projected along the view direction. */
export function worldToDisplay(frame: ViewFrame, cam: ViewCamera, size: ViewportSize, world: Vec3): [number, number] {
  const d = sub(world, cam.focal);
  const s = pixelsPerMm(cam, size);
  return [size.width / 2 + dot(d, frame.right) * s, size.height / 2 - dot(d, frame.up) * s];
}

/** World point (on the plane through the camera focal point) under a display position. */
export function displayToWorld(frame: ViewFrame, cam: ViewCamera, size: ViewportSize, xy: readonly [number, number]): Vec3 {
  const s = pixelsPerMm(cam, size);
  const r = (xy[0] - size.width / 2) / s;
  const u = (size.height / 2 - xy[1]) / s;
  return add(add(cam.focal, scale(frame.right, r)), scale(frame.up, u));
}

const POSITIVE = ['L', 'P', 'S'] as const;
const NEGATIVE = ['R', 'A', 'I'] as const;

/** Anatomical letter a world direction points to (dominant LPS component). */
export function directionLetter(v: Vec3): string {
  let best = 0;
  for (let c = 1; c < 3; c++) if (Math.abs(v[c]!) > Math.abs(v[best]!)) best = c;
  return (v[best]! >= 0 ? POSITIVE : NEGATIVE)[best]!;
}

/** Letters at the four edges of a view, e.g. sagittal { left 'A', right 'P', top 'S', bottom 'I' }. */
export function edgeLetters(frame: ViewFrame): { left: string; right: string; top: string; bottom: string } {
  return {
    left: directionLetter(scale(frame.right, -1)),
    right: directionLetter(frame.right),
    top: directionLetter(frame.up),
    bottom: directionLetter(scale(frame.up, -1)),
  };
}
