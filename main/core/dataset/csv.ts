// Generic CSV reading for the dataset CSVs: decoding checks, csv-parse with resynchronisation after syntax
// errors, physical line numbers of every record, and the byte-level format facts an exporter needs.
// Plain Node; knows nothing about SPIDER columns (overview.ts and gradings.ts do).
//
// Line breaks: CRLF, LF and a lone CR all end a record (and a physical line), in any mix within one file. So a
// CR-only file (old Mac style) and files with `\r\r\n` or `\n\r` runs read as their editors show them; the runs
// that make no record are blank lines and are skipped. Every record carries its byte offsets in the file, so an
// exporter patches exactly the bytes the parser read (never a re-split of its own).
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../../common/errors.js';
import type { CsvFormat, CsvRecord, DatasetProblem } from './types.js';

/** Why a whole CSV file was refused. */
export type CsvFileProblem = 'csv_unreadable' | 'csv_header';

/**
 * A CSV file that cannot be used at all (binary junk, not UTF-8, empty, or a header lacking a required
 * column). Row-level trouble never throws: it becomes a {@link DatasetProblem} and the other rows load.
 */
export class DatasetCsvError extends AppError {
  /** The problem code the scan reports for this file. */
  readonly problem: CsvFileProblem;
  /** The missing column, for `csv_header`. */
  readonly column: string | undefined;
  constructor(problem: CsvFileProblem, fileLabel: string, message: string, column?: string) {
    super('invalid_file', `${fileLabel}: ${message}`, { file: fileLabel });
    this.name = 'DatasetCsvError';
    this.problem = problem;
    this.column = column;
  }
}

/**
 * Where a record lies in the file's bytes ({@link CsvFormat.bytes}, BOM included): `[start, end)` is its text
 * without the line terminator (= {@link CsvRecord.source}), `[end, next)` the terminator it ended with (empty for a
 * last record without one). Blank lines before a record are not part of it.
 */
export interface CsvRecordSpan {
  start: number;
  end: number;
  next: number;
}

/** A record as the parser read it, with its byte offsets. */
export interface LocatedCsvRecord extends CsvRecord {
  span: CsvRecordSpan;
}

/** Byte range `[start, end)` of one cell as written (quotes included). */
export interface CsvCellSpan {
  start: number;
  end: number;
}

/** A CSV file split into records, before any column meaning is applied. */
export interface CsvTable {
  /** Header cells exactly as written (BOM removed). */
  header: string[];
  /** Physical line (1-based) where the header starts. */
  headerLine: number;
  /** Byte offsets of the header record. */
  headerSpan: CsvRecordSpan;
  /** Every data record that csv-parse could read, in file order. */
  records: LocatedCsvRecord[];
  /** Syntax problems (malformed quoting), each with the line where the bad record starts. */
  problems: DatasetProblem[];
  format: CsvFormat;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Turns the caller's input into bytes; strings are encoded as UTF-8 (a leading U+FEFF becomes a BOM). */
export function toBytes(input: string | Uint8Array): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

function hasUtf8Bom(buf: Buffer): boolean {
  return buf.length >= 3 && buf[0] === UTF8_BOM[0] && buf[1] === UTF8_BOM[1] && buf[2] === UTF8_BOM[2];
}

/** Refuses input that is not text: NUL bytes, UTF-16/32 byte order marks, or invalid UTF-8. */
function assertText(buf: Buffer, fileLabel: string): void {
  if (buf.length === 0) throw new DatasetCsvError('csv_unreadable', fileLabel, 'the file is empty');
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    throw new DatasetCsvError('csv_unreadable', fileLabel, 'the file is UTF-16/UTF-32 encoded; expected UTF-8 text');
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    throw new DatasetCsvError('csv_unreadable', fileLabel, `binary data (NUL byte at offset ${nul}); expected UTF-8 CSV text`);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new DatasetCsvError('csv_unreadable', fileLabel, 'not valid UTF-8 text; expected a UTF-8 CSV file');
  }
}

/** The record delimiters csv-parse is given: CRLF first, so that it is one line break and not CR + LF. */
const RECORD_DELIMITERS = ['\r\n', '\n', '\r'];

function detectFormat(buf: Buffer): CsvFormat {
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) lf++;
    else if (buf[i] === 0x0d) {
      if (buf[i + 1] === 0x0a) {
        crlf++;
        i++;
      } else cr++;
    }
  }
  // CsvFormat has no name for CR-only files: they are 'none' (no LF) here; the exporter reads the line breaks
  // of the records themselves (see the record spans).
  const kinds = [crlf, lf, cr].filter((n) => n > 0).length;
  const lineEnding = kinds > 1 ? 'mixed' : crlf > 0 ? 'crlf' : lf > 0 ? 'lf' : 'none';
  const last = buf[buf.length - 1];
  return {
    byteLength: buf.length,
    hasBom: hasUtf8Bom(buf),
    lineEnding,
    endsWithNewline: last === 0x0a || last === 0x0d,
    sha256: createHash('sha256').update(buf).digest('hex'),
    bytes: buf,
  };
}

/** Byte offsets at which each physical line starts (index 0 ↔ line 1). Lines end at CRLF, LF or a lone CR. */
function lineStarts(buf: Buffer, from: number): number[] {
  const starts = [from];
  for (let i = from; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x0a || (b === 0x0d && buf[i + 1] !== 0x0a)) starts.push(i + 1);
  }
  return starts;
}

/** 1-based physical line containing byte `offset`. */
function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** First byte at or after `offset` that is not a line terminator (csv-parse skips empty lines). */
function skipBlankLines(buf: Buffer, offset: number): number {
  let i = offset;
  while (i < buf.length && (buf[i] === 0x0a || buf[i] === 0x0d)) i++;
  return i;
}

/** End of the record's text without its line terminator (CRLF, LF or CR, whichever the parser consumed). */
function trimTerminator(buf: Buffer, start: number, end: number): number {
  let e = end;
  if (e > start && buf[e - 1] === 0x0a) e--;
  if (e > start && buf[e - 1] === 0x0d) e--;
  return e;
}

function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return 'CSV_ERROR';
}

const SYNTAX_TEXT: Record<string, string> = {
  CSV_INVALID_CLOSING_QUOTE: 'a quoted field is followed by other characters before the next comma',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted field',
  CSV_MAX_RECORD_SIZE: 'a record is longer than the parser limit',
};

/**
 * Splits CSV bytes into records with csv-parse and reports the physical line where each record starts.
 *
 * csv-parse's own `info.lines` counts CR and LF separately inside quoted CRLF fields and gives the END line,
 * and after a quoting error it treats the rest of the file as one field. So line numbers are computed here
 * from byte offsets (`info.bytes`), and after a syntax error parsing resumes at the next physical line.
 *
 * @throws DatasetCsvError when the input is not UTF-8 text or has no header record.
 */
export function readCsvTable(input: string | Uint8Array, fileLabel: string): CsvTable {
  const buf = toBytes(input);
  assertText(buf, fileLabel);
  const format = detectFormat(buf);
  const bodyStart = format.hasBom ? UTF8_BOM.length : 0;
  const starts = lineStarts(buf, 0);
  const all: LocatedCsvRecord[] = [];
  const problems: DatasetProblem[] = [];

  let offset = bodyStart;
  while (offset < buf.length) {
    const chunkStart = offset;
    let lastEnd = chunkStart;
    try {
      parse(buf.subarray(chunkStart), {
        relax_column_count: true,
        skip_empty_lines: true,
        record_delimiter: RECORD_DELIMITERS,
        on_record: (cells: string[], ctx) => {
          const next = chunkStart + ctx.bytes;
          const start = skipBlankLines(buf, lastEnd);
          const end = trimTerminator(buf, start, next);
          all.push({
            line: lineAt(starts, start),
            cells,
            source: buf.toString('utf8', start, end),
            span: { start, end, next },
          });
          lastEnd = next;
          return null;
        },
      });
      offset = buf.length;
    } catch (err) {
      const start = skipBlankLines(buf, lastEnd);
      if (start >= buf.length) break;
      const line = lineAt(starts, start);
      const code = errorCode(err);
      problems.push({
        severity: 'error',
        code: 'csv_syntax',
        message: `${fileLabel} line ${line}: malformed CSV (${SYNTAX_TEXT[code] ?? code}); record skipped`,
        file: fileLabel,
        line,
      });
      // Resume at the physical line after the one where the bad record starts.
      offset = line < starts.length ? starts[line]! : buf.length;
    }
  }

  const headerRecord = all.shift();
  if (!headerRecord || (problems.length > 0 && problems[0]!.line! < headerRecord.line)) {
    throw new DatasetCsvError('csv_header', fileLabel, 'no readable header line');
  }
  return { header: headerRecord.cells, headerLine: headerRecord.line, headerSpan: headerRecord.span, records: all, problems, format };
}

/**
 * The byte ranges of a record's cells as written (quotes included), found by walking the record's own bytes
 * with csv-parse's quoting rules (comma separator, `"` quotes, `""` escapes). Returns null unless the walk
 * yields exactly the parsed cells, so a caller can never patch a cell at the wrong place.
 */
export function cellSpans(bytes: Uint8Array, record: LocatedCsvRecord): CsvCellSpan[] | null {
  const { start, end } = record.span;
  const buf = toBytes(bytes);
  const spans: CsvCellSpan[] = [];
  let i = start;
  for (;;) {
    const s = i;
    if (i < end && buf[i] === 0x22) {
      i++;
      while (i < end) {
        if (buf[i] === 0x22) {
          if (i + 1 < end && buf[i + 1] === 0x22) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
    }
    while (i < end && buf[i] !== 0x2c) i++;
    spans.push({ start: s, end: i });
    if (i >= end) break;
    i++; // the comma
  }
  if (spans.length !== record.cells.length) return null;
  const same = spans.every((c, k) => cellText(buf, c) === record.cells[k]);
  return same ? spans : null;
}

/** The value of a cell written at `span` (quotes removed, `""` → `"`). */
export function cellText(bytes: Uint8Array, span: CsvCellSpan): string {
  const raw = toBytes(bytes).toString('utf8', span.start, span.end);
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) return raw.slice(1, -1).replaceAll('""', '"');
  return raw;
}

/**
 * The line break a CSV file uses most between its records (the whole run between one record's text and the
 * next one's, e.g. `\r\n`, `\n`, `\r`, or `\r\r\n` in a file converted twice); ties go to the one seen first.
 * `fallback` when the file has no line break at all.
 */
export function dominantLineBreak(bytes: Uint8Array, records: readonly LocatedCsvRecord[], headerSpan: CsvRecordSpan, fallback = '\r\n'): string {
  const buf = toBytes(bytes);
  const spans = [headerSpan, ...records.map((r) => r.span)];
  const counts = new Map<string, number>();
  const note = (from: number, to: number): void => {
    if (to <= from) return;
    const run = buf.toString('latin1', from, to);
    if (!/^[\r\n]+$/.test(run)) return;
    counts.set(run, (counts.get(run) ?? 0) + 1);
  };
  for (let k = 0; k + 1 < spans.length; k++) note(spans[k]!.end, spans[k + 1]!.start);
  const last = spans[spans.length - 1]!;
  note(last.end, skipBlankLines(buf, last.end));
  let best: string | null = null;
  for (const [run, n] of counts) if (best === null || n > counts.get(best)!) best = run;
  return best ?? fallback;
}

/** Index of each header name (first occurrence wins), plus the names that occur more than once. */
export function headerIndex(header: readonly string[]): { index: Map<string, number>; duplicates: string[] } {
  const index = new Map<string, number>();
  const duplicates: string[] = [];
  header.forEach((name, i) => {
    if (index.has(name)) duplicates.push(name);
    else index.set(name, i);
  });
  return { index, duplicates };
}

/** Orders problems by line (stable; problems without a line first). */
export function byLine(a: DatasetProblem, b: DatasetProblem): number {
  return (a.line ?? 0) - (b.line ?? 0);
}

/** Parses a base-10 integer cell written without sign decoration or spaces ("7", "-1"); anything else → null. */
export function parseIntCell(text: string): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses a decimal number cell ("59.0", ".5859375", "1e3"); empty or non-numeric → null. */
export function parseNumberCell(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
