// Per-label voxel counts and index sums of a one-byte label volume, in one pass: what centroids are made of.
// Shared by the disc measurements in main (gradings hints) and the renderer (where to put the crosshair). Pure.

export interface LabelMoments {
  /** Voxels per label value (index = value; 0 is not counted). */
  count: Float64Array;
  /** Sums of the i, j and k voxel indices per label value. */
  si: Float64Array;
  sj: Float64Array;
  sk: Float64Array;
}

export function labelMoments(volume: Uint8Array, size: readonly [number, number, number]): LabelMoments {
  const [nx, ny, nz] = size;
  if (volume.length !== nx * ny * nz) throw new RangeError(`label volume has ${volume.length} voxels, size says ${nx * ny * nz}`);
  const count = new Float64Array(256);
  const si = new Float64Array(256);
  const sj = new Float64Array(256);
  const sk = new Float64Array(256);
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        const l = volume[p]!;
        if (l === 0) continue;
        count[l]!++;
        si[l]! += i;
        sj[l]! += j;
        sk[l]! += k;
      }
    }
  }
  return { count, si, sj, sk };
}
