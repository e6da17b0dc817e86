// Radiological grading fields per disc level (DATASET.md §3.2) with their legal values and their exact
// radiological_gradings.csv column names (including the released misspelling "Pfirrman grade"). Pure.

export type GradingField =
  | 'pfirrmann'
  | 'modic'
  | 'upEndplate'
  | 'lowEndplate'
  | 'spondylolisthesis'
  | 'herniation'
  | 'narrowing'
  | 'bulging';

export interface GradingFieldSpec {
  field: GradingField;
  /** Column header in radiological_gradings.csv, byte-exact. */
  column: string;
  title: string;
  /** Legal integer values, in display order. */
  values: readonly number[];
  /** Display text for each legal value. */
  valueNames: Readonly<Record<number, string>>;
}

const YES_NO = { 0: 'No', 1: 'Yes' } as const;

export const GRADING_FIELDS: readonly GradingFieldSpec[] = [
  { field: 'modic', column: 'Modic', title: 'Modic', values: [0, 1, 2, 3], valueNames: { 0: 'None', 1: 'Type I', 2: 'Type II', 3: 'Type III' } },
  { field: 'upEndplate', column: 'UP endplate', title: 'Upper endplate change', values: [0, 1], valueNames: YES_NO },
  { field: 'lowEndplate', column: 'LOW endplate', title: 'Lower endplate change', values: [0, 1], valueNames: YES_NO },
  { field: 'spondylolisthesis', column: 'Spondylolisthesis', title: 'Spondylolisthesis', values: [0, 1], valueNames: YES_NO },
  { field: 'herniation', column: 'Disc herniation', title: 'Disc herniation', values: [0, 1], valueNames: YES_NO },
  { field: 'narrowing', column: 'Disc narrowing', title: 'Disc narrowing', values: [0, 1], valueNames: YES_NO },
  { field: 'bulging', column: 'Disc bulging', title: 'Disc bulging', values: [0, 1], valueNames: YES_NO },
  { field: 'pfirrmann', column: 'Pfirrman grade', title: 'Pfirrmann grade', values: [1, 2, 3, 4, 5], valueNames: { 1: 'I', 2: 'II', 3: 'III', 4: 'IV', 5: 'V' } },
];

/** The exact header of radiological_gradings.csv, column order as released. */
export const GRADINGS_HEADER = ['Patient', 'IVD label', ...GRADING_FIELDS.map((f) => f.column)] as const;

export function gradingFieldSpec(field: GradingField): GradingFieldSpec {
  const spec = GRADING_FIELDS.find((f) => f.field === field);
  if (!spec) throw new RangeError(`unknown grading field ${field}`);
  return spec;
}

export function isLegalGradingValue(field: GradingField, value: number): boolean {
  return gradingFieldSpec(field).values.includes(value);
}

/** A level is fully graded when every grading field has a value (the worklist's and the dock's count). */
export function isFullyGraded(values: Readonly<Record<GradingField, number | null>>): boolean {
  return GRADING_FIELDS.every((f) => values[f.field] !== null);
}

/**
 * Whether a field may be set to "no value": only where radiological_gradings.csv holds none (`baseline` null: a
 * level the CSV lacks, or an illegal cell). A CSV value can be changed (and undone back) but never cleared, since
 * an empty cell is not a valid value of the file and every export must read back without errors.
 */
export function isClearable(baseline: number | null): boolean {
  return baseline === null;
}

/** The words an export uses for a new level left out of radiological_gradings.csv (warnings, CHANGES.md). */
export const NOT_EXPORTED_INCOMPLETE = 'not exported: incomplete';
