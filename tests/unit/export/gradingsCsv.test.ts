// radiological_gradings.csv rewriting against a real store file: untouched bytes stay (BOM, LF or CRLF, quoting,
// a missing final newline), edited cells change in place, new levels are appended in (Patient, IVD label) order,
// service fields ('reviewed', '_undo') and IVD label 0 never reach the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

function run(text: string | Uint8Array) {
  const table = parseGradingsCsv(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, 'radiological_gradings.csv');
  return exportGradings(table, store)!;
}

describe('exportGradings', () => {
  it('returns the source bytes when nothing changed (service fields and equal values do not count)', () => {
    const src = `${HEADER}\r\n1,1,0,0,0,0,0,1,1,3\r\n1,2,2,1,1,0,0,1,1,4\r\n`;
    set(1, 1, 'reviewed', 1);
    set(1, 1, '_undo', 7);
    set(1, 2, 'pfirrmann', 4);
    const r = run(src);
    expect(r.changed).toBe(false);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(src);
  });

  it('keeps LF, a BOM, quoted untouched records and a missing final newline; edits in place; appends in order', () => {
    const src = `\ufeff${HEADER}\n1,1,0,0,0,0,0,1,1,3\n"1","2",2,1,1,0,0,1,1,4\n2,1,0,0,0,0,0,0,0,1`;
    set(2, 1, 'modic', 3);
    set(3, 2, 'pfirrmann', 2);
    set(2, 4, 'pfirrmann', 5);
    set(2, 4, 'narrowing', 1);
    const r = run(src);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(
      `\ufeff${HEADER}\n1,1,0,0,0,0,0,1,1,3\n"1","2",2,1,1,0,0,1,1,4\n2,1,3,0,0,0,0,0,0,1\n2,4,,,,,,1,,5\n3,2,,,,,,,,2`,
    );
    expect(r.appended).toEqual([{ patientId: 2, ivdLabel: 4 }, { patientId: 3, ivdLabel: 2 }]);
    expect(r.changes.map((c) => [c.patientId, c.ivdLabel, c.column, c.old, c.new, c.kind, c.annotator])).toEqual([
      [2, 1, 'Modic', 0, 3, 'edited', 'alice'],
      [2, 4, 'Disc narrowing', null, 1, 'appended', 'alice'],
      [2, 4, 'Pfirrman grade', null, 5, 'appended', 'alice'],
      [3, 2, 'Pfirrman grade', null, 2, 'appended', 'alice'],
    ]);
    expect(r.warnings).toHaveLength(2);
  });

  it('writes a cleared cell as empty and says so; a blank for a level the CSV never had is not a row', () => {
    const src = `${HEADER}\r\n1,1,0,0,0,0,0,1,1,3\r\n`;
    set(1, 1, 'bulging', null);
    set(5, 1, 'modic', null);
    const r = run(src);
    expect(Buffer.from(r.bytes).toString('utf8')).toBe(`${HEADER}\r\n1,1,0,0,0,0,0,1,,3\r\n`);
    expect(r.appended).toEqual([]);
    expect(r.warnings[0]).toContain('Disc bulging was cleared');
  });
});
