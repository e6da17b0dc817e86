// radiological_gradings.csv rewriting against a real store file: untouched bytes stay (BOM, any line break, quoting,
// a missing final newline), edited cells change in place, complete new levels are appended in (Patient, IVD label)
// order with the file's own line break, incomplete new levels and stored blanks over CSV values are never written
// (so the file always reads back without errors), service fields ('reviewed', '_undo') and IVD label 0 never reach
// the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GRADING_FIELDS, type GradingField } from '../../../common/gradings.js';
import { parseGradingsCsv } from '../../../main/core/dataset/index.js';
import { exportGradings } from '../../../main/core/export/gradingsCsv.js';
import { openStore, type AnnotatorId, type Store } from '../../../main/core/store/index.js';

const HEADER = 'Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,Disc bulging,Pfirrman grade';
let dir: string;
let store: Store;
let alice: AnnotatorId;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spine-gcsv-'));
  store = openStore(join(dir, 's.sqlite'));
  alice = store.annotators.ensure('alice');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const set = (patientId: number, ivdLabel: number, field: string, value: number | null): void => {
  store.gradings.set({ patientId, ivdLabel, field, value, annotatorId: alice });
};

/** Grades every field of a level; returns the values in header order (Modic … Pfirrmann). */
function grade(patientId: number, ivdLabel: number, values: Record<GradingField, number>): string {
  for (const f of GRADING_FIELDS) set(patientId, ivdLabel, f.field, values[f.field]);
  return GRADING_FIELDS.map((f) => values[f.field]).join(',');
}

const FULL = { modic: 2, upEndplate: 1, lowEndplate: 0, spondylolisthesis: 0, herniation: 1, narrowing: 1, bulging: 0, pfirrmann: 4 } as const;

function run(text: string | Uint8Array) {
  const table = parseGradingsCsv(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, 'radiological_gradings.csv');
  return exportGradings(table, store)!;
}

/** Reads exported bytes back as the scan does: no errors allowed. */
function readBack(bytes: Uint8Array) {
  const t = parseGradingsCsv(bytes, 'radiological_gradings.csv');
  expect(t.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return t;
}

describe('exportGradings', () => {
  it('returns the source bytes when nothing changed (service fields and equal values do not count)', () => {
    const src = `${HEADER}\r\n1,1,0,0,0,0,0,1,1,3\r\n1,2,2,1,1,0,0,1,1,4\r\n`;
    store.gradings.setReviewed({ patientId: 1, ivdLabel: 1, reviewed: true, annotatorId: alice });
    set(1, 2, 'pfirrmann', 4);
    const r = run(src);
    expect(r.changed).toBe(false);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(src);
  });

  it('keeps LF, a BOM, quoted untouched records and a missing final newline; edits in place; appends complete levels in order', () => {
    const src = `\ufeff${HEADER}\n1,1,0,0,0,0,0,1,1,3\n"1","2",2,1,1,0,0,1,1,4\n2,1,0,0,0,0,0,0,0,1`;
    set(2, 1, 'modic', 3);
    const row32 = grade(3, 2, { ...FULL, pfirrmann: 2 });
    const row24 = grade(2, 4, { ...FULL, pfirrmann: 5, narrowing: 1 });
    const r = run(src);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(
      `\ufeff${HEADER}\n1,1,0,0,0,0,0,1,1,3\n"1","2",2,1,1,0,0,1,1,4\n2,1,3,0,0,0,0,0,0,1\n2,4,${row24}\n3,2,${row32}`,
    );
    expect(r.appended).toEqual([{ patientId: 2, ivdLabel: 4 }, { patientId: 3, ivdLabel: 2 }]);
    expect(r.notExported).toEqual([]);
    expect(r.warnings).toEqual([]);
    const byField = (p: number, k: number) => r.changes.filter((c) => c.patientId === p && c.ivdLabel === k).map((c) => [c.column, c.old, c.new, c.kind, c.annotator]);
    expect(byField(2, 1)).toEqual([['Modic', 0, 3, 'edited', 'alice']]);
    expect(byField(2, 4)).toEqual(GRADING_FIELDS.map((f) => [f.column, null, { ...FULL, pfirrmann: 5, narrowing: 1 }[f.field], 'appended', 'alice']));
    expect(r.changes).toHaveLength(1 + 2 * GRADING_FIELDS.length);
    expect(readBack(r.bytes).rows).toHaveLength(5);
  });

  it('leaves an incomplete new level out and says which fields it lacks; a level cleared again is no level', () => {
    const src = `${HEADER}\r\n1,1,0,0,0,0,0,1,1,3\r\n`;
    set(1, 2, 'pfirrmann', 3); // new level, Pfirrmann only
    set(1, 3, 'modic', 1); // new level set and cleared again: nothing to export or report
    set(1, 3, 'modic', null);
    const full = grade(1, 4, FULL);
    store.gradings.setReviewed({ patientId: 1, ivdLabel: 4, reviewed: true, annotatorId: alice });
    const r = run(src);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(`${HEADER}\r\n1,1,0,0,0,0,0,1,1,3\r\n1,4,${full}\r\n`);
    expect(r.appended).toEqual([{ patientId: 1, ivdLabel: 4 }]);
    const missing = GRADING_FIELDS.filter((f) => f.field !== 'pfirrmann').map((f) => f.column);
    expect(r.notExported).toEqual([{ patientId: 1, ivdLabel: 2, reason: 'incomplete', missing }]);
    expect(r.warnings).toEqual([`radiological_gradings.csv: patient 1 IVD label 2 not exported: incomplete (no value for ${missing.join(', ')}); grade every field to export a new level`]);
    expect(r.changes.some((c) => c.ivdLabel !== 4)).toBe(false);
    expect(readBack(r.bytes).rows).toHaveLength(2);
  });

  it('never writes an empty cell: a stored blank over a CSV value keeps the CSV value, with a warning', () => {
    const src = `${HEADER}\r\n1,1,0,0,0,0,0,1,1,3\r\n`;
    set(1, 1, 'bulging', null); // only an older store can hold this: the service refuses it
    set(1, 1, 'modic', 2);
    const r = run(src);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(`${HEADER}\r\n1,1,2,0,0,0,0,1,1,3\r\n`);
    expect(r.changes.map((c) => [c.column, c.old, c.new])).toEqual([['Modic', 0, 2]]);
    expect(r.warnings).toEqual(['radiological_gradings.csv: patient 1 IVD label 1 Disc bulging: the stored blank is not exported (a CSV value cannot be cleared); the CSV value 1 is kept']);
    expect(readBack(r.bytes).rows[0]!.bulging).toBe(1);
  });

  it('cannot be fed an illegal value: the store refuses it (schema v20 CHECKs), so none reaches the CSV', () => {
    const src = `${HEADER}\r\n1,1,0,0,0,0,0,1,1,3\r\n`;
    expect(() => set(1, 1, 'modic', 7)).toThrow();
    grade(1, 2, FULL);
    expect(() => set(1, 2, 'pfirrmann', 9)).toThrow();
    const r = run(src);
    expect(r.appended).toEqual([{ patientId: 1, ivdLabel: 2 }]);
    expect(r.warnings).toEqual([]);
    expect(readBack(r.bytes).rows).toHaveLength(2);
  });

  it('writes appended rows in the header’s column order and keeps an edited cell’s quotes', () => {
    const header = 'Pfirrman grade,Patient,Disc bulging,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing';
    const src = `${header}\n"3","1",1,"1",0,0,0,0,0,1\n`;
    set(1, 1, 'pfirrmann', 5);
    grade(1, 2, FULL);
    const r = run(src);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(`${header}\n"5","1",1,"1",0,0,0,0,0,1\n4,1,0,2,2,1,0,0,1,1\n`);
  });
});

describe('exportGradings under any line break', () => {
  // One edited cell (patient 2 level 1 Modic 0 → 3), one complete new level (3, 2), one incomplete new level (3, 3).
  const rows = ['1,1,0,0,0,0,0,1,1,3', '2,1,0,0,0,0,0,0,0,1', '2,2,2,1,1,0,0,1,1,4'];
  const edited = '2,1,3,0,0,0,0,0,0,1';
  const added = '3,2,2,1,0,0,1,1,0,4';
  const cases: [name: string, src: string, expected: string][] = [
    ['CR only', [HEADER, ...rows].map((l) => `${l}\r`).join(''), [HEADER, rows[0], edited, rows[2], added].map((l) => `${l}\r`).join('')],
    ['LF', [HEADER, ...rows].map((l) => `${l}\n`).join(''), [HEADER, rows[0], edited, rows[2], added].map((l) => `${l}\n`).join('')],
    ['CRLF', [HEADER, ...rows].map((l) => `${l}\r\n`).join(''), [HEADER, rows[0], edited, rows[2], added].map((l) => `${l}\r\n`).join('')],
    [
      'mixed \\r\\r\\n and \\n\\r',
      `${HEADER}\r\r\n${rows[0]}\n\r${rows[1]}\r\r\n${rows[2]}\r\r\n`,
      `${HEADER}\r\r\n${rows[0]}\n\r${edited}\r\r\n${rows[2]}\r\r\n${added}\r\r\n`,
    ],
    ['CRLF without a final line break', `${HEADER}\r\n${rows.join('\r\n')}`, `${HEADER}\r\n${[rows[0], edited, rows[2]].join('\r\n')}\r\n${added}`],
    ['CR only without a final line break', `${HEADER}\r${rows.join('\r')}`, `${HEADER}\r${[rows[0], edited, rows[2]].join('\r')}\r${added}`],
    ['BOM, CRLF, blank lines at the end', `\ufeff${HEADER}\r\n${rows.join('\r\n')}\r\n\r\n`, `\ufeff${HEADER}\r\n${[rows[0], edited, rows[2]].join('\r\n')}\r\n\r\n${added}\r\n`],
    ['BOM, LF', `\ufeff${HEADER}\n${rows.join('\n')}\n`, `\ufeff${HEADER}\n${[rows[0], edited, rows[2], added].join('\n')}\n`],
  ];

  it.each(cases)('%s: only the edited cell changes, the new row uses the file’s line break and reads back', (_name, src, expected) => {
    set(2, 1, 'modic', 3);
    grade(3, 2, { modic: 2, upEndplate: 1, lowEndplate: 0, spondylolisthesis: 0, herniation: 1, narrowing: 1, bulging: 0, pfirrmann: 4 });
    set(3, 3, 'pfirrmann', 2);
    const r = run(src);
    const out = Buffer.from(r.bytes);
    expect(JSON.stringify(out.toString('utf8'))).toBe(JSON.stringify(expected)); // JSON shows the line breaks
    // Every source byte is kept but the edited cell; the only other difference is one inserted run holding the row.
    const srcBytes = Buffer.from(src, 'utf8');
    const cellAt = Buffer.byteLength(src.slice(0, src.indexOf(rows[1]!) + '2,1,'.length));
    expect([srcBytes.toString('latin1', cellAt, cellAt + 1), out.toString('latin1', cellAt, cellAt + 1)]).toEqual(['0', '3']);
    expect(out.subarray(0, cellAt).equals(srcBytes.subarray(0, cellAt))).toBe(true);
    let p = cellAt + 1;
    while (p < srcBytes.length && out[p] === srcBytes[p]) p++;
    const inserted = out.length - srcBytes.length;
    expect(out.subarray(p + inserted).equals(srcBytes.subarray(p))).toBe(true);
    expect(out.toString('utf8', p, p + inserted)).toContain(added);
    const t = readBack(out);
    expect(t.rows).toHaveLength(4);
    expect(t.rows.map((x) => `${x.patient}:${x.ivdLabel}`)).toEqual(['1:1', '2:1', '2:2', '3:2']);
    expect(t.rows[1]).toMatchObject({ modic: 3, pfirrmann: 1 });
    expect(t.rows[3]).toMatchObject({ modic: 2, upEndplate: 1, lowEndplate: 0, spondylolisthesis: 0, herniation: 1, narrowing: 1, bulging: 0, pfirrmann: 4, flags: [] });
    expect(r.appended).toEqual([{ patientId: 3, ivdLabel: 2 }]);
    expect(r.notExported.map((l) => [l.patientId, l.ivdLabel])).toEqual([[3, 3]]);
  });
});
