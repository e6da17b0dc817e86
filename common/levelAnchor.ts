// Level anchor check of one series before grading (issue 15, item 4): is the vertebra naming right? Label n is the
// n-th vertebra above the sacrum (label 1 normally L5, disc 201 = L5/S1 directly below it). Checked on the label
// centroids the QA report carries (qaSeries: the series' labels and its siblings'):
// - the lowest vertebra present is 1 and the disc below it is labelled;
// - the counts of vertebrae and discs, against overview.csv's num_vertebrae / num_discs where present;
// - the discs against the levels the gradings CSV has rows for;
// - the patient's other series (t1 / t2 / t2_SPACE) name the same vertebrae the same: each of this series'
//   vertebrae is paired with the sibling vertebra whose centroid lies within half a vertebra step, and every pair
//   must have the same label offset (0 = agree).
// A shift of this series' naming is offered only when it is certain, by the rule of the QA one-click fix for
// `sibling_levels` (renderer/qa/decide.ts): every sibling matches with the same offset k ≠ 0, and either two or more
// siblings agree (this series is the odd one out) or the one sibling counts from 1 and the shift makes this series
// count from 1 too. Pure: no DOM, no I/O.
import { sequenceName } from './sequences.js';
import type { Vec3 } from './geometry.js';
import { DISC_OFFSET, discName, isDisc, isPartialVertebra, isVertebra, MAX_VERTEBRA_INDEX, PARTIAL_VERTEBRA_OFFSET, vertebraName } from './labels.js';
import { principalAxis } from './spineAxis.js';

/** One label of a series with its centroid (a QaLabelSummary fits). */
export interface LevelLabel {
  value: number;
  centroidWorld: Vec3;
}

export interface LevelAnchorInput {
  seriesId: string;
  labels: readonly LevelLabel[];
  /** The patient's other series with their labels (as last checked). */
  siblings: readonly { seriesId: string; labels: readonly LevelLabel[] }[];
  /** overview.csv counts of this series; null or absent: no row. */
  overview?: { numVertebrae: number | null; numDiscs: number | null } | null;
  /** IVD labels (k ≥ 1) the gradings CSV has rows for (the patient); empty or absent: none. */
  csvLevels?: readonly number[];
}

export interface SiblingLevels {
  seriesId: string;
  /** 'T1', 'T2', 'T2 SPACE'. */
  name: string;
  /** k: the sibling labels m = n + k where this series labels n; null when the vertebrae cannot be paired consistently. */
  offset: number | null;
}

/** Levels from..to (vertebra n, partial 100 + n, disc 200 + n) move by delta: renderer/qa's 'shift' fix. */
export interface LevelShift {
  from: number;
  to: number;
  delta: number;
  why: string;
}

export interface LevelAnchor {
  /** Nothing is off. */
  ok: boolean;
  lowest: number | null;
  highest: number | null;
  /** Vertebra levels present (a full or partial vertebra each), and discs present. */
  vertebrae: number;
  discs: number;
  siblings: SiblingLevels[];
  /** What is off, each a short phrase. */
  problems: string[];
  /** The certain shift of this series' naming; null when there is none. */
  shift: LevelShift | null;
  /** Why no shift is offered (empty when one is). */
  noShift: string;
  /** The compact line: "Levels L5–T11: 7 vertebrae, 7 discs, T1 = T2 ✓" or what is off. */
  line: string;
}

export { sequenceName };

/** '1–3, 5' */
export function ranges(levels: readonly number[]): string {
  const s = [...new Set(levels)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(i === j ? `${s[i]}` : `${s[i]}–${s[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

interface Spine {
  /** Vertebra level n → centroid (the full vertebra's, else the partial one's). */
  vertebrae: Map<number, Vec3>;
  discs: number[];
  /** Median distance along the spine between vertebrae with consecutive numbers; null with fewer than two. */
  step: number | null;
}

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

function spineOf(labels: readonly LevelLabel[]): Spine {
  const v = new Map<number, Vec3>();
  for (const l of labels) if (isVertebra(l.value)) v.set(l.value, l.centroidWorld);
  for (const l of labels) {
    const n = l.value - PARTIAL_VERTEBRA_OFFSET;
    if (isPartialVertebra(l.value) && !v.has(n)) v.set(n, l.centroidWorld);
  }
  const vertebrae = new Map([...v.entries()].sort((a, b) => a[0] - b[0]));
  const axis = principalAxis([...vertebrae.values()]);
  const steps: number[] = [];
  for (const [n, c] of vertebrae) {
    const next = vertebrae.get(n + 1);
    if (next) steps.push(Math.abs(dot(next, axis) - dot(c, axis)));
  }
  steps.sort((a, b) => a - b);
  const discs = labels.filter((l) => isDisc(l.value)).map((l) => l.value - DISC_OFFSET).sort((a, b) => a - b);
  return { vertebrae, discs, step: steps.length ? steps[steps.length >> 1]! : null };
}

/** The label offset k of `theirs` against `mine` (same k for every vertebra of mine), or null. */
function offsetAgainst(mine: Spine, theirs: Spine): number | null {
  const step = mine.step ?? theirs.step;
  if (step === null || mine.vertebrae.size < 2 || theirs.vertebrae.size < 2) return null;
  let k: number | null = null;
  for (const [n, c] of mine.vertebrae) {
    let best: { m: number; d: number } | null = null;
    for (const [m, o] of theirs.vertebrae) {
      const d = Math.hypot(c[0] - o[0], c[1] - o[1], c[2] - o[2]);
      if (d <= step / 2 && (!best || d < best.d)) best = { m, d };
    }
    if (!best || (k !== null && best.m - n !== k)) return null;
    k = best.m - n;
  }
  return k;
}

/**
 * The label offset k of a sibling series against this one: each of this series' vertebrae (full, else partial) lies
 * within half a vertebra step of the sibling's vertebra n + k, the same k for all; null when they do not pair so
 * (or either has fewer than two vertebrae). The one pairing rule of the level check and the QA shift fix.
 */
export function levelOffset(mine: readonly LevelLabel[], theirs: readonly LevelLabel[]): number | null {
  return offsetAgainst(spineOf(mine), spineOf(theirs));
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The level anchor check of one series. */
export function checkLevelAnchor(input: LevelAnchorInput): LevelAnchor {
  const mine = spineOf(input.labels);
  const me = sequenceName(input.seriesId);
  const levels = [...mine.vertebrae.keys()];
  const lowest = levels[0] ?? null;
  const highest = levels.at(-1) ?? null;
  const problems: string[] = [];
  if (lowest === null) {
    return { ok: false, lowest, highest, vertebrae: 0, discs: mine.discs.length, siblings: [], problems: ['no vertebra labelled'], shift: null, noShift: 'no vertebra labelled', line: `⚠ Levels: no vertebra labelled in ${me}` };
  }
  if (lowest !== 1) problems.push(`lowest vertebra is ${lowest} (${vertebraName(lowest)}), not 1 (L5)`);
  if (!mine.discs.includes(lowest)) problems.push(`no disc ${DISC_OFFSET + lowest} (${discName(lowest)}) below the lowest vertebra`);
  const below = mine.discs.filter((k) => k < lowest);
  if (below.length) problems.push(`disc ${ranges(below.map((k) => DISC_OFFSET + k))} below the lowest vertebra`);

  // Siblings without any vertebra (no mask, or not labelled) have nothing to compare.
  const spines = input.siblings
    .map((s) => ({ seriesId: s.seriesId, spine: spineOf(s.labels) }))
    .filter((s) => s.spine.vertebrae.size > 0)
    .sort((a, b) => (a.seriesId < b.seriesId ? -1 : 1));
  const siblings: SiblingLevels[] = spines.map((s) => ({ seriesId: s.seriesId, name: sequenceName(s.seriesId), offset: offsetAgainst(mine, s.spine) }));
  const lowestOf = new Map(spines.map((s) => [s.seriesId, [...s.spine.vertebrae.keys()][0]]));
  const byOffset = new Map<number | null, string[]>();
  for (const s of siblings) byOffset.set(s.offset, [...(byOffset.get(s.offset) ?? []), s.name]);
  for (const [k, names] of byOffset) {
    if (k === 0) continue;
    if (k === null) problems.push(`${me} vertebrae do not pair with ${names.join(', ')}'s`);
    else problems.push(`${me} is named ${plural(Math.abs(k), 'level')} ${k < 0 ? 'above' : 'below'} ${names.join(', ')}`);
  }

  const ov = input.overview;
  if (ov && ((ov.numVertebrae !== null && ov.numVertebrae !== levels.length) || (ov.numDiscs !== null && ov.numDiscs !== mine.discs.length))) {
    problems.push(`overview.csv says ${ov.numVertebrae ?? '?'} vertebrae, ${ov.numDiscs ?? '?'} discs`);
  }
  const csv = [...new Set(input.csvLevels ?? [])].filter((k) => k >= 1);
  if (csv.length && ranges(csv) !== ranges(mine.discs)) {
    problems.push(`gradings CSV levels ${ranges(csv)}, discs ${ranges(mine.discs) || 'none'}`);
  }

  // The certain shift (the sibling_levels fix rule).
  let shift: LevelShift | null = null;
  let noShift = '';
  const ks = siblings.map((s) => s.offset);
  if (problems.length === 0) noShift = 'the naming is not off';
  else if (siblings.length === 0) noShift = 'no sibling series with labels to compare with';
  else if (ks.some((k) => k === null)) noShift = `the vertebrae do not pair with every sibling series`;
  else if (new Set(ks).size > 1) noShift = 'the sibling series disagree with each other';
  else if (ks[0] === 0) noShift = 'the sibling series name the vertebrae the same way';
  else {
    const k = ks[0]!;
    const sib = siblings[0]!;
    const discLevels = mine.discs;
    const from = Math.min(lowest, ...discLevels);
    const to = Math.max(highest!, ...discLevels);
    if (siblings.length === 1 && !(lowestOf.get(sib.seriesId) === 1 && lowest + k === 1)) {
      noShift = `only ${sib.name} to compare with, and the shift would not make ${me} count from 1`;
    } else if (from + k < 1 || to + k > MAX_VERTEBRA_INDEX) {
      noShift = `the shift would move a level out of 1–${MAX_VERTEBRA_INDEX}`;
    } else {
      const why = siblings.length > 1
        ? `${siblings.map((s) => s.name).join(' and ')} name the same vertebrae ${plural(Math.abs(k), 'level')} ${k > 0 ? 'higher' : 'lower'}`
        : `${sib.name} counts the same vertebrae from 1 (the lowest above the sacrum)`;
      shift = { from, to, delta: k, why };
    }
  }

  const counts = `${plural(levels.length, 'vertebra').replace('vertebras', 'vertebrae')}, ${plural(mine.discs.length, 'disc')}`;
  const span = `Levels ${vertebraName(lowest)}–${vertebraName(highest!)}`;
  const agree = [{ seriesId: input.seriesId, name: me }, ...siblings.filter((s) => s.offset === 0)]
    .sort((a, b) => (a.seriesId < b.seriesId ? -1 : 1))
    .map((s) => s.name);
  const ok = problems.length === 0;
  const line = ok
    ? `${span}: ${counts}${agree.length > 1 ? `, ${agree.join(' = ')}` : ''} ✓`
    : `⚠ ${span}: ${counts}: ${problems.join('; ')}`;
  return { ok, lowest, highest, vertebrae: levels.length, discs: mine.discs.length, siblings, problems, shift, noShift, line };
}
