// Label QA of a changed series in an export (issue 14): the per-series checks of main/core/qa run on the original
// mask and on the exported labels, so CHANGES.md and the manifest say which findings the edits resolved and which
// they introduced. Dataset-level checks (volume outliers, sibling levels, gradings vs discs) need every series'
// labels and are left to `spine-ws qa` on the exported folder; the section says so.
import type { VolumeGeometry } from '../../../common/geometry.js';
import type { SeriesEntry } from '../dataset/index.js';
import { checkSeries, type QaFinding, type QaSeverity } from '../qa/index.js';

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

/** Runs the per-series checks on both volumes. Call before the volumes are handed to a worker (transfer detaches them). */
export function seriesQa(e: SeriesEntry, geometry: VolumeGeometry, original: Uint8Array | null, current: Uint8Array): SeriesQaRecord {
  const check = (data: Uint8Array): QaBrief[] =>
    checkSeries({ seriesId: e.id, patientId: e.patientId, sequence: e.sequence, geometry, data }).findings.map(brief);
  return { before: original ? check(original) : [], after: check(current) };
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
