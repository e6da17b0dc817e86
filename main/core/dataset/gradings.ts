// radiological_gradings.csv (DATASET.md §3.2): one row per (patient, disc) with eight graded findings.
// Parsing with row-level problems, and the header-level cross-check against overview.csv.
import { GRADING_FIELDS } from '../../../common/gradings.js';
import type { GradingFieldSpec } from '../../../common/gradings.js';
import { byLine, DatasetCsvError, headerIndex, parseIntCell, readCsvTable } from './csv.js';
import type { DatasetProblem, GradingRow, GradingsTable, GradingValues, OverviewTable } from './types.js';

export const PATIENT_COLUMN = 'Patient';
export const IVD_LABEL_COLUMN = 'IVD label';
/** The released header spells it "Pfirrman grade"; the correct spelling is accepted as well (and kept as written). */
const COLUMN_ALIASES: Readonly<Record<string, readonly string[]>> = { 'Pfirrman grade': ['Pfirrmann grade'] };
/** Highest disc level a SPIDER mask can hold (value 225, C2/C3; ARCHITECTURE.md §6). */
export const MAX_IVD_LABEL = 25;

interface FieldColumn {
  spec: GradingFieldSpec;
  index: number;
}

/**
 * Parses radiological_gradings.csv.
 *
 * Row policy (each case is a problem with the record's starting line; the other rows still load):
 * - wrong cell count, a Patient that is not a positive integer, or an IVD label that is not an integer in
 *   0–25 → `error`, the row is left out of `rows` (it stays in `records`);
 * - a repeated (Patient, IVD label) → `duplicate_key` error; the first row wins, later ones are left out;
 * - a grading value that is not a legal integer for its field (Modic 0–3, Pfirrmann 1–5, the others 0/1) →
 *   `invalid_value` error; the row is KEPT with that field null and flagged `invalid_value`, so the valid
 *   findings of that disc are not lost;
 * - IVD label 0 (patients 107 and 152 in the release) → kept, flagged `ivd_label_zero`, warning.
 *
 * @throws DatasetCsvError when the file is not text, or (`csv_header`) its header lacks one of the ten
 *   columns; the error names the file and the first missing column.
 */
export function parseGradingsCsv(input: string | Uint8Array, fileLabel: string): GradingsTable {
  const table = readCsvTable(input, fileLabel);
  const { index, duplicates } = headerIndex(table.header);
  const columnIndex = (name: string): number | undefined =>
    index.get(name) ?? (COLUMN_ALIASES[name] ?? []).map((a) => index.get(a)).find((i) => i !== undefined);

  const required = [PATIENT_COLUMN, IVD_LABEL_COLUMN, ...GRADING_FIELDS.map((f) => f.column)];
  const missing = required.filter((c) => columnIndex(c) === undefined);
  if (missing.length > 0) {
    const list = missing.map((c) => `"${c}"`).join(', ');
    throw new DatasetCsvError('csv_header', fileLabel, `header has no ${list} column${missing.length > 1 ? 's' : ''}`, missing[0]);
  }
  const patientIdx = columnIndex(PATIENT_COLUMN)!;
  const ivdIdx = columnIndex(IVD_LABEL_COLUMN)!;
  const fields: FieldColumn[] = GRADING_FIELDS.map((spec) => ({ spec, index: columnIndex(spec.column)! }));

  const problems: DatasetProblem[] = [...table.problems];
  const at = (line: number) => `${fileLabel} line ${line}`;
  const problem = (p: Omit<DatasetProblem, 'file'>) => problems.push({ ...p, file: fileLabel });
  for (const name of new Set(duplicates)) {
    problem({ severity: 'warning', code: 'csv_header', line: table.headerLine, message: `${fileLabel}: column "${name}" appears more than once; the first one is used` });
  }

  const rows: GradingRow[] = [];
  const seen = new Map<string, number>();
  table.records.forEach(({ line, cells }, recordIndex) => {
    if (cells.length !== table.header.length) {
      problem({ severity: 'error', code: 'column_count', line, message: `${at(line)}: ${cells.length} cells where the header has ${table.header.length}; row skipped` });
      return;
    }
    const patientText = cells[patientIdx]!;
    const patient = parseIntCell(patientText);
    if (patient === null || patient < 1) {
      problem({ severity: 'error', code: 'invalid_value', line, message: `${at(line)}: Patient "${patientText}" is not a positive integer; row skipped` });
      return;
    }
    const ivdText = cells[ivdIdx]!;
    const ivdLabel = parseIntCell(ivdText);
    if (ivdLabel === null || ivdLabel < 0 || ivdLabel > MAX_IVD_LABEL) {
      problem({ severity: 'error', code: 'invalid_value', line, patientId: patient, message: `${at(line)}: IVD label "${ivdText}" is not an integer from 0 to ${MAX_IVD_LABEL}; row skipped` });
      return;
    }
    const key = `${patient}:${ivdLabel}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problem({ severity: 'error', code: 'duplicate_key', line, patientId: patient, message: `${at(line)}: patient ${patient} IVD label ${ivdLabel} already graded on line ${first}; row ignored` });
      return;
    }
    seen.set(key, line);

    const flags: GradingRow['flags'] = [];
    const values = {} as GradingValues;
    for (const { spec, index: i } of fields) {
      const text = cells[i]!;
      const v = parseIntCell(text);
      if (v !== null && spec.values.includes(v)) {
        values[spec.field] = v;
        continue;
      }
      values[spec.field] = null;
      if (!flags.includes('invalid_value')) flags.push('invalid_value');
      const legal = `${spec.values[0]}–${spec.values[spec.values.length - 1]}`;
      problem({ severity: 'error', code: 'invalid_value', line, patientId: patient, message: `${at(line)}: ${spec.column} "${text}" is not an integer ${legal}; left empty` });
    }
    if (ivdLabel === 0) {
      flags.push('ivd_label_zero');
      problem({ severity: 'warning', code: 'ivd_label_zero', line, patientId: patient, message: `${at(line)}: patient ${patient} has a row with IVD label 0, which matches no mask value; kept and flagged` });
    }
    rows.push({ line, recordIndex, patient, ivdLabel, ...values, flags });
  });

  problems.sort(byLine);
  return { file: fileLabel, header: table.header, records: table.records, rows, problems, format: table.format };
}

/**
 * Checks gradings against overview.csv without reading any mask. Whether a graded disc exists in a mask can
 * only be known from its voxels; as a header-level approximation a row is flagged `no_matching_disc` when its
 * IVD label exceeds the largest `num_discs` of the patient's series. Also reports gradings of patients absent
 * from overview.csv and overview patients without any gradings. Returns a new table; the input is unchanged.
 */
export function crossCheckGradings(gradings: GradingsTable, overview: OverviewTable): GradingsTable {
  const maxDiscs = new Map<number, number | null>();
  for (const r of overview.rows) {
    const prev = maxDiscs.get(r.patientId);
    const n = r.numDiscs;
    maxDiscs.set(r.patientId, n === null ? (prev ?? null) : Math.max(prev ?? n, n));
  }
  const file = gradings.file;
  const problems: DatasetProblem[] = [];
  const unknownReported = new Set<number>();
  const graded = new Set<number>();

  const rows = gradings.rows.map((row) => {
    graded.add(row.patient);
    if (!maxDiscs.has(row.patient)) {
      if (!unknownReported.has(row.patient)) {
        unknownReported.add(row.patient);
        problems.push({ severity: 'warning', code: 'grading_patient_unknown', file, line: row.line, patientId: row.patient, message: `${file} line ${row.line}: patient ${row.patient} has gradings but no row in ${overview.file}` });
      }
      return row;
    }
    const max = maxDiscs.get(row.patient);
    if (max === null || max === undefined || row.ivdLabel <= max || row.flags.includes('no_matching_disc')) return row;
    problems.push({
      severity: 'warning',
      code: 'no_matching_disc',
      file,
      line: row.line,
      patientId: row.patient,
      message: `${file} line ${row.line}: patient ${row.patient} IVD label ${row.ivdLabel} exceeds the ${max} discs in ${overview.file} (checked from num_discs, not from the masks)`,
    });
    return { ...row, flags: [...row.flags, 'no_matching_disc' as const] };
  });

  for (const patientId of [...maxDiscs.keys()].sort((a, b) => a - b)) {
    if (graded.has(patientId)) continue;
    problems.push({ severity: 'warning', code: 'patient_without_gradings', file, patientId, message: `patient ${patientId} is in ${overview.file} but has no rows in ${file}` });
  }
  return { ...gradings, rows, problems: [...gradings.problems, ...problems] };
}
