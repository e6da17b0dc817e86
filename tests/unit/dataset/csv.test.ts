// CSV layer of the dataset core: decoding checks, physical line numbers (CRLF, quoted newlines), resynchronisation
// after malformed quoting, and the byte-level format facts an exporter needs.
import { describe, expect, it } from 'vitest';
import { DatasetCsvError, readCsvTable } from '../../../main/core/dataset/csv.js';
import { mapLimit } from '../../../main/core/dataset/concurrency.js';
import { sampleBytes } from './helpers.js';

describe('readCsvTable', () => {
  it('keeps the original bytes and detects CRLF on the released excerpt', () => {
    const bytes = sampleBytes('overview_excerpt.csv');
    const t = readCsvTable(bytes, 'overview.csv');
    expect(t.format.lineEnding).toBe('crlf');
    expect(t.format.hasBom).toBe(false);
    expect(t.format.endsWithNewline).toBe(true);
    expect(t.format.byteLength).toBe(bytes.length);
    expect(Buffer.from(t.format.bytes).equals(bytes)).toBe(true);
    expect(t.header).toHaveLength(39);
    expect(t.records).toHaveLength(18);
    expect(t.records.map((r) => r.line)).toEqual(Array.from({ length: 18 }, (_, i) => i + 2));
    // source is the record's exact text without its terminator
    expect(t.records[0]!.source).toBe(bytes.toString('utf8').split('\r\n')[1]);
  });

  it('reports start lines of records that span lines (CRLF inside quotes) and skips blank lines', () => {
    const text = 'a,b,c\r\n1,"x\r\ny\r\nz",3\r\n\r\n4,"p,q",6\r\n7,8,9';
    const t = readCsvTable(text, 'x.csv');
    expect(t.records.map((r) => [r.line, r.cells])).toEqual([
      [2, ['1', 'x\r\ny\r\nz', '3']],
      [6, ['4', 'p,q', '6']],
      [7, ['7', '8', '9']],
    ]);
    expect(t.records[0]!.source).toBe('1,"x\r\ny\r\nz",3');
    expect(t.format.lineEnding).toBe('crlf');
    expect(t.format.endsWithNewline).toBe(false);
  });

  it('reads UTF-8 with a BOM and LF endings; the BOM is not part of the first column name', () => {
    const t = readCsvTable(Buffer.from('\ufeffname,ä\nü,"ö\nx"\n', 'utf8'), 'x.csv');
    expect(t.format.hasBom).toBe(true);
    expect(t.format.lineEnding).toBe('lf');
    expect(t.header).toEqual(['name', 'ä']);
    expect(t.records).toEqual([{ line: 2, cells: ['ü', 'ö\nx'], source: 'ü,"ö\nx"' }]);
  });

  it('reports malformed quoting with its line and resumes on the next line', () => {
    const text = 'a,b,c\r\n1,"q\r\nr",3\r\n10,"bad"x,11\r\n12,13,14\r\n15,"never closed,16\r\n';
    const t = readCsvTable(text, 'x.csv');
    expect(t.records.map((r) => r.cells[0])).toEqual(['1', '12']);
    expect(t.problems.map((p) => [p.code, p.line])).toEqual([
      ['csv_syntax', 4],
      ['csv_syntax', 6],
    ]);
    expect(t.problems[0]!.message).toContain('x.csv line 4');
  });

  it('refuses binary junk, UTF-16 and invalid UTF-8 with a clear error naming the file', () => {
    let seed = 7;
    const junk = Buffer.from(Array.from({ length: 512 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff));
    junk[10] = 0;
    const cases: [Buffer, RegExp][] = [
      [junk, /overview\.csv: binary data/],
      [Buffer.from('\ufeffa,b\r\n', 'utf16le'), /overview\.csv: .*UTF-16/],
      [Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xc3, 0x28, 0x0a]), /overview\.csv: not valid UTF-8/],
      [Buffer.alloc(0), /overview\.csv: the file is empty/],
    ];
    for (const [bytes, message] of cases) {
      let err: unknown;
      try {
        readCsvTable(bytes, 'overview.csv');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DatasetCsvError);
      expect((err as DatasetCsvError).problem).toBe('csv_unreadable');
      expect((err as DatasetCsvError).code).toBe('invalid_file');
      expect((err as DatasetCsvError).message).toMatch(message);
    }
  });

  it('refuses a file without a readable header', () => {
    expect(() => readCsvTable('\r\n\r\n', 'g.csv')).toThrow(/g\.csv: no readable header/);
  });
});

describe('mapLimit', () => {
  it('keeps order and never has more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit(Array.from({ length: 50 }, (_, i) => i), 4, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, (x * 7) % 5));
      inFlight--;
      return x * 2;
    });
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(peak).toBe(4);
  });
});
