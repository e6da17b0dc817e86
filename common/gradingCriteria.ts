// What each grading value means, as the grading dock shows it beside its buttons (issue 15): the Pfirrmann
// grades by the four criteria of Pfirrmann et al., Spine 2001;26:1873 (table 1, on sagittal T2), the Modic types
// by their T1 / T2 signal pattern (Modic et al., Radiology 1988), and the yes/no findings by what DATASET.md §3.2
// says the CSV column records. Pure data; tests/unit/common/gradingCriteria.test.ts checks that every legal value
// of common/gradings.ts has an entry.
import type { GradingField } from './gradings.js';

/** One Pfirrmann grade: its roman numeral and the four criteria of the 2001 table, short enough for the dock. */
export interface PfirrmannCriteria {
  grade: number;
  roman: string;
  structure: string;
  /** Distinction of nucleus and annulus. */
  distinction: string;
  /** Signal intensity on T2. */
  signal: string;
  height: string;
  /** The same criteria abbreviated, for narrow docks (laptop windows). */
  short: { structure: string; distinction: string; signal: string; height: string };
}

export const PFIRRMANN_CRITERIA: readonly PfirrmannCriteria[] = [
  {
    grade: 1, roman: 'I', structure: 'homogeneous, bright white', distinction: 'clear', signal: 'hyperintense, isointense to CSF', height: 'normal',
    short: { structure: 'homog., bright white', distinction: 'clear', signal: 'hyper, = CSF', height: 'normal' },
  },
  {
    grade: 2, roman: 'II', structure: 'inhomogeneous, ± horizontal bands', distinction: 'clear', signal: 'hyperintense, isointense to CSF', height: 'normal',
    short: { structure: 'inhomog., ± bands', distinction: 'clear', signal: 'hyper, = CSF', height: 'normal' },
  },
  {
    grade: 3, roman: 'III', structure: 'inhomogeneous, grey', distinction: 'unclear', signal: 'intermediate', height: 'normal to slightly decreased',
    short: { structure: 'inhomog., grey', distinction: 'unclear', signal: 'intermediate', height: 'normal–slight ↓' },
  },
  {
    grade: 4, roman: 'IV', structure: 'inhomogeneous, grey to black', distinction: 'lost', signal: 'intermediate to hypointense', height: 'normal to moderately decreased',
    short: { structure: 'inhomog., grey–black', distinction: 'lost', signal: 'intermed.–hypo', height: 'normal–mod. ↓' },
  },
  {
    grade: 5, roman: 'V', structure: 'inhomogeneous, black', distinction: 'lost', signal: 'hypointense', height: 'collapsed disc space',
    short: { structure: 'inhomog., black', distinction: 'lost', signal: 'hypo', height: 'collapsed' },
  },
];

/** The criteria's names, in the table's column order (the dock's header line and the buttons' titles). */
export const PFIRRMANN_CRITERIA_NAMES = { structure: 'structure', distinction: 'nucleus / annulus', signal: 'T2 signal', height: 'disc height' } as const;
/** The criteria's names abbreviated, for narrow docks. */
export const PFIRRMANN_CRITERIA_SHORT_NAMES = { structure: 'structure', distinction: 'nucl./ann.', signal: 'T2 signal', height: 'height' } as const;

/** One Modic type: the vertebral endplate marrow signal on T1 and T2 (0 = none). */
export interface ModicCriteria {
  type: number;
  name: string;
  t1: string;
  t2: string;
}

export const MODIC_CRITERIA: readonly ModicCriteria[] = [
  { type: 0, name: 'none', t1: '', t2: '' },
  { type: 1, name: 'type I', t1: 'hypo', t2: 'hyper' },
  { type: 2, name: 'type II', t1: 'hyper', t2: 'iso–hyper' },
  { type: 3, name: 'type III', t1: 'hypo', t2: 'hypo' },
];

/** The yes/no findings: what "yes" records (DATASET.md §3.2). */
export const FINDING_CRITERIA: Readonly<Partial<Record<GradingField, string>>> = {
  upEndplate: 'endplate change or Schmorl node at the upper endplate of the disc space',
  lowEndplate: 'endplate change or Schmorl node at the lower endplate of the disc space',
  spondylolisthesis: 'spondylolisthesis at this level',
  herniation: 'disc herniation at this level',
  narrowing: 'disc space narrowing',
  bulging: 'disc bulging',
};

/** The Pfirrmann grade's criteria in one line: "III: inhomogeneous, grey; nucleus / annulus unclear; …". */
export function pfirrmannLine(c: PfirrmannCriteria): string {
  const n = PFIRRMANN_CRITERIA_NAMES;
  return `${c.roman}: ${c.structure}; ${n.distinction} ${c.distinction}; ${n.signal} ${c.signal}; ${n.height} ${c.height}`;
}

/** The Modic type's signal pattern in one line: "type II: T1 hyper / T2 iso–hyper", "none". */
export function modicLine(c: ModicCriteria): string {
  return c.type === 0 ? 'none' : `${c.name}: T1 ${c.t1} / T2 ${c.t2}`;
}

/**
 * The criteria text of one value of a grading field, or null when there is none (an illegal value). Yes/no
 * findings: "no: …" / "yes: …".
 */
export function criteriaText(field: GradingField, value: number): string | null {
  if (field === 'pfirrmann') {
    const c = PFIRRMANN_CRITERIA.find((x) => x.grade === value);
    return c ? pfirrmannLine(c) : null;
  }
  if (field === 'modic') {
    const c = MODIC_CRITERIA.find((x) => x.type === value);
    return c ? modicLine(c) : null;
  }
  const what = FINDING_CRITERIA[field];
  if (!what || (value !== 0 && value !== 1)) return null;
  return `${value === 1 ? 'yes' : 'no'}: ${what}`;
}

/** Series ids of a patient that are T2-weighted (`_t2`, `_t2_SPACE`): Pfirrmann is defined on T2. */
export function t2Series(seriesIds: readonly string[]): string[] {
  return seriesIds.filter((id) => /_t2(_SPACE)?$/.test(id));
}
