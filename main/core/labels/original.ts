// The original label volume of a series: its mask file read exactly, one byte per voxel, on the image grid (an empty
// volume without a mask). A mask that cannot be read exactly is MaskUnreadableError, never an empty volume. Shared by
// the workstation (label loads), gradings and QA (through currentLabels) and the reader layers (issue 16).
import { join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import { sameGrid, voxelCount } from '../../../common/geometry.js';
import type { SeriesEntry } from '../dataset/index.js';
import { labelBytesOf } from '../export/index.js';
import type { PixelArray } from '../mha/index.js';
import { readMetaImage } from '../mha/index.js';

/** Thrown by the original-mask reader when the mask file exists but cannot be read exactly. */
export class MaskUnreadableError extends AppError {
  constructor(readonly reason: string, file: string, cause?: unknown) {
    super('read_only', `${file} cannot be read exactly (${reason}); its labels are read-only`, cause === undefined ? { file } : { file, cause });
    this.name = 'MaskUnreadableError';
  }
}

/** Why the mask of a series is unreadable from its scanned header (a mask file whose header failed), else null. */
export function maskUnreadable(e: SeriesEntry): string | null {
  if (!e.maskFile || e.mask) return null;
  const why = e.problems.filter((p) => p.file === e.maskFile && p.severity === 'error').map((p) => p.message);
  return why.length > 0 ? why.join('; ') : `${e.maskFile} has an unreadable header`;
}

/**
 * Reads the original label volume of a series (an empty one without a mask), checked against the image grid. A mask
 * file that cannot be read exactly (header, payload, grid or values) throws {@link MaskUnreadableError}: never an
 * empty volume in its place, which an edit and an export would turn into a mask with the labels gone.
 */
export function originalReader(root: string, e: SeriesEntry, header: NonNullable<SeriesEntry['image']>): () => Promise<Uint8Array> {
  const unreadable = maskUnreadable(e);
  const maskFile = e.maskFile;
  return async () => {
    if (unreadable !== null) throw new MaskUnreadableError(unreadable, maskFile!);
    if (!maskFile) return new Uint8Array(voxelCount(header.geometry));
    try {
      const mask = await readMetaImage(join(root, maskFile), { within: root });
      if (!sameGrid(mask.geometry, header.geometry)) {
        throw new AppError('invalid_file', `${maskFile} does not lie on the grid of ${e.imageFile} (size, spacing, origin or direction differ)`, { file: maskFile });
      }
      return toLabelBytes(mask.data, maskFile);
    } catch (err) {
      if (err instanceof AppError && err.code !== 'internal') throw new MaskUnreadableError(err.message, maskFile, err);
      throw err;
    }
  };
}

/** Mask voxels as one byte each; SPIDER values all fit in 0–255, anything else is refused with its value. */
export function toLabelBytes(data: PixelArray, file: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const r = labelBytesOf(data); // the export's worker converts with the same function
  if (r.labels) return r.labels;
  throw new AppError('invalid_file', `${file} holds the label value ${r.bad} at voxel ${r.index}; labels must be integers from 0 to 255`, { file });
}
