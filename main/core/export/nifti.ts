// NIfTI-1 single-file (.nii) header writer and the nnU-Net v2 label remap. Pure: bytes in memory, no I/O.
//
// Geometry: MetaImage world space is LPS (ITK), NIfTI world space is RAS. For voxel (i, j, k) the MetaImage puts
// the centre at  p_LPS = origin + Σ_a index[a]·spacing[a]·axis_a  (common/geometry.ts). NIfTI's qform/sform give
// p_RAS; with F = diag(-1, -1, 1), p_RAS = F·p_LPS. So
//   sform rows = F·[axis_0·s0 | axis_1·s1 | axis_2·s2 | origin]
//   qform      = rotation R = F·[axis_0 axis_1 axis_2] as a quaternion (with qfac = -1 when det R < 0, the third
//                column negated first, as the NIfTI-1 standard defines), pixdim = spacing, qoffset = F·origin.
// Both codes are NIFTI_XFORM_SCANNER_ANAT (1) and describe the same transform, so readers that prefer either
// (ITK/SimpleITK, nibabel) place voxels identically. Voxel order on disk is the MetaImage's (i fastest).
import { AppError } from '../../../common/errors.js';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { CANAL_LABEL, discLabel, discName, MAX_VERTEBRA_INDEX, partialVertebraLabel, vertebraLabel, vertebraName } from '../../../common/labels.js';
import type { PixelType } from '../mha/index.js';

export const NIFTI_HEADER_BYTES = 348;
/** Header + the 4-byte extension flag (no extensions): where the voxels start. */
export const NIFTI_VOX_OFFSET = 352;

const DATATYPE: Record<PixelType, { code: number; bitpix: number }> = {
  uint8: { code: 2, bitpix: 8 },
  int16: { code: 4, bitpix: 16 },
  int32: { code: 8, bitpix: 32 },
  float32: { code: 16, bitpix: 32 },
  float64: { code: 64, bitpix: 64 },
  int8: { code: 256, bitpix: 8 },
  uint16: { code: 512, bitpix: 16 },
  uint32: { code: 768, bitpix: 32 },
};

const NIFTI_XFORM_SCANNER_ANAT = 1;
const NIFTI_UNITS_MM = 2;

export interface NiftiAffine {
  /** 3 rows of 4: RAS = srow · [i j k 1]. */
  srow: [number[], number[], number[]];
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** +1 or -1 (pixdim[0]). */
  qfac: 1 | -1;
}

/** The RAS affine of a MetaImage (LPS) geometry. Throws when the direction is not orthonormal. */
export function niftiAffine(g: VolumeGeometry, file: string): NiftiAffine {
  const d = g.direction;
  // Column a of the rotation = axis a's unit vector, flipped to RAS.
  const col = (a: number): [number, number, number] => [-d[3 * a]!, -d[3 * a + 1]!, d[3 * a + 2]!];
  const c = [col(0), col(1), col(2)];
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const dot = c[a]![0] * c[b]![0] + c[a]![1] * c[b]![1] + c[a]![2] * c[b]![2];
      if (Math.abs(dot - (a === b ? 1 : 0)) > 1e-4) {
        throw new AppError('invalid_file', `${file}: the direction matrix is not orthonormal, so it has no NIfTI qform`, { file });
      }
    }
  }
  const s = g.spacing;
  const srow: NiftiAffine['srow'] = [
    [c[0]![0] * s[0], c[1]![0] * s[1], c[2]![0] * s[2], -g.origin[0]],
    [c[0]![1] * s[0], c[1]![1] * s[1], c[2]![1] * s[2], -g.origin[1]],
    [c[0]![2] * s[0], c[1]![2] * s[1], c[2]![2] * s[2], g.origin[2]],
  ];
  // R[row][col]
  const R = [0, 1, 2].map((r) => [c[0]![r]!, c[1]![r]!, c[2]![r]!]);
  const det =
    R[0]![0]! * (R[1]![1]! * R[2]![2]! - R[1]![2]! * R[2]![1]!) -
    R[0]![1]! * (R[1]![0]! * R[2]![2]! - R[1]![2]! * R[2]![0]!) +
    R[0]![2]! * (R[1]![0]! * R[2]![1]! - R[1]![1]! * R[2]![0]!);
  const qfac: 1 | -1 = det < 0 ? -1 : 1;
  if (qfac < 0) for (let r = 0; r < 3; r++) R[r]![2] = -R[r]![2]!;
  return { srow, quatern: quaternionOf(R), qoffset: [-g.origin[0], -g.origin[1], g.origin[2]], qfac };
}

/** (b, c, d) of the unit quaternion of a proper rotation matrix, with a = sqrt(1 - b² - c² - d²) ≥ 0. */
export function quaternionOf(R: number[][]): [number, number, number] {
  const r = (i: number, j: number): number => R[i]![j]!;
  const trace = r(0, 0) + r(1, 1) + r(2, 2);
  let a: number, b: number, c: number, d: number;
  if (trace > 0) {
    const t = Math.sqrt(trace + 1) * 2; // 4a
    a = t / 4;
    b = (r(2, 1) - r(1, 2)) / t;
    c = (r(0, 2) - r(2, 0)) / t;
    d = (r(1, 0) - r(0, 1)) / t;
  } else if (r(0, 0) > r(1, 1) && r(0, 0) > r(2, 2)) {
    const t = Math.sqrt(1 + r(0, 0) - r(1, 1) - r(2, 2)) * 2; // 4b
    a = (r(2, 1) - r(1, 2)) / t;
    b = t / 4;
    c = (r(0, 1) + r(1, 0)) / t;
    d = (r(0, 2) + r(2, 0)) / t;
  } else if (r(1, 1) > r(2, 2)) {
    const t = Math.sqrt(1 + r(1, 1) - r(0, 0) - r(2, 2)) * 2; // 4c
    a = (r(0, 2) - r(2, 0)) / t;
    b = (r(0, 1) + r(1, 0)) / t;
    c = t / 4;
    d = (r(1, 2) + r(2, 1)) / t;
  } else {
    const t = Math.sqrt(1 + r(2, 2) - r(0, 0) - r(1, 1)) * 2; // 4d
    a = (r(1, 0) - r(0, 1)) / t;
    b = (r(0, 2) + r(2, 0)) / t;
    c = (r(1, 2) + r(2, 1)) / t;
    d = t / 4;
  }
  // NIfTI stores only b, c, d and derives a ≥ 0: use the representative with a ≥ 0.
  if (a < 0) {
    b = -b;
    c = -c;
    d = -d;
  }
  return [b, c, d];
}

export interface NiftiHeaderSpec {
  geometry: VolumeGeometry;
  pixelType: PixelType;
  description?: string;
  /** For error messages. */
  file: string;
}

/** The 352 bytes before the voxels of a single-file .nii: the NIfTI-1 header and an empty extension flag. */
export function niftiHeader(spec: NiftiHeaderSpec): Uint8Array {
  const { geometry: g } = spec;
  const buf = new ArrayBuffer(NIFTI_VOX_OFFSET);
  const v = new DataView(buf);
  const le = true;
  const aff = niftiAffine(g, spec.file);
  const type = DATATYPE[spec.pixelType];
  v.setInt32(0, NIFTI_HEADER_BYTES, le); // sizeof_hdr
  v.setUint8(38, 'r'.charCodeAt(0)); // regular
  const dim = [3, g.size[0], g.size[1], g.size[2], 1, 1, 1, 1];
  for (let i = 0; i < 8; i++) {
    if (dim[i]! > 32767) throw new AppError('invalid_dataset', `${spec.file}: ${dim[i]} voxels along an axis is more than NIfTI-1 can store (32767)`, { file: spec.file });
    v.setInt16(40 + 2 * i, dim[i]!, le);
  }
  v.setInt16(70, type.code, le); // datatype
  v.setInt16(72, type.bitpix, le); // bitpix
  const pixdim = [aff.qfac, g.spacing[0], g.spacing[1], g.spacing[2], 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) v.setFloat32(76 + 4 * i, pixdim[i]!, le);
  v.setFloat32(108, NIFTI_VOX_OFFSET, le); // vox_offset
  v.setFloat32(112, 1, le); // scl_slope: stored values are the values
  v.setFloat32(116, 0, le); // scl_inter
  v.setUint8(123, NIFTI_UNITS_MM); // xyzt_units
  const descrip = (spec.description ?? 'Spine Workstation export').slice(0, 79);
  for (let i = 0; i < descrip.length; i++) v.setUint8(148 + i, descrip.charCodeAt(i) & 0x7f);
  v.setInt16(252, NIFTI_XFORM_SCANNER_ANAT, le); // qform_code
  v.setInt16(254, NIFTI_XFORM_SCANNER_ANAT, le); // sform_code
  aff.quatern.forEach((q, i) => v.setFloat32(256 + 4 * i, q, le));
  aff.qoffset.forEach((q, i) => v.setFloat32(268 + 4 * i, q, le));
  aff.srow.forEach((row, r) => row.forEach((x, i) => v.setFloat32(280 + 16 * r + 4 * i, x, le)));
  'n+1'.split('').forEach((ch, i) => v.setUint8(344 + i, ch.charCodeAt(0))); // magic "n+1\0"
  // bytes 348–351: extension flag 0 (no extensions)
  return new Uint8Array(buf);
}

// --- nnU-Net v2 label remap --- //

/**
 * Fixed remap of SPIDER mask values to contiguous nnU-Net labels (independent of the data, so exports of
 * different datasets or dates share one label space):
 *   0 → 0 background; vertebra n (1–25) → n; canal 100 → 26; disc 200+n (201–225) → 26+n (27–51);
 *   partially visible vertebra 100+n (101–125) → n (folded onto the vertebra, as the DIAG MHub runner does; each
 *   folded voxel count is listed in the manifest). Any other value stops the export with an error naming it.
 */
export function spiderToNnunet(value: number): number | null {
  if (value === 0) return 0;
  if (value >= 1 && value <= MAX_VERTEBRA_INDEX) return value;
  if (value === CANAL_LABEL) return MAX_VERTEBRA_INDEX + 1;
  if (value > 200 && value <= 200 + MAX_VERTEBRA_INDEX) return MAX_VERTEBRA_INDEX + 1 + (value - 200);
  if (value > 100 && value <= 100 + MAX_VERTEBRA_INDEX) return value - 100;
  return null;
}

/** remap[v] for v in 0–255 (-1: no label), for the worker. */
export function remapTable(): Int16Array {
  const t = new Int16Array(256);
  for (let v = 0; v < 256; v++) t[v] = spiderToNnunet(v) ?? -1;
  return t;
}

/** dataset.json "labels": name → contiguous label, background first, in label order. */
export function nnunetLabels(): Record<string, number> {
  const out: Record<string, number> = { background: 0 };
  for (let n = 1; n <= MAX_VERTEBRA_INDEX; n++) out[`vertebra ${vertebraName(n)} (SPIDER ${vertebraLabel(n)})`] = n;
  out[`spinal canal (SPIDER ${CANAL_LABEL})`] = MAX_VERTEBRA_INDEX + 1;
  for (let n = 1; n <= MAX_VERTEBRA_INDEX; n++) out[`disc ${discName(n)} (SPIDER ${discLabel(n)})`] = MAX_VERTEBRA_INDEX + 1 + n;
  return out;
}

/** The remap as the manifest documents it: SPIDER value (as text) → nnU-Net label. */
export function remapDocument(): Record<string, number> {
  const out: Record<string, number> = {};
  for (let v = 0; v < 256; v++) {
    const m = spiderToNnunet(v);
    if (m !== null) out[String(v)] = m;
  }
  return out;
}

export const PARTIAL_FOLD_NOTE = `partially visible vertebrae ${partialVertebraLabel(1)}–${partialVertebraLabel(MAX_VERTEBRA_INDEX)} are folded onto vertebrae 1–${MAX_VERTEBRA_INDEX}`;
