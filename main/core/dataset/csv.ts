// Generic CSV reading for the dataset CSVs: decoding checks, csv-parse with resynchronisation after syntax
// errors, physical line numbers of every record, and the byte-level format facts an exporter needs.
// Plain Node; knows nothing about SPIDER columns (overview.ts and gradings.ts do).
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

/** A CSV file split into records, before any column meaning is applied. */
export interface CsvTable {
  /** Header cells exactly as written (BOM removed). */
  header: string[];
  /** Physical line (1-based) where the header starts. */
  headerLine: number;
  /** Every data record that csv-parse could read, in file order. */
  records: CsvRecord[];
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

function detectFormat(buf: Buffer): CsvFormat {
  let crlf = 0;
  let lf = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (i > 0 && buf[i - 1] === 0x0d) crlf++;
    else lf++;
  }
  const lineEnding = crlf > 0 && lf > 0 ? 'mixed' : crlf > 0 ? 'crlf' : lf > 0 ? 'lf' : 'none';
  return {
    byteLength: buf.length,
    hasBom: hasUtf8Bom(buf),
    lineEnding,
    endsWithNewline: buf.length > 0 && buf[buf.length - 1] === 0x0a,
    sha256: createHash('sha256').update(buf).digest('hex'),
    bytes: buf,
  };
}

/** Byte offsets at which each physical line starts (index 0 ↔ line 1). Lines end at LF (CRLF ends in LF too). */
function lineStarts(buf: Buffer, from: number): number[] {
  const starts = [from];
  for (let i = buf.indexOf(0x0a, from); i >= 0; i = buf.indexOf(0x0a, i + 1)) starts.push(i + 1);
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

/** End of the record's text without its line terminator. */
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
  const all: CsvRecord[] = [];
  const problems: DatasetProblem[] = [];

  let offset = bodyStart;
  while (offset < buf.length) {
    const chunkStart = offset;
    let lastEnd = chunkStart;
    try {
      parse(buf.subarray(chunkStart), {
        relax_column_count: true,
        skip_empty_lines: true,
        on_record: (cells: string[], ctx) => {
          const end = chunkStart + ctx.bytes;
          const start = skipBlankLines(buf, lastEnd);
          all.push({
            line: lineAt(starts, start),
            cells,
            source: buf.toString('utf8', start, trimTerminator(buf, start, end)),
          });
          lastEnd = end;
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
  return { header: headerRecord.cells, headerLine: headerRecord.line, records: all, problems, format };
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
