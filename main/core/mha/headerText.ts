// Splits the text header of a MetaImage into `Key = Value` fields and finds where it ends (after the
// ElementDataFile line). Knows nothing about what the fields mean (header.ts does); refuses binary junk early.
import { MetaImageError, quote } from './errors.js';

/** Longest header accepted; real headers are well under 1 KiB. Readers fetch at most this many bytes to parse it. */
export const HEADER_LIMIT = 64 * 1024;

export interface HeaderText {
  /** Fields in file order as written (value trimmed); a repeated key keeps its last value. */
  fields: Record<string, string>;
  /** Bytes from the start of the file to the first byte after the ElementDataFile line. */
  headerLength: number;
}

// A field line: a key that starts with a letter and has no blanks or '=', then '=', then the value.
const FIELD_LINE = /^\s*([A-Za-z_][^\s=]*)\s*=(.*)$/;

/** True when bytes [from, to) hold a control character other than tab or CR, i.e. not header text. */
function hasControlBytes(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

/**
 * Parses the header at the start of `head`. `isWholeFile` says whether `head` is the entire file (else it is the
 * first HEADER_LIMIT bytes and a header running past them is refused as 'header_too_long').
 */
export function splitHeader(head: Uint8Array, isWholeFile: boolean, file: string): HeaderText {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const fields = new Map<string, string>();
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  let pos = bom ? 3 : 0;
  let lineNo = 0;
  while (pos < head.length) {
    const nl = head.indexOf(0x0a, pos);
    if (nl === -1 && !isWholeFile) {
      if (hasControlBytes(head, pos, head.length)) break; // junk: reported below
      throw new MetaImageError('header_too_long', file, `the header does not end within ${HEADER_LIMIT / 1024} KiB`);
    }
    const end = nl === -1 ? head.length : nl;
    const next = nl === -1 ? head.length : nl + 1;
    const lineEnd = end > pos && head[end - 1] === 0x0d ? end - 1 : end;
    lineNo++;
    if (hasControlBytes(head, pos, lineEnd)) {
      if (fields.size === 0) break;
      throw new MetaImageError('no_element_data_file', file, 'the header has no ElementDataFile line before the binary data');
    }
    const line = text.toString('utf8', pos, lineEnd);
    pos = next;
    if (line.trim() === '') continue;
    const m = FIELD_LINE.exec(line);
    if (!m) {
      if (fields.size === 0) break;
      throw new MetaImageError('malformed_field', file, `header line ${lineNo} is not "Key = Value": ${quote(line)}`);
    }
    const key = m[1]!;
    fields.set(key, m[2]!.trim());
    if (key === 'ElementDataFile') return { fields: Object.fromEntries(fields), headerLength: next };
  }
  if (fields.size === 0) {
    const what = head.length === 0 ? 'the file is empty' : 'the file does not start with a MetaImage header';
    throw new MetaImageError('not_metaimage', file, `not a MetaImage file (${what})`);
  }
  throw new MetaImageError('no_element_data_file', file, 'the header ends without an ElementDataFile line');
}
