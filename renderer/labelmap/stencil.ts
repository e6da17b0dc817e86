// Brush stencils: one dab (a circle in a slice or a sphere across slices, radius in millimetres) and a stroke
// segment of interpolated dabs between two pointer samples. Voxel loops only; the tool decides value and mode.
import type { Axis, Vec3 } from '../../common/geometry.js';
import type { LabelValue } from '../../common/labels.js';
import type { DiffRecorder } from './recorder.js';
import { assertVolume, inPlaneAxes, strides, writableLut, type IntensityRange, type LabelmapVolume, type WriteGuard } from './volume.js';

/** Slack in index units so that voxels exactly on the rim (e.g. 2 mm at 0.5 mm spacing) are inside. */
const RIM_EPSILON = 1e-6;

export interface BrushOptions extends WriteGuard {
  /** 'circle': the slice through the centre only; 'sphere': an ellipsoid across `throughPlaneSlices` slices. */
  shape: 'circle' | 'sphere';
  /** Axis the slice is taken across (the view's normal): 0 sagittal-like, 1 coronal-like, 2 axial-like. */
  sliceAxis: Axis;
  /** In-plane radius in millimetres; anisotropic spacing makes it an ellipse in index space. */
  radiusMm: number;
  /**
   * Sphere only: slices covered through-plane, centred on the centre's slice (even counts round up to the next
   * odd). The in-plane radius tapers like an ellipsoid with a through-plane semi-axis of count / 2 slices.
   * Default 1.
   */
  throughPlaneSlices?: number;
  /** Label value written (0 for the eraser). */
  value: LabelValue;
  /** Threshold brush: only voxels whose image intensity lies in [low, high] are written (needs `image`). */
  threshold?: IntensityRange;
}

/**
 * Paints one dab centred at continuous index `centerIjk` (voxel centres at integers) into `vol.labels` through
 * `recorder`. The in-plane centre is continuous, the slice is the nearest one; the voxel nearest the centre
 * is always included, so a brush smaller than a voxel still paints. Loops over the stencil's bounding box only,
 * clipped to the volume. Returns the number of voxels changed by this dab.
 */
export function paintStencil(vol: LabelmapVolume, recorder: DiffRecorder, centerIjk: Vec3, opts: BrushOptions): number {
  if (recorder.labels !== vol.labels) throw new Error('recorder records a different label array');
  assertVolume(vol);
  if (!(opts.radiusMm >= 0)) throw new RangeError(`brush radius must be ≥ 0 mm, got ${opts.radiusMm}`);
  const slices = opts.throughPlaneSlices ?? 1;
  if (!Number.isInteger(slices) || slices < 1) throw new RangeError(`throughPlaneSlices must be an integer ≥ 1, got ${slices}`);
  const image = opts.threshold ? vol.image : undefined;
  if (opts.threshold && !image) throw new Error('threshold brush needs the image intensities (vol.image)');
  const lo = opts.threshold?.[0] ?? 0;
  const hi = opts.threshold?.[1] ?? 0;

  const { size, spacing, labels } = vol;
  const value = opts.value;
  const lut = writableLut(value, opts);
  const stride = strides(size);
  const w = opts.sliceAxis;
  const [u, v] = inPlaneAxes(w);
  const su = stride[u];
  const cu = centerIjk[u];
  const cv = centerIjk[v];
  const cw = Math.round(centerIjk[w]);
  const half = opts.shape === 'sphere' ? Math.floor(slices / 2) : 0;
  const radiusU = opts.radiusMm / spacing[u];
  const radiusV = opts.radiusMm / spacing[v];
  let changed = 0;

  const visit = (voxelIndex: number): void => {
    if (lut[labels[voxelIndex]!] === 0) return;
    if (image) {
      const x = image[voxelIndex]!;
      if (!(x >= lo && x <= hi)) return;
    }
    recorder.write(voxelIndex, value);
    changed++;
  };

  // The nearest voxel first: guarantees a non-empty dab for sub-voxel radii.
  const nu = Math.round(cu);
  const nv = Math.round(cv);
  if (cw >= 0 && cw < size[w] && nu >= 0 && nu < size[u] && nv >= 0 && nv < size[v]) {
    visit(cw * stride[w] + nv * stride[v] + nu * su);
  }

  for (let dw = -half; dw <= half; dw++) {
    const kw = cw + dw;
    if (kw < 0 || kw >= size[w]) continue;
    const taper = half === 0 ? 1 : Math.sqrt(1 - (dw / (half + 0.5)) ** 2);
    const ru = radiusU * taper;
    const rv = radiusV * taper;
    if (rv <= 0 || ru <= 0) continue;
    const vMin = Math.max(0, Math.ceil(cv - rv - RIM_EPSILON));
    const vMax = Math.min(size[v] - 1, Math.floor(cv + rv + RIM_EPSILON));
    const sliceBase = kw * stride[w];
    for (let jv = vMin; jv <= vMax; jv++) {
      const dv = (jv - cv) / rv;
      const halfWidth = ru * Math.sqrt(Math.max(0, 1 - dv * dv));
      const uMin = Math.max(0, Math.ceil(cu - halfWidth - RIM_EPSILON));
      const uMax = Math.min(size[u] - 1, Math.floor(cu + halfWidth + RIM_EPSILON));
      let voxelIndex = sliceBase + jv * stride[v] + uMin * su;
      for (let iu = uMin; iu <= uMax; iu++, voxelIndex += su) visit(voxelIndex);
    }
  }
  return changed;
}

/**
 * Paints the dabs of a stroke segment from pointer sample `fromIjk` (exclusive: painted by the previous call or
 * the stroke's first dab) to `toIjk` (inclusive), spaced at most half the brush radius apart (measured in the
 * stencil's own index-space ellipse, never less than half a voxel) and at most one slice apart through-plane,
 * so fast drags leave no gaps. Returns the number of dabs painted.
 */
export function strokeSegment(vol: LabelmapVolume, recorder: DiffRecorder, fromIjk: Vec3, toIjk: Vec3, opts: BrushOptions): number {
  const [u, v] = inPlaneAxes(opts.sliceAxis);
  const du = toIjk[u] - fromIjk[u];
  const dv = toIjk[v] - fromIjk[v];
  const dw = toIjk[opts.sliceAxis] - fromIjk[opts.sliceAxis];
  const ru = Math.max(1, opts.radiusMm / vol.spacing[u]);
  const rv = Math.max(1, opts.radiusMm / vol.spacing[v]);
  const ellipticLength = Math.hypot(du / ru, dv / rv); // path length in radii
  const dabs = Math.max(1, Math.ceil(ellipticLength / 0.5), Math.ceil(Math.abs(dw)));
  const center: Vec3 = [0, 0, 0];
  for (let s = 1; s <= dabs; s++) {
    const t = s / dabs;
    for (let a = 0; a < 3; a++) center[a] = fromIjk[a]! + t * (toIjk[a]! - fromIjk[a]!);
    paintStencil(vol, recorder, center, opts);
  }
  return dabs;
}
