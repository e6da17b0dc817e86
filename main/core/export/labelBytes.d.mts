// Types of labelBytes.mjs (plain JavaScript so that the export's worker thread can import it without a loader).

/** Mask voxels as the MetaImage reader returns them (any of the eight scalar pixel types). */
export type LabelSource = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** The labels, one byte per voxel; or the first value outside the integers 0–255 and where it is. */
export type LabelBytesResult = { labels: Uint8Array; bad?: undefined; index?: undefined } | { labels?: undefined; bad: number; index: number };

/**
 * A new uint8 volume with the labels of `data`, or the first value that is not an integer from 0 to 255 and its
 * voxel index. Always a copy (also for a Uint8Array).
 */
export function labelBytesOf(data: LabelSource): LabelBytesResult;
