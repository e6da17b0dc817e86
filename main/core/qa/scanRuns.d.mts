// Types of scanRuns.mjs (plain JavaScript so that the QA worker threads can import it without a loader).

export type LabelData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface RawComponent {
  voxels: number;
  /** Sum of the voxel indices (centroid = sum / voxels). */
  sum: [number, number, number];
}

export interface RawLabel {
  value: number;
  voxels: number;
  sum: [number, number, number];
  min: [number, number, number];
  max: [number, number, number];
  /** Largest first. */
  components: RawComponent[];
}

export interface RawRuns {
  value: number;
  /** The run axis: 0 along i (rows j + ny * k), 1 along j (rows i + nx * k). */
  axis: 0 | 1;
  /** Row of each run. */
  row: Int32Array;
  /** First voxel along the run axis. */
  start: Int32Array;
  /** Inclusive. */
  end: Int32Array;
  count: number;
}

/** Plain data (structured-clonable): what a worker posts back. */
export interface RawScan {
  size: [number, number, number];
  /** By label value, ascending. */
  labels: RawLabel[];
  /** [a, b, faces] with a < b: faces shared by two different non-zero labels. */
  contacts: [number, number, number][];
  /** The runs of the values asked for, in that order. */
  runs: RawRuns[];
}

/** Rows along i at most this fraction of those along j: an 8/16-bit mask is cut into runs along j. */
export const ALONG_J_RATIO: number;

/** The voxel pass fed in pieces: consecutive pieces of the flat volume in memory order, of any length. */
export class RunScanner {
  constructor(size: [number, number, number], bytesPerVoxel: number, connectivity?: 6 | 26, opts?: { alongJ?: boolean });
  /** Voxels fed so far. */
  readonly fed: number;
  /** Scans the next piece (voxels fed .. fed + data.length - 1; anything past the volume's end is ignored). */
  feed(data: LabelData): void;
  /** Ends the pass. */
  result(runsFor: number[]): RawScan;
}

export function scanRuns(data: LabelData, size: [number, number, number], connectivity?: 6 | 26, runsFor?: number[], opts?: { alongJ?: boolean }): RawScan;
