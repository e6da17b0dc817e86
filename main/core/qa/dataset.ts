// Dataset-level label checks (issue 14 item 1): per-label volume outliers against the dataset's distribution
// for that label and sequence (robust z-score), sibling series carrying the same levels, and gradings rows vs
// labelled discs. Pure: works on the per-series summaries and the parsed gradings rows.
import { DISC_OFFSET, isDisc, isPartialVertebra, isVertebra, labelInfo, PARTIAL_VERTEBRA_OFFSET } from '../../../common/labels.js';
import type { QaFinding, SeriesQaSummary } from './types.js';

/** |robust z| above this is an outlier (Iglewicz & Hoaglin). */
export const OUTLIER_Z = 3.5;
/** Fewest series of a label and sequence for the volume distribution to be judged. */
export const MIN_OUTLIER_GROUP = 8;

const name = (v: number): string => `${v} (${labelInfo(v).name})`;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The MAD is taken as at least this fraction of the median: near-identical volumes give no outliers. */
export const MIN_MAD_FRACTION = 0.05;

/**
 * Robust z-scores 0.6745 · (x − median) / MAD, the MAD floored at `minMadFraction` × |median| (a group of almost
 * equal volumes has a MAD near 0, which would make any small difference an outlier); all zero when it is 0.
 */
export function robustZ(xs: readonly number[], minMadFraction = 0): number[] {
  const med = median(xs);
  const mad = Math.max(median(xs.map((x) => Math.abs(x - med))), minMadFraction * Math.abs(med));
  return xs.map((x) => (mad === 0 ? 0 : (0.6745 * (x - med)) / mad));
}

export function volumeOutliers(series: readonly SeriesQaSummary[]): QaFinding[] {
  const groups = new Map<string, { s: SeriesQaSummary; value: number; mm3: number; at: SeriesQaSummary['labels'][number] }[]>();
  for (const s of series) {
    for (const l of s.labels) {
      const key = `${l.value}\u0000${s.sequence}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ s, value: l.value, mm3: l.voxels * s.voxelVolume, at: l });
    }
  }
  const out: QaFinding[] = [];
  for (const g of groups.values()) {
    if (g.length < MIN_OUTLIER_GROUP) continue;
    const z = robustZ(g.map((x) => x.mm3), MIN_MAD_FRACTION);
    const med = median(g.map((x) => x.mm3));
    g.forEach((x, n) => {
      if (Math.abs(z[n]!) <= OUTLIER_Z) return;
      let label: string;
      try {
        label = name(x.value);
      } catch {
        label = String(x.value);
      }
      out.push({
        code: 'volume_outlier',
        severity: 'warning',
        seriesId: x.s.seriesId,
        patientId: x.s.patientId,
        labels: [x.value],
        ijk: x.at.centroidIjk.map(Math.round) as [number, number, number],
        world: x.at.centroidWorld,
        message: `${label} measures ${(x.mm3 / 1000).toFixed(1)} cm³, robust z ${z[n]!.toFixed(1)} against the median ${(med / 1000).toFixed(1)} cm³ of ${g.length} ${x.s.sequence} series`,
      });
    });
  }
  return out;
}

/** Vertebra levels (partial counted as its level, reported as n) and disc values of a series. */
function levelSet(s: SeriesQaSummary): Set<number> {
  const out = new Set<number>();
  for (const l of s.labels) {
    if (isVertebra(l.value) || isDisc(l.value)) out.add(l.value);
    else if (isPartialVertebra(l.value)) out.add(l.value - PARTIAL_VERTEBRA_OFFSET);
  }
  return out;
}

export function siblingLevels(series: readonly SeriesQaSummary[]): QaFinding[] {
  const byPatient = new Map<number, SeriesQaSummary[]>();
  for (const s of series) {
    const list = byPatient.get(s.patientId) ?? [];
    list.push(s);
    byPatient.set(s.patientId, list);
  }
  const out: QaFinding[] = [];
  for (const list of byPatient.values()) {
    if (list.length < 2) continue;
    const sets = list.map(levelSet);
    list.forEach((s, a) => {
      const missing = new Map<number, string>();
      list.forEach((t, b) => {
        if (a === b) return;
        for (const v of sets[b]!) if (!sets[a]!.has(v) && !missing.has(v)) missing.set(v, t.seriesId);
      });
      if (missing.size === 0) return;
      const labels = [...missing.keys()].sort((x, y) => x - y);
      out.push({
        code: 'sibling_levels',
        severity: 'warning',
        seriesId: s.seriesId,
        patientId: s.patientId,
        labels,
        message: `lacks ${labels.map((v) => `${name(v)} (in ${missing.get(v)})`).join(', ')} that the patient's other series carry`,
      });
    });
  }
  return out;
}

/** Gradings rows (Patient, IVD label k ↔ disc 200 + k) against the discs each series labels. */
export function gradingsVsDiscs(series: readonly SeriesQaSummary[], graded: ReadonlyMap<number, readonly number[]>): QaFinding[] {
  const out: QaFinding[] = [];
  for (const s of series) {
    const levels = graded.get(s.patientId);
    if (!levels || levels.length === 0) continue; // no gradings for the patient: the dataset scan reports it
    const discs = new Set(s.labels.filter((l) => isDisc(l.value)).map((l) => l.value - DISC_OFFSET));
    const gradedSet = new Set(levels.filter((k) => k > 0));
    for (const k of [...gradedSet].sort((a, b) => a - b)) {
      if (discs.has(k)) continue;
      out.push({
        code: 'grading_without_disc',
        severity: 'warning',
        seriesId: s.seriesId,
        patientId: s.patientId,
        labels: [DISC_OFFSET + k],
        message: `patient ${s.patientId} has a gradings row for IVD label ${k} but the mask has no disc ${name(DISC_OFFSET + k)}`,
      });
    }
    for (const l of s.labels) {
      if (!isDisc(l.value) || gradedSet.has(l.value - DISC_OFFSET)) continue;
      out.push({
        code: 'disc_without_grading',
        severity: 'warning',
        seriesId: s.seriesId,
        patientId: s.patientId,
        labels: [l.value],
        ijk: l.centroidIjk.map(Math.round) as [number, number, number],
        world: l.centroidWorld,
        message: `disc ${name(l.value)} has no gradings row (Patient ${s.patientId}, IVD label ${l.value - DISC_OFFSET})`,
      });
    }
  }
  return out;
}
