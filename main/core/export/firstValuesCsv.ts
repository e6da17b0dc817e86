// gradings_first_values.csv for an export (issue 15, item 6): the first value a person entered for each grading
// (store.gradings.allFirstValues, migration 50), next to radiological_gradings.csv, so a later reader comparison
// (agreement between the first reading and the final one, or between readers) has it. CSV baseline values were
// entered by nobody in this store and never appear. Pure except for reading the store (one synchronous snapshot,
// taken with the gradings').
//
// Format: UTF-8, LF line ends, a header line, one line per (patient, IVD label, field) in that order (fields in
// the gradings CSV's column order). Field = the radiological_gradings.csv column the value belongs to; Time =
// ISO-8601 UTC. A cell holding a comma, quote or line break is quoted (RFC 4180).
import { GRADING_FIELDS } from '../../../common/gradings.js';
import type { Store } from '../store/index.js';

export const FIRST_VALUES_FILE = 'gradings_first_values.csv';
export const FIRST_VALUES_HEADER = ['Patient', 'IVD label', 'Field', 'First value', 'Annotator', 'Time'] as const;

/** One cell as RFC 4180 text. */
function cell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The file's bytes, or null when the store holds no first value (then no file is written). */
export function exportFirstValues(store: Store): Uint8Array | null {
  const rows = store.gradings.allFirstValues().filter((f) => f.ivdLabel >= 1);
  if (rows.length === 0) return null;
  const order = new Map(GRADING_FIELDS.map((f, i) => [f.field as string, i]));
  const column = new Map(GRADING_FIELDS.map((f) => [f.field as string, f.column]));
  rows.sort(
    (a, b) => a.patientId - b.patientId || a.ivdLabel - b.ivdLabel || (order.get(a.field) ?? 99) - (order.get(b.field) ?? 99),
  );
  const lines = [FIRST_VALUES_HEADER.join(',')];
  for (const f of rows) {
    const fields = [String(f.patientId), String(f.ivdLabel), column.get(f.field) ?? f.field, String(f.value)];
    lines.push([...fields, store.annotators.name(f.annotatorId), f.createdAt].map(cell).join(','));
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}
