// radiological_gradings.csv for an export: the source bytes with edited cells replaced in place and new levels
// appended, plus the list of grading changes for the manifest. Pure except for reading the store (synchronous,
// so the gradings are one consistent snapshot).
//
// Byte policy: every byte of the source file that belongs to no edited record (header, BOM, line terminators,
// blank lines, quoting of untouched records, a missing final newline) is kept as is. An edited record is rewritten
// from its parsed cells with only the edited cells changed (integers as plain decimal text, an explicit blank as
// an empty cell; a cell is quoted only if it holds a comma, quote or line break). New levels are appended after
// the last record in (Patient, IVD label) order with the file's line terminator and the header's column order.
import { AppError } from '../../../common/errors.js';
import { GRADING_FIELDS, type GradingField } from '../../../common/gradings.js';
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

export interface GradingsExport {
  /** The file's new bytes (the source bytes when nothing changed). */
  bytes: Uint8Array;
  changed: boolean;
  changes: GradingChange[];
  /** Appended rows as (patient, IVD label), in file order. */
  appended: { patientId: number; ivdLabel: number }[];
  warnings: string[];
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const valueText = (v: number | null): string => (v === null ? '' : String(v));

/** Byte offset where each physical line starts (index 0 = line 1). */
function lineStarts(buf: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) starts.push(i + 1);
  return starts;
}

/**
 * Builds the exported radiological_gradings.csv from the source table and the store's current gradings.
 * `gradings` null (the dataset has no usable gradings CSV): nothing is written and store gradings are reported as
 * a warning, since there is no header to write them under.
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
  const newRows = new Map<string, { patientId: number; ivdLabel: number; values: Map<GradingField, number | null> }>();
  const warnings: string[] = [];
  for (const g of stored) {
    const field = g.field as GradingField;
    const spec = GRADING_FIELDS.find((f) => f.field === field)!;
    const row = rowByKey.get(`${g.patientId}:${g.ivdLabel}`);
    const old = row ? row[field] : null;
    if (row && old === g.value) continue;
    const column = header[fieldCol.get(field)!]!;
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
      const cells = edits.get(row.recordIndex) ?? new Map<number, string>();
      cells.set(fieldCol.get(field)!, valueText(g.value));
      edits.set(row.recordIndex, cells);
      changes.push({ ...base, kind: 'edited' });
      if (g.value === null) warnings.push(`${table.file}: patient ${g.patientId} IVD label ${g.ivdLabel} ${spec.column} was cleared; the exported cell is empty`);
    } else {
      if (g.value === null) continue; // a blank for a level the CSV never had: nothing to export
      const key = `${g.patientId}:${g.ivdLabel}`;
      const nr = newRows.get(key) ?? { patientId: g.patientId, ivdLabel: g.ivdLabel, values: new Map() };
      nr.values.set(field, g.value);
      newRows.set(key, nr);
      changes.push({ ...base, kind: 'appended' });
    }
  }
  changes.sort((a, b) => a.patientId - b.patientId || a.ivdLabel - b.ivdLabel || fieldOrder(a.field) - fieldOrder(b.field));

  const src = table.format.bytes;
  if (edits.size === 0 && newRows.size === 0) return { bytes: src, changed: false, changes, appended: [], warnings };

  const starts = lineStarts(src);
  const parts: Uint8Array[] = [];
  let pos = 0;
  const ordered = [...edits.entries()].sort((a, b) => a[0] - b[0]);
  for (const [recordIndex, cellsChanged] of ordered) {
    const rec = table.records[recordIndex]!;
    let start = starts[rec.line - 1]!;
    if (rec.line === 1 && table.format.hasBom) start += 3;
    const original = Buffer.from(rec.source, 'utf8');
    const end = start + original.length;
    if (!Buffer.from(src.buffer, src.byteOffset + start, original.length).equals(original)) {
      throw new AppError('internal', `${table.file} line ${rec.line}: record bytes do not match the parsed record`);
    }
    const cells = rec.cells.map((c, i) => (cellsChanged.has(i) ? cellsChanged.get(i)! : c));
    parts.push(src.subarray(pos, start), Buffer.from(cells.map(csvCell).join(','), 'utf8'));
    pos = end;
  }
  parts.push(src.subarray(pos));

  const eol = table.format.lineEnding === 'lf' ? '\n' : '\r\n';
  const appended = [...newRows.values()].sort((a, b) => a.patientId - b.patientId || a.ivdLabel - b.ivdLabel);
  if (appended.length > 0) {
    const lines = appended.map((r) => {
      const cells = header.map(() => '');
      cells[patientCol] = String(r.patientId);
      cells[ivdCol] = String(r.ivdLabel);
      const empty: string[] = [];
      for (const f of GRADING_FIELDS) {
        const v = r.values.get(f.field);
        cells[fieldCol.get(f.field)!] = valueText(v ?? null);
        if (v === undefined || v === null) empty.push(f.column);
      }
      if (empty.length > 0) {
        warnings.push(`${table.file}: appended row patient ${r.patientId} IVD label ${r.ivdLabel} has empty cells (not graded): ${empty.join(', ')}`);
      }
      return cells.map(csvCell).join(',');
    });
    const text = table.format.endsWithNewline ? lines.map((l) => l + eol).join('') : lines.map((l) => eol + l).join('');
    parts.push(Buffer.from(text, 'utf8'));
  }
  return {
    bytes: Buffer.concat(parts),
    changed: true,
    changes,
    appended: appended.map((r) => ({ patientId: r.patientId, ivdLabel: r.ivdLabel })),
    warnings,
  };
}

function fieldOrder(f: GradingField): number {
  return GRADING_FIELDS.findIndex((s) => s.field === f);
}
