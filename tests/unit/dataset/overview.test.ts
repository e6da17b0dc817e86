// overview.csv: the verbatim released excerpt parses with the right typed values; malformed rows become
// problems with the line where they start while the other rows load.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DatasetCsvError, parseListCell, parseOverviewCsv, parsePixelSpacing } from '../../../main/core/dataset/index.js';
import { overviewSampleLines, sampleBytes } from './helpers.js';

describe('parseOverviewCsv on the released excerpt', () => {
  const table = parseOverviewCsv(sampleBytes('overview_excerpt.csv'), 'overview.csv');
  const row = (id: string) => table.rows.find((r) => r.seriesId === id)!;

  it('loads all 18 rows with no problem and keeps every column as text', () => {
    expect(table.problems).toEqual([]);
    expect(table.rows).toHaveLength(18);
    expect(table.header).toHaveLength(39);
    expect(table.rows.every((r) => Object.keys(r.raw).length === 39)).toBe(true);
    expect(table.format.lineEnding).toBe('crlf');
    expect(Buffer.from(table.format.bytes).equals(sampleBytes('overview_excerpt.csv'))).toBe(true);
  });

  it('strips the trailing space of sex but keeps the raw cell', () => {
    expect(row('1_t1').sex).toBe('F');
    expect(row('1_t1').raw.sex).toBe('F ');
    expect(row('2_t1').sex).toBe('M');
  });

  it('reads the age from birth_date, null where empty', () => {
    expect(row('107_t1').age).toBe(59);
    expect(row('107_t1').raw.birth_date).toBe('59.0');
    expect(row('5_t1').age).toBe(35);
    expect(row('1_t1').age).toBeNull();
  });

  it('splits the series id and types the scanner fields', () => {
    const r = row('107_t2_SPACE');
    expect(r).toMatchObject({ patientId: 107, sequence: 't2_SPACE', numVertebrae: 7, numDiscs: 7, subset: 'validation', manufacturer: 'SIEMENS', model: 'Avanto_fit', fieldStrength: 1.5, line: 10 });
    expect(r.sequenceInfo).toEqual({
      seriesDescription: 'T2_space_sag_c4',
      acquisitionType: '3D',
      sliceThickness: 0.89999997615814,
      spacingBetweenSlices: 1.0,
      pixelSpacing: [0.46875, 0.46875],
      scanningSequence: ['SE'],
    });
    expect(row('1_t1')).toMatchObject({ manufacturer: 'Philips Healthcare', model: 'Ingenia', fieldStrength: 3, subset: 'training' });
    expect(row('1_t1').sequenceInfo.seriesDescription).toBeNull();
  });

  it('parses "[.5859375, .5859375]" and keeps list strings raw', () => {
    expect(row('107_t1').raw.PixelSpacing).toBe('[.5859375, .5859375]');
    expect(row('107_t1').sequenceInfo.pixelSpacing).toEqual([0.5859375, 0.5859375]);
    expect(row('116_t2').raw.ScanningSequence).toBe("['SE', 'IR']");
    expect(row('116_t2').sequenceInfo.scanningSequence).toEqual(['SE', 'IR']);
    expect(row('1_t1').raw.SoftwareVersions).toBe("['5.6.1', '5.6.1.2']");
  });

  it('keeps rows in file order with their lines', () => {
    expect(table.rows.map((r) => r.seriesId).slice(0, 4)).toEqual(['1_t1', '1_t2', '10_t1', '10_t2']);
    expect(table.rows.map((r) => r.line)).toEqual(Array.from({ length: 18 }, (_, i) => i + 2));
  });
});

describe('parseOverviewCsv with malformed rows', () => {
  // Real rows re-serialised, with a multi-line quoted cell first so that counting records ≠ counting lines.
  const lines = overviewSampleLines();
  const rows: string[][] = parse(lines.join('\r\n'), { relax_column_count: true });
  const [header, ...records] = rows;
  const cols = header!;
  const cellsOf = (id: string) => [...records.find((r) => r[0] === id)!];
  const csvLine = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
  const descIdx = cols.indexOf('SeriesDescription');

  const multiLine = cellsOf('1_t1');
  multiLine[descIdx] = 'SAG T1\r\nTSE, fat sat';
  const shortRow = cellsOf('1_t2').slice(0, 38);
  const badInt = cellsOf('10_t1');
  badInt[1] = 'seven';
  const badId = cellsOf('10_t2');
  badId[0] = 'x_t2';
  const dup = cellsOf('1_t1');
  const extra = cellsOf('100_t1');

  const text =
    [lines[0]!, csvLine(multiLine), csvLine(shortRow), csvLine(badInt), csvLine(badId), csvLine(dup), csvLine(extra)].join('\r\n') + '\r\n';
  // line 1 header; 2–3 multi-line row; 4 short; 5 bad int; 6 bad id; 7 duplicate; 8 fine

  it('reports each malformed row with the line where it starts', () => {
    const t = parseOverviewCsv(text, 'overview.csv');
    expect(t.problems.map((p) => [p.code, p.line, p.severity])).toEqual([
      ['column_count', 4, 'error'],
      ['invalid_value', 5, 'error'],
      ['invalid_series_id', 6, 'error'],
      ['duplicate_key', 7, 'error'],
    ]);
    expect(t.problems.every((p) => p.file === 'overview.csv' && p.message.startsWith(`overview.csv line ${p.line}:`))).toBe(true);
    expect(t.problems[3]!.message).toContain('line 2');
  });

  it('loads the other rows; a non-integer count keeps its row with a null value', () => {
    const t = parseOverviewCsv(text, 'overview.csv');
    expect(t.rows.map((r) => [r.seriesId, r.line])).toEqual([
      ['1_t1', 2],
      ['10_t1', 5],
      ['100_t1', 8],
    ]);
    expect(t.rows[0]!.sequenceInfo.seriesDescription).toBe('SAG T1\r\nTSE, fat sat');
    expect(t.rows[1]!.numVertebrae).toBeNull();
    expect(t.rows[1]!.numDiscs).toBe(7);
    expect(t.records).toHaveLength(6);
  });

  it('gives the same lines for the LF version of the file', () => {
    const t = parseOverviewCsv(text.replace(/\r\n/g, '\n'), 'overview.csv');
    expect(t.format.lineEnding).toBe('lf');
    expect(t.problems.map((p) => p.line)).toEqual([4, 5, 6, 7]);
  });

  it('keeps unknown extra columns and warns about missing shown columns', () => {
    const t = parseOverviewCsv('new_file_name,num_discs,Hospital\r\n7_t1,7,UMC\r\n', 'o.csv');
    expect(t.rows[0]!.raw).toEqual({ new_file_name: '7_t1', num_discs: '7', Hospital: 'UMC' });
    expect(t.rows[0]!.numVertebrae).toBeNull();
    expect(t.rows[0]!.sex).toBeNull();
    expect(t.problems.map((p) => p.code)).toEqual(['missing_column']);
  });

  it('refuses a header without new_file_name', () => {
    expect(() => parseOverviewCsv('file,num_discs\r\n7_t1,7\r\n', 'overview.csv')).toThrow(DatasetCsvError);
    expect(() => parseOverviewCsv('file,num_discs\r\n7_t1,7\r\n', 'overview.csv')).toThrow(/overview\.csv: header has no "new_file_name"/);
  });
});

describe('cell helpers', () => {
  it('parse Python-list strings and pixel spacing variants', () => {
    expect(parseListCell("['SE', 'IR']")).toEqual(['SE', 'IR']);
    expect(parseListCell('SE')).toEqual(['SE']);
    expect(parseListCell('')).toEqual([]);
    expect(parsePixelSpacing('[0.625, 0.625]')).toEqual([0.625, 0.625]);
    expect(parsePixelSpacing('[.5859375, .5859375]')).toEqual([0.5859375, 0.5859375]);
    expect(parsePixelSpacing('0.5\\0.6')).toEqual([0.5, 0.6]);
    expect(parsePixelSpacing('[0.5]')).toBeNull();
    expect(parsePixelSpacing('')).toBeNull();
  });
});
