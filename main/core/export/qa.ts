// Label QA of a changed series in an export (issue 14): the per-series checks of main/core/qa run on the original
// mask and on the exported labels, so CHANGES.md and the manifest say which findings the edits resolved and which
// they introduced. Dataset-level checks (volume outliers, sibling levels, gradings vs discs) need every series'
// labels and are left to `spine-ws qa` on the exported folder; the section says so.
// The voxel passes (the costly part: up to a few hundred ms for a 640×512×120 volume) run on the export's worker
// with the mask task (workerPool.ts MaskTask.scan, asked for with qaScanTask); only the checks of the two scans
// (about a millisecond) run here, on the main thread.
import type { VolumeGeometry } from '../../../common/geometry.js';
import type { SeriesEntry } from '../dataset/index.js';
import { checkScan, type QaFinding, type QaSeverity } from '../qa/index.js';
import { fromRaw, RUNS_KEPT } from '../qa/scan.js';
import type { RawScan } from '../qa/scanRuns.mjs';

/** A finding as an export records it (no positions: they refer to a volume the reader does not have open). */
export interface QaBrief {
  code: string;
  severity: QaSeverity;
  labels: number[];
  message: string;
}

export interface SeriesQaRecord {
  /** Findings of the per-series checks on the original mask (none when the series had no mask). */
  before: QaBrief[];
  /** Findings of the same checks on the exported labels. */
  after: QaBrief[];
}

const brief = (f: QaFinding): QaBrief => ({ code: f.code, severity: f.severity, labels: [...f.labels], message: f.message });

/** What identifies "the same finding" before and after: its check and the labels it concerns. */
export const findingKey = (f: QaBrief): string => `${f.code}:${f.labels.join(',')}`;

/** What a mask task needs to run the voxel passes of the checks on the worker (MaskTask.scan). */
export const qaScanTask = (geometry: VolumeGeometry): { size: [number, number, number]; runsFor: number[] } => ({ size: [...geometry.size], runsFor: [...RUNS_KEPT] });

/** The per-series checks on the voxel passes a worker ran over the original (null: no mask) and the exported labels. */
export function seriesQaOfScans(e: SeriesEntry, geometry: VolumeGeometry, scans: { before: RawScan | null; after: RawScan }): SeriesQaRecord {
  const check = (raw: RawScan): QaBrief[] => checkScan({ seriesId: e.id, patientId: e.patientId, sequence: e.sequence, geometry }, fromRaw(raw)).findings.map(brief);
  return { before: scans.before ? check(scans.before) : [], after: check(scans.after) };
}

/** Findings present before and gone after (resolved), and present after but not before (new). */
export function qaDelta(r: SeriesQaRecord): { resolved: QaBrief[]; introduced: QaBrief[] } {
  const beforeKeys = new Set(r.before.map(findingKey));
  const afterKeys = new Set(r.after.map(findingKey));
  return {
    resolved: r.before.filter((f) => !afterKeys.has(findingKey(f))),
    introduced: r.after.filter((f) => !beforeKeys.has(findingKey(f))),
  };
}
