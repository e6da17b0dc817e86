// The voxel pass behind the checks (scanRuns.mjs, shared with the worker threads) as the checks use it: labels,
// a contact map, and runs per label value for the few labels a check walks voxel by voxel (the canal).
import type { Vec3 } from '../../../common/geometry.js';
import { CANAL_LABEL } from '../../../common/labels.js';
import type { PixelArray } from '../mha/index.js';
import { scanRuns, type RawComponent, type RawLabel, type RawRuns, type RawScan } from './scanRuns.mjs';

export type Component = RawComponent;
export type LabelScan = RawLabel;
export type RunList = RawRuns;
export type Connectivity = 6 | 26;
export type { RawScan };

export interface VolumeScan {
  size: Vec3;
  /** By label value, ascending. */
  labels: LabelScan[];
  /** Faces shared by two different non-zero labels, keyed `${a}:${b}` with a < b. */
  contacts: Map<string, number>;
  /** Runs of a label value listed in RUNS_KEPT (empty for others). */
  runsOf(value: number): RunList;
}

/** Label values whose runs the scan keeps for the checks. */
export const RUNS_KEPT: readonly number[] = [CANAL_LABEL];

/** The scan of a worker (or of scanRuns) as the checks read it. */
export function fromRaw(raw: RawScan): VolumeScan {
  const contacts = new Map<string, number>();
  for (const [a, b, n] of raw.contacts) contacts.set(`${a}:${b}`, n);
  const empty = (value: number): RunList => ({ value, axis: 0, row: new Int32Array(0), start: new Int32Array(0), end: new Int32Array(0), count: 0 });
  return { size: raw.size, labels: raw.labels, contacts, runsOf: (value) => raw.runs.find((r) => r.value === value) ?? empty(value) };
}

/** Scans `data` on a grid of `size` (voxel (i, j, k) at i + nx * (j + ny * k)). */
export function scanVolume(data: PixelArray, size: Vec3, connectivity: Connectivity = 26): VolumeScan {
  return fromRaw(scanRuns(data, size, connectivity, [...RUNS_KEPT]));
}

/** Face contacts between labels a and b. */
export function contactCount(scan: VolumeScan, a: number, b: number): number {
  return scan.contacts.get(a < b ? `${a}:${b}` : `${b}:${a}`) ?? 0;
}
