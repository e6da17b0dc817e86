// Which one-click fix applies to a QA finding (issue 14 item 2), and only where the fix is certain. Pure: decides
// from the series' QA report (its findings, its label centroids, its siblings' label centroids). What "certain"
// means for each kind is written next to it below; anything else gets no Fix button (a person decides).
import type { QaFindingInfo, QaSeriesReport } from '../../common/contract.js';
import { DISC_OFFSET, isKnownLabel, labelInfo, MAX_VERTEBRA_INDEX } from '../../common/labels.js';
import { levelOffset } from '../../common/levelAnchor.js';
import { singleTransposition, spineLevels, type SpineLevels } from './levels.js';

export type QaFix =
  /** Remove the small parts of `label` (each under QA_SPLIT_FRACTION of its largest part); the largest part stays. */
  | { kind: 'islands'; label: number; why: string }
  /** Exchange two labels (a vertebra pair or a disc pair). */
  | { kind: 'swap'; a: number; b: number; why: string }
  /** Levels `from`..`to` (vertebra n, partial 100 + n, disc 200 + n) move by `delta`. */
  | { kind: 'shift'; from: number; to: number; delta: number; why: string };

const nameOf = (v: number): string => (isKnownLabel(v) ? labelInfo(v).name : String(v));

/** What the Fix button says. */
export function fixLabel(fix: QaFix): string {
  switch (fix.kind) {
    case 'islands':
      return `Remove islands of ${nameOf(fix.label)}`;
    case 'swap':
      return `Swap ${nameOf(fix.a)} ↔ ${nameOf(fix.b)}`;
    case 'shift':
      return `Shift levels ${fix.from}–${fix.to} ${fix.delta > 0 ? 'up' : 'down'} by ${Math.abs(fix.delta)}`;
  }
}

/** The fix for `finding` when one is certain, else null. */
export function fixFor(finding: QaFindingInfo, report: Pick<QaSeriesReport, 'findings' | 'labels' | 'siblings'>): QaFix | null {
  switch (finding.code) {
    case 'island':
      return islandFix(finding);
    case 'far_from_spine':
      return farFix(finding, report);
    case 'level_order':
      return vertebraSwap(spineLevels(report.labels));
    case 'disc_position':
      return discSwap(finding, spineLevels(report.labels));
    case 'level_gap':
      return gapShift(spineLevels(report.labels));
    case 'sibling_levels':
      return siblingShift(report);
    default:
      return null;
  }
}

/**
 * Islands: certain for a part under a tenth of the structure's largest part (the checks report those as warnings;
 * a larger part is a split structure, severity error, and gets no fix). The largest part always stays.
 */
function islandFix(f: QaFindingInfo): QaFix | null {
  if (f.severity !== 'warning' || f.labels.length !== 1) return null;
  return { kind: 'islands', label: f.labels[0]!, why: 'parts under a tenth of the largest part are removed; the largest part stays' };
}

/**
 * A part far from the spine: the same island removal, when the structure has small islands and the far part is not
 * its main part (the finding lies away from the label's centroid, which its largest part dominates).
 */
function farFix(f: QaFindingInfo, report: Pick<QaSeriesReport, 'findings' | 'labels'>): QaFix | null {
  const label = f.labels[0];
  if (label === undefined || !f.world) return null;
  if (!report.findings.some((g) => g.code === 'island' && g.severity === 'warning' && g.labels[0] === label)) return null;
  const c = report.labels.find((l) => l.value === label)?.centroidWorld;
  if (!c) return null;
  const d = Math.hypot(f.world[0] - c[0], f.world[1] - c[1], f.world[2] - c[2]);
  if (d < 10) return null;
  return { kind: 'islands', label, why: 'the far part is a small island of the structure; the largest part stays' };
}

/** Two vertebrae exchanged: certain when exchanging exactly one pair puts every vertebra in order along the spine. */
function vertebraSwap(s: SpineLevels): QaFix | null {
  const levels = [...s.vertebrae.keys()];
  if (levels.length < 3) return null;
  const t = singleTransposition(levels, (n) => s.pos(s.vertebrae.get(n)!));
  if (!t) return null;
  const a = s.vertebrae.get(t[0])!, b = s.vertebrae.get(t[1])!;
  return { kind: 'swap', a, b, why: 'exchanging these two labels puts every vertebra in order along the spine' };
}

/** Two discs exchanged: the same rule over the discs, for a disc_position finding of one of the pair. */
function discSwap(f: QaFindingInfo, s: SpineLevels): QaFix | null {
  const levels = s.discs.map((v) => v - DISC_OFFSET);
  if (levels.length < 3) return null;
  const t = singleTransposition(levels, (n) => s.pos(DISC_OFFSET + n));
  if (!t) return null;
  const a = DISC_OFFSET + t[0], b = DISC_OFFSET + t[1];
  if (!f.labels.includes(a) && !f.labels.includes(b)) return null;
  return { kind: 'swap', a, b, why: 'exchanging these two discs puts every disc in order along the spine' };
}

/** A level gap wider than this many median vertebra steps may hide an unlabelled vertebra: no shift then. */
export const GAP_STEP_RATIO = 1.5;

/**
 * A numbering gap that closes by shifting: certain when (1) it is the series' only gap, (2) the numbering below it
 * starts at 1 (label n is the n-th vertebra above the sacrum, so the run from 1 is right), (3) the vertebrae on
 * both sides of the gap are one vertebra step apart along the spine (under GAP_STEP_RATIO median steps: no room
 * for an unlabelled vertebra), and (4) no disc is labelled inside the gap. The run above the gap moves down.
 */
function gapShift(s: SpineLevels): QaFix | null {
  const levels = [...s.vertebrae.keys()];
  if (levels[0] !== 1 || s.step === null) return null;
  const gaps: [number, number][] = [];
  for (let i = 0; i + 1 < levels.length; i++) if (levels[i + 1]! - levels[i]! > 1) gaps.push([levels[i]!, levels[i + 1]!]);
  if (gaps.length !== 1) return null;
  const [below, above] = gaps[0]!;
  const d = s.pos(s.vertebrae.get(above)!) - s.pos(s.vertebrae.get(below)!);
  if (!(d > 0 && d < GAP_STEP_RATIO * s.step)) return null;
  if (s.discs.some((v) => v - DISC_OFFSET > below && v - DISC_OFFSET < above)) return null;
  const top = Math.max(levels[levels.length - 1]!, ...s.discs.map((v) => v - DISC_OFFSET));
  const delta = below + 1 - above;
  return {
    kind: 'shift', from: above, to: top, delta,
    why: `vertebrae ${below} and ${above} are one vertebra apart along the spine and the numbering from the sacrum starts at 1`,
  };
}

/**
 * Every level one (or k) off from the patient's other series: certain when each of this series' vertebrae lies
 * where a sibling has vertebra n + k (centroids within half a vertebra step), the same k ≠ 0 for every sibling
 * that matches, and either two or more siblings agree (this series is the odd one out) or, with one sibling, the
 * shift makes this series count from 1 where the sibling does (label 1 is the lowest vertebra above the sacrum).
 */
function siblingShift(report: Pick<QaSeriesReport, 'labels' | 'siblings'>): QaFix | null {
  const mine = spineLevels(report.labels);
  const levels = [...mine.vertebrae.keys()];
  if (levels.length < 2) return null;
  const offsets: { k: number; siblingLowest: number }[] = [];
  for (const sib of report.siblings) {
    const k = levelOffset(report.labels, sib.labels);
    if (k !== null) offsets.push({ k, siblingLowest: [...spineLevels(sib.labels).vertebrae.keys()][0]! });
  }
  if (offsets.length === 0) return null;
  const k = offsets[0]!.k;
  if (k === 0 || offsets.some((o) => o.k !== k)) return null;
  const lowest = levels[0]!;
  if (offsets.length === 1 && !(offsets[0]!.siblingLowest === 1 && lowest + k === 1)) return null;
  const discLevels = mine.discs.map((v) => v - DISC_OFFSET);
  const from = Math.min(lowest, ...discLevels);
  const to = Math.max(levels[levels.length - 1]!, ...discLevels);
  if (from + k < 1 || to + k > MAX_VERTEBRA_INDEX) return null;
  return {
    kind: 'shift', from, to, delta: k,
    why: offsets.length > 1
      ? `the patient's other ${offsets.length} series carry the same vertebrae ${Math.abs(k)} level${Math.abs(k) > 1 ? 's' : ''} ${k > 0 ? 'higher' : 'lower'}`
      : 'the sibling series counts the same vertebrae from 1 (the lowest above the sacrum)',
  };
}
