// CSV layer of the dataset core: decoding checks, physical line numbers (CRLF, quoted newlines), resynchronisation
// after malformed quoting, and the byte-level format facts an exporter needs: record and cell byte spans under any
// line break (CR only, LF, CRLF, mixed runs) and the file's dominant line break.
import { describe, expect, it } from 'vitest';
import { cellSpans, cellText, DatasetCsvError, dominantLineBreak, readCsvTable } from '../../../main/core/dataset/csv.js';
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
    // Byte offsets in the file: the BOM counts, and ä, ü, ö take two bytes each in UTF-8.
    expect(t.headerSpan).toEqual({ start: 3, end: 10, next: 11 });
    expect(t.records).toEqual([{ line: 2, cells: ['ü', 'ö\nx'], source: 'ü,"ö\nx"', span: { start: 11, end: 20, next: 21 } }]);
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

  it.each([
    ['CR only', ['\r', '\r', '\r', '\r'], [2, 3, 4]],
    ['LF', ['\n', '\n', '\n', '\n'], [2, 3, 4]],
    ['CRLF then LF then CR, no final break', ['\r\n', '\n', '\r', ''], [2, 3, 4]],
    ['\\r\\r\\n and \\n\\r: a blank line each', ['\r\r\n', '\n\r', '\r\r\n', '\n\r'], [3, 5, 7]],
  ])('splits records at every line break (%s) and gives each its byte span', (_name, breaks, lines) => {
    const texts = ['a,b,c', '1,"x,y",3', '4,"q""r",6', '7,8,9'];
    const text = texts.map((l, i) => l + breaks[i]!).join('');
    const t = readCsvTable(Buffer.from(text, 'utf8'), 'x.csv');
    expect(t.problems).toEqual([]);
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(t.records.map((r) => r.cells)).toEqual([['1', 'x,y', '3'], ['4', 'q"r', '6'], ['7', '8', '9']]);
    expect(t.records.map((r) => r.line)).toEqual(lines);
    // Each span is the record's text; [end, next) is the one line break the parser took after it.
    let offset = 0;
    texts.forEach((l, i) => {
      const span = i === 0 ? t.headerSpan : t.records[i - 1]!.span;
      const at = text.indexOf(l, offset);
      expect(span).toMatchObject({ start: at, end: at + l.length });
      const taken = text.slice(span.end, span.next);
      expect(['\r\n', '\n', '\r', '']).toContain(taken);
      expect(breaks[i]!.startsWith(taken) && (taken !== '' || breaks[i] === '')).toBe(true);
      if (i > 0) expect(t.records[i - 1]!.source).toBe(l);
      offset = at + l.length;
    });
  });

  it('numbers physical lines of a CR-only file and resumes there after a syntax error', () => {
    const t = readCsvTable('a,b\r1,2\r3,"x\r4,5\r', 'x.csv');
    expect(t.records.map((r) => [r.line, r.cells])).toEqual([[2, ['1', '2']], [4, ['4', '5']]]);
    expect(t.problems.map((p) => [p.code, p.line])).toEqual([['csv_syntax', 3]]);
  });

  it('locates every cell of a record in its bytes (quotes included) and reads it back', () => {
    const bytes = Buffer.from('\ufeffh1,h2,h3,h4\r\n"a ""q""",,"x,\r\ny",7\r\n', 'utf8');
    const t = readCsvTable(bytes, 'x.csv');
    const rec = t.records[0]!;
    const spans = cellSpans(bytes, rec)!;
    expect(spans.map((c) => bytes.toString('utf8', c.start, c.end))).toEqual(['"a ""q"""', '', '"x,\r\ny"', '7']);
    expect(spans.map((c) => cellText(bytes, c))).toEqual(rec.cells);
    // Cells that do not match the record's bytes are never located.
    expect(cellSpans(bytes, { ...rec, cells: ['a "q"', '', 'x,\r\ny'] })).toBeNull();
    expect(cellSpans(bytes, { ...rec, cells: ['a "q"', '', 'x,y', '7'] })).toBeNull();
  });

  it('names the dominant line break between records (whole runs); CRLF when there is none', () => {
    const dominant = (text: string): string => {
      const t = readCsvTable(text, 'x.csv');
      return dominantLineBreak(t.format.bytes, t.records, t.headerSpan);
    };
    expect(dominant('a\r\n1\r\n2\n3\r\n')).toBe('\r\n');
    expect(dominant('a\r1\r2\r')).toBe('\r');
    expect(dominant('a\n1\n\n2\n3')).toBe('\n');
    expect(dominant('a\r\r\n1\r\r\n2\n\r3\r\r\n')).toBe('\r\r\n');
    expect(dominant('a')).toBe('\r\n');
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
