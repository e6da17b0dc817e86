// radiological_gradings.csv: the verbatim released excerpt, the misspelled header, row-level problems with
// lines, and the header-level cross-check against overview.csv.
import { describe, expect, it } from 'vitest';
import { crossCheckGradings, DatasetCsvError, parseGradingsCsv, parseOverviewCsv } from '../../../main/core/dataset/index.js';
import { GRADINGS_HEADER_LINE, overviewCsvFor, sampleBytes } from './helpers.js';

describe('parseGradingsCsv on the released excerpt', () => {
  const t = parseGradingsCsv(sampleBytes('radiological_gradings_excerpt.csv'), 'radiological_gradings.csv');

  it('keeps the header as written, including "Pfirrman grade", and the CRLF format', () => {
    expect(t.header.join(',')).toBe(GRADINGS_HEADER_LINE);
    expect(t.format.lineEnding).toBe('crlf');
    expect(t.records).toHaveLength(61);
    expect(t.rows).toHaveLength(61);
  });

  it('types every value', () => {
    const r = t.rows.find((x) => x.patient === 4 && x.ivdLabel === 3)!;
    expect(r).toMatchObject({ line: 23, modic: 2, upEndplate: 1, lowEndplate: 1, spondylolisthesis: 1, herniation: 1, narrowing: 1, bulging: 0, pfirrmann: 5, flags: [] });
    expect(t.rows[0]).toMatchObject({ line: 2, patient: 1, ivdLabel: 1, modic: 0, narrowing: 1, bulging: 1, pfirrmann: 3 });
  });

  it('keeps and flags the IVD label 0 rows of patients 107 and 152', () => {
    const zero = t.rows.filter((x) => x.ivdLabel === 0);
    expect(zero.map((x) => [x.patient, x.line, x.flags])).toEqual([
      [107, 47, ['ivd_label_zero']],
      [152, 54, ['ivd_label_zero']],
    ]);
    expect(t.problems.map((p) => [p.code, p.severity, p.line, p.patientId])).toEqual([
      ['ivd_label_zero', 'warning', 47, 107],
      ['ivd_label_zero', 'warning', 54, 152],
    ]);
  });
});

describe('parseGradingsCsv with a bad header', () => {
  it('names the file and the missing column', () => {
    const header = GRADINGS_HEADER_LINE.replace(',Disc bulging', '');
    let err: unknown;
    try {
      parseGradingsCsv(`${header}\r\n1,1,0,0,0,0,0,1,3\r\n`, 'radiological_gradings.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetCsvError);
    expect((err as DatasetCsvError).problem).toBe('csv_header');
    expect((err as DatasetCsvError).column).toBe('Disc bulging');
    expect((err as DatasetCsvError).message).toBe('radiological_gradings.csv: header has no "Disc bulging" column');
  });

  it('accepts the correct spelling "Pfirrmann grade" too and keeps the header as written', () => {
    const header = GRADINGS_HEADER_LINE.replace('Pfirrman grade', 'Pfirrmann grade');
    const t = parseGradingsCsv(`${header}\n1,1,0,0,0,0,0,1,1,4\n`, 'g.csv');
    expect(t.rows[0]!.pfirrmann).toBe(4);
    expect(t.header.at(-1)).toBe('Pfirrmann grade');
  });
});

describe('parseGradingsCsv with malformed rows', () => {
  const text = [
    GRADINGS_HEADER_LINE, //                 1
    '1,1,0,0,0,0,0,1,1,3', //               2
    '1,2,4,0,0,0,0,1,1,0', //               3  Modic 4 and Pfirrmann 0 out of range
    '1,3,0,0,2.0,0,0,1,1,3', //             4  non-integer
    '1,x,0,0,0,0,0,1,1,3', //               5  bad IVD label → skipped
    '1,2,0,0,0,0,0,1,1,3', //               6  duplicate of line 3
    '1,4,0,0,0,0,0,1,1', //                 7  9 cells
    '-3,1,0,0,0,0,0,1,1,3', //              8  bad patient
    '2,1,0,0,0,0,0,1,1,3', //               9
  ].join('\r\n');
  const t = parseGradingsCsv(text, 'g.csv');

  it('reports each problem with its line', () => {
    expect(t.problems.map((p) => [p.code, p.line])).toEqual([
      ['invalid_value', 3],
      ['invalid_value', 3],
      ['invalid_value', 4],
      ['invalid_value', 5],
      ['duplicate_key', 6],
      ['column_count', 7],
      ['invalid_value', 8],
    ]);
    expect(t.problems[0]!.message).toBe('g.csv line 3: Modic "4" is not an integer 0–3; left empty');
    expect(t.problems[4]!.message).toContain('already graded on line 3');
  });

  it('keeps keyed rows with invalid values as null and flagged; skips unkeyed, duplicate and short rows', () => {
    expect(t.rows.map((r) => r.line)).toEqual([2, 3, 4, 9]);
    expect(t.rows[1]).toMatchObject({ ivdLabel: 2, modic: null, pfirrmann: null, narrowing: 1, flags: ['invalid_value'] });
    expect(t.rows[2]).toMatchObject({ ivdLabel: 3, lowEndplate: null, flags: ['invalid_value'] });
    expect(t.records).toHaveLength(8);
    expect(t.records[4]!.source).toBe('1,2,0,0,0,0,0,1,1,3');
  });
});

describe('crossCheckGradings', () => {
  it('flags levels above the patient\'s max num_discs and reports unknown/ungraded patients', () => {
    const overview = parseOverviewCsv(overviewCsvFor(['7_t1', '7_t2', '9_t1']), 'overview.csv');
    const rows = ['7,1,0,0,0,0,0,1,1,3', '7,7,0,0,0,0,0,1,1,3', '7,8,0,0,0,0,0,1,1,3', '8,1,0,0,0,0,0,1,1,3'];
    const g = parseGradingsCsv([GRADINGS_HEADER_LINE, ...rows].join('\r\n'), 'radiological_gradings.csv');
    const checked = crossCheckGradings(g, overview);
    expect(checked.rows.map((r) => r.flags)).toEqual([[], [], ['no_matching_disc'], []]);
    expect(g.rows[2]!.flags).toEqual([]); // input unchanged
    expect(checked.problems.map((p) => [p.code, p.line, p.patientId])).toEqual([
      ['no_matching_disc', 4, 7],
      ['grading_patient_unknown', 5, 8],
      ['patient_without_gradings', undefined, 9],
    ]);
    expect(checked.problems[0]!.message).toContain('not from the masks');
  });
});

describe('parseGradingsCsv under any line break', () => {
  const released = sampleBytes('radiological_gradings_excerpt.csv').toString('utf8');
  const lines = released.split('\r\n').filter((l) => l !== '');
  const reference = parseGradingsCsv(released, 'radiological_gradings.csv');

  it.each([
    ['CR only', 1, () => '\r'],
    ['LF', 1, () => '\n'],
    ['\\r\\r\\n and \\n\\r alternating', 2, (i: number) => (i % 2 === 0 ? '\r\r\n' : '\n\r')],
    ['CRLF, LF and CR in turn, no final break', 1, (i: number) => (i === lines.length - 1 ? '' : ['\r\n', '\n', '\r'][i % 3]!)],
  ])('reads every row of the released excerpt with %s', (_name, perLine, lineBreak) => {
    const text = lines.map((l, i) => l + lineBreak(i)).join('');
    const t = parseGradingsCsv(text, 'radiological_gradings.csv');
    expect(t.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(t.rows).toHaveLength(61);
    const values = (rows: typeof t.rows) => rows.map(({ line: _line, ...rest }) => rest);
    expect(values(t.rows)).toEqual(values(reference.rows));
    // The IVD label 0 warnings name physical lines as an editor shows them (a `\r\r\n` run is two line breaks).
    expect(t.problems.map((p) => [p.code, p.patientId, p.line])).toEqual([
      ['ivd_label_zero', 107, 46 * perLine + 1],
      ['ivd_label_zero', 152, 53 * perLine + 1],
    ]);
  });
});
