// radiological_gradings.csv for an export: the source bytes with edited cells replaced in place and new levels
// appended, plus the list of grading changes for the manifest. Pure except for reading the store (synchronous,
// so the gradings are one consistent snapshot).
//
// What is exported (so that every export passes `spine-ws info` with 0 errors, i.e. no empty or illegal cell is
// ever written):
// - a level the source CSV has: every stored value that differs from the CSV cell replaces that cell. A stored
//   blank over a CSV value (the service refuses to make one; an older store may hold one) is not exported: the CSV
//   value stays and a warning says so. So does a stored value that is not legal for its field (never stored by
//   the service; the store keeps any integer).
// - a level the source CSV lacks: appended only when it is complete (every grading field has a value,
//   common/gradings.ts isFullyGraded). An incomplete one with at least one value is left out and listed in
//   `notExported` (and as a warning "… not exported: incomplete …"); `--strict` turns that into a refusal.
//
// Byte policy: the record and cell boundaries are the parser's own (dataset/csv.ts record spans), never a
// re-split. Every byte outside the edited cells is kept (header, BOM, line terminators of any kind, blank lines,
// quoting of other cells, a missing final newline). An edited cell gets the new integer as plain decimal text
// (quoted if the cell was quoted). New levels go after the last record and the line breaks that follow it, in
// (Patient, IVD label) order and the header's column order, each line ended by the file's dominant line break
// (dataset/csv.ts dominantLineBreak: CRLF, LF, CR or a run such as \r\r\n); when the last record has no line
// break, one is written before the first appended row (and the file again ends without one).
import { AppError } from '../../../common/errors.js';
import { GRADING_FIELDS, isFullyGraded, isLegalGradingValue, NOT_EXPORTED_INCOMPLETE, type GradingField } from '../../../common/gradings.js';
import { cellSpans, dominantLineBreak, readCsvTable, type LocatedCsvRecord } from '../dataset/index.js';
import type { GradingsTable } from '../dataset/index.js';
import type { AnnotatorId, Store } from '../store/index.js';

/** The service fields of the gradings store (main/core/gradings/service.ts) that are not grading fields. */
const FIELD_IDS = new Set<string>(GRADING_FIELDS.map((f) => f.field));
const ALIASES: Record<string, readonly string[]> = { 'Pfirrman grade': ['Pfirrmann grade'] };

export interface GradingChange {
  patientId: number;
  ivdLabel: number;
  field: GradingField;
  /** Exact CSV column the value went to. */
  column: string;
  /** The source CSV's value (null: no row, or an empty/illegal cell). */
  old: number | null;
  new: number | null;
  /** Who made the latest change of this cell, and when (ISO-8601 UTC). */
  annotator: string;
  time: string;
  /** Changes of this cell in the store's history (undos included). */
  events: number;
  /** 'edited': a cell of an existing row; 'appended': a level the source CSV had no row for. */
  kind: 'edited' | 'appended';
}

/** A level graded in the store that the export leaves out of radiological_gradings.csv. */
export interface LevelNotExported {
  patientId: number;
  ivdLabel: number;
  /** 'incomplete': a level the CSV lacks with some but not all grading fields set. */
  reason: 'incomplete';
  /** CSV columns of the fields without a value, in header order. */
  missing: string[];
}

export interface GradingsExport {
  /** The file's new bytes (the source bytes when nothing changed). */
  bytes: Uint8Array;
  changed: boolean;
  changes: GradingChange[];
  /** Appended rows as (patient, IVD label), in file order. */
  appended: { patientId: number; ivdLabel: number }[];
  /** New levels left out of the file, by (patient, IVD label). */
  notExported: LevelNotExported[];
  warnings: string[];
}

/** `--strict` refusal: some levels would be left out of the export. */
export class LevelsNotExportedError extends AppError {
  readonly levels: LevelNotExported[];
  constructor(file: string, levels: LevelNotExported[]) {
    super(
      'invalid_request',
      `${levels.length} level${levels.length === 1 ? '' : 's'} would be left out of ${file} (not fully graded): ` +
        levels.map(describeLevel).join('; '),
    );
    this.name = 'LevelsNotExportedError';
    this.levels = levels;
  }
}

/** "patient 3 IVD label 8 (no value for Modic, UP endplate)". */
export function describeLevel(l: LevelNotExported): string {
  return `patient ${l.patientId} IVD label ${l.ivdLabel} (no value for ${l.missing.join(', ')})`;
}

const valueText = (v: number | null): string => (v === null ? '' : String(v));

interface NewLevel {
  patientId: number;
  ivdLabel: number;
  values: Record<GradingField, number | null>;
}

/**
 * Builds the exported radiological_gradings.csv from the source table and the store's current gradings.
 * `table` null (the dataset has no usable gradings CSV): null, since there is no header to write them under.
 */
export function exportGradings(table: GradingsTable | null, store: Store): GradingsExport | null {
  const stored = store.gradings.all().filter((g) => FIELD_IDS.has(g.field) && g.ivdLabel >= 1);
  if (!table) {
    return null;
  }
  const annotator = (id: AnnotatorId): string => store.annotators.name(id);
  const eventCounts = new Map<string, number>();
  for (const patientId of new Set(stored.map((g) => g.patientId))) {
    for (const e of store.gradings.events(patientId)) {
      const key = `${e.patientId}:${e.ivdLabel}:${e.field}`;
      eventCounts.set(key, (eventCounts.get(key) ?? 0) + 1);
    }
  }
  const header = table.header;
  const columnOf = (column: string): number => {
    const i = header.indexOf(column);
    if (i >= 0) return i;
    for (const alias of ALIASES[column] ?? []) {
      const j = header.indexOf(alias);
      if (j >= 0) return j;
    }
    throw new AppError('invalid_file', `${table.file}: header has no "${column}" column`, { file: table.file });
  };
  const patientCol = columnOf('Patient');
  const ivdCol = columnOf('IVD label');
  const fieldCol = new Map(GRADING_FIELDS.map((f) => [f.field, columnOf(f.column)] as const));
  const rowByKey = new Map(table.rows.map((r) => [`${r.patient}:${r.ivdLabel}`, r]));

  const changes: GradingChange[] = [];
  const edits = new Map<number, Map<number, string>>(); // recordIndex → column → new text
  const newLevels = new Map<string, NewLevel>();
  const pendingAppended = new Map<string, GradingChange[]>();
  const warnings: string[] = [];
  for (const raw of stored) {
    const field = raw.field as GradingField;
    const key = `${raw.patientId}:${raw.ivdLabel}`;
    const column = header[fieldCol.get(field)!]!;
    // The store keeps any integer; only legal values reach the file (the service never stores others).
    const illegal = raw.value !== null && !isLegalGradingValue(field, raw.value);
    if (illegal) {
      warnings.push(`${table.file}: patient ${raw.patientId} IVD label ${raw.ivdLabel} ${column}: the stored value ${raw.value} is not a legal value and is not exported`);
    }
    const g = illegal ? { ...raw, value: null } : raw;
    const row = rowByKey.get(key);
    const old = row ? row[field] : null;
    if (row && old === g.value) continue;
    const base = {
      patientId: g.patientId,
      ivdLabel: g.ivdLabel,
      field,
      column,
      old,
      new: g.value,
      annotator: annotator(g.updatedBy),
      time: g.updatedAt,
      events: eventCounts.get(`${g.patientId}:${g.ivdLabel}:${g.field}`) ?? 0,
    };
    if (row) {
      if (g.value === null) {
        if (illegal) continue;
        warnings.push(`${table.file}: patient ${g.patientId} IVD label ${g.ivdLabel} ${column}: the stored blank is not exported (a CSV value cannot be cleared); the CSV value ${String(old)} is kept`);
        continue;
      }
      const cells = edits.get(row.recordIndex) ?? new Map<number, string>();
      cells.set(fieldCol.get(field)!, valueText(g.value));
      edits.set(row.recordIndex, cells);
      changes.push({ ...base, kind: 'edited' });
    } else {
      const level = newLevels.get(key) ?? { patientId: g.patientId, ivdLabel: g.ivdLabel, values: emptyValues() };
      level.values[field] = g.value;
      newLevels.set(key, level);
      if (g.value !== null) pendingAppended.set(key, [...(pendingAppended.get(key) ?? []), { ...base, kind: 'appended' }]);
    }
  }
  const byKey = (a: { patientId: number; ivdLabel: number }, b: { patientId: number; ivdLabel: number }): number =>
    a.patientId - b.patientId || a.ivdLabel - b.ivdLabel;
  const appended: NewLevel[] = [];
  const notExported: LevelNotExported[] = [];
  for (const level of [...newLevels.values()].sort(byKey)) {
    const key = `${level.patientId}:${level.ivdLabel}`;
    if (isFullyGraded(level.values)) {
      appended.push(level);
      changes.push(...(pendingAppended.get(key) ?? []));
      continue;
    }
    // A level whose every value was cleared again holds nothing to export: no row, nothing to report.
    if (GRADING_FIELDS.every((f) => level.values[f.field] === null)) continue;
    const missing = [...GRADING_FIELDS]
      .sort((a, b) => fieldCol.get(a.field)! - fieldCol.get(b.field)!)
      .filter((f) => level.values[f.field] === null)
      .map((f) => header[fieldCol.get(f.field)!]!);
    const entry: LevelNotExported = { patientId: level.patientId, ivdLabel: level.ivdLabel, reason: 'incomplete', missing };
    notExported.push(entry);
    warnings.push(`${table.file}: patient ${entry.patientId} IVD label ${entry.ivdLabel} ${NOT_EXPORTED_INCOMPLETE} (no value for ${missing.join(', ')}); grade every field to export a new level`);
  }
  changes.sort((a, b) => byKey(a, b) || fieldOrder(a.field) - fieldOrder(b.field));

  const src = table.format.bytes;
  if (edits.size === 0 && appended.length === 0) {
    return { bytes: src, changed: false, changes, appended: [], notExported, warnings };
  }

  // The parser's own record boundaries: the same bytes read again (deterministic), checked against the table.
  const csv = readCsvTable(src, table.file);
  if (csv.records.length !== table.records.length || csv.records.some((r, i) => r.source !== table.records[i]!.source)) {
    throw new AppError('internal', `${table.file}: the records read again differ from the scanned ones`);
  }
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (const [recordIndex, cellsChanged] of [...edits.entries()].sort((a, b) => a[0] - b[0])) {
    const rec: LocatedCsvRecord = csv.records[recordIndex]!;
    const cells = cellSpans(src, rec);
    if (!cells) throw new AppError('internal', `${table.file} line ${rec.line}: the cells of the record cannot be located in its bytes`);
    for (const [col, text] of [...cellsChanged.entries()].sort((a, b) => a[0] - b[0])) {
      const span = cells[col]!;
      const quoted = span.end - span.start >= 2 && src[span.start] === 0x22;
      parts.push(src.subarray(pos, span.start), Buffer.from(quoted ? `"${text}"` : text, 'utf8'));
      pos = span.end;
    }
  }

  if (appended.length > 0) {
    const last = csv.records.at(-1)?.span ?? csv.headerSpan;
    const eol = dominantLineBreak(src, csv.records, csv.headerSpan);
    const lines = appended.map((r) => {
      const cells = header.map(() => '');
      cells[patientCol] = String(r.patientId);
      cells[ivdCol] = String(r.ivdLabel);
      for (const f of GRADING_FIELDS) cells[fieldCol.get(f.field)!] = valueText(r.values[f.field]);
      return cells.join(',');
    });
    // After the run of line breaks that follows the last record (an unreadable record after it stays after the
    // new rows); without any, a line break first and none after the new rows (the file's own style).
    let at = last.end;
    while (at < src.length && (src[at] === 0x0d || src[at] === 0x0a)) at++;
    const text = at > last.end ? lines.map((l) => l + eol).join('') : lines.map((l) => eol + l).join('');
    parts.push(src.subarray(pos, at), Buffer.from(text, 'utf8'));
    pos = at;
  }
  parts.push(src.subarray(pos));
  return {
    bytes: Buffer.concat(parts),
    changed: true,
    changes,
    appended: appended.map((r) => ({ patientId: r.patientId, ivdLabel: r.ivdLabel })),
    notExported,
    warnings,
  };
}

function emptyValues(): Record<GradingField, number | null> {
  return Object.fromEntries(GRADING_FIELDS.map((f) => [f.field, null])) as Record<GradingField, number | null>;
}

function fieldOrder(f: GradingField): number {
  return GRADING_FIELDS.findIndex((s) => s.field === f);
}
