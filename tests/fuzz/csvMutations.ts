// Mutations of the dataset CSVs (overview.csv, radiological_gradings.csv) for the CSV fuzz target: the table
// (missing and extra columns, duplicated and shuffled rows, a repeated header, bad numbers, huge fields, unknown
// patients and levels, quoting, Unicode), how it is written (CR / LF / CRLF / mixed line breaks, BOM, blank
// lines, a missing final newline, quoting style) and the written bytes (broken quotes, truncation, flipped
// bytes, NUL, UTF-16, empty, header only, junk).
import { pickWeighted, type Rng } from './fuzzKit.js';

export interface CsvDraft {
  header: string[];
  rows: string[][];
}

export type CsvKind = 'overview' | 'gradings';

const BAD_NUMBERS = [
  '', ' ', '1.0', '-1', ' 3', '3 ', '1e1', 'NaN', 'Infinity', '0x1', '99999999999999999999', '9007199254740993', '٣', '+1', '−1',
  '1,0', '"2"', 'two', '0.5', '6', '4', '-0', '00', '0001', '\u00a0', 'null', 'None', '1_000', '2\t',
];

const UNICODE = ['😀', 'ü', '\u202eevil', '\u00a0', '\ud800', '\udc00x', 'ÿ', '中文', '\u0301', 'a\u0000b'];

/** A cell text that forces quoting (comma, quote, line breaks). */
const TRICKY = ['a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', 'crlf\r\nhere', '"', '""', ',', '\r\n', ' , '];

interface TableMutation {
  name: string;
  weight: number;
  /** Only for one kind of file. */
  only?: CsvKind;
  apply(d: CsvDraft, r: Rng, kind: CsvKind): string;
}

function randomRow(d: CsvDraft, r: Rng): string[] | undefined {
  return d.rows.length === 0 ? undefined : d.rows[r.int(0, d.rows.length - 1)];
}

const TABLE: TableMutation[] = [
  {
    name: 'drop column',
    weight: 4,
    apply(d, r) {
      const col = r.int(0, Math.max(0, d.header.length - 1));
      const where = r.pick(['header', 'rows', 'both', 'one row'] as const);
      if (where !== 'rows' && where !== 'one row') d.header.splice(col, 1);
      if (where === 'rows' || where === 'both') for (const row of d.rows) row.splice(col, 1);
      if (where === 'one row') randomRow(d, r)?.splice(col, 1);
      return `column ${col} dropped (${where})`;
    },
  },
  {
    name: 'extra column',
    weight: 3,
    apply(d, r) {
      const col = r.int(0, d.header.length);
      const where = r.pick(['header', 'rows', 'both', 'one row'] as const);
      const name = r.pick(['Extra', 'Patient', 'Modic', '', 'Pfirrmann grade', 'IVD label']);
      if (where === 'header' || where === 'both') d.header.splice(col, 0, name);
      if (where === 'rows' || where === 'both') for (const row of d.rows) row.splice(col, 0, r.pick(['x', '1', '', '9']));
      if (where === 'one row') randomRow(d, r)?.splice(col, 0, 'extra');
      return `extra column ${JSON.stringify(name)} at ${col} (${where})`;
    },
  },
  {
    name: 'duplicate rows',
    weight: 4,
    apply(d, r) {
      const n = r.int(1, 4);
      for (let i = 0; i < n; i++) {
        const row = randomRow(d, r);
        if (!row) break;
        const copy = [...row];
        if (r.chance(0.5) && copy.length > 2) copy[r.int(2, copy.length - 1)] = r.pick(['0', '1', '2', '5']);
        d.rows.splice(r.int(0, d.rows.length), 0, copy);
      }
      return `${n} row(s) duplicated`;
    },
  },
  {
    name: 'repeat header',
    weight: 2,
    apply(d, r) {
      const at = r.int(0, d.rows.length);
      d.rows.splice(at, 0, [...d.header]);
      return `header repeated as row ${at}`;
    },
  },
  {
    name: 'shuffle rows',
    weight: 1,
    apply(d, r) {
      for (let i = d.rows.length - 1; i > 0; i--) {
        const j = r.int(0, i);
        [d.rows[i], d.rows[j]] = [d.rows[j]!, d.rows[i]!];
      }
      return 'rows shuffled';
    },
  },
  {
    name: 'delete rows',
    weight: 2,
    apply(d, r) {
      if (r.chance(0.3)) {
        d.rows = [];
        return 'all rows deleted (header only)';
      }
      const n = r.int(1, Math.max(1, d.rows.length - 1));
      for (let i = 0; i < n && d.rows.length > 0; i++) d.rows.splice(r.int(0, d.rows.length - 1), 1);
      return `${n} row(s) deleted`;
    },
  },
  {
    name: 'bad number',
    weight: 8,
    apply(d, r, kind) {
      const n = r.int(1, 4);
      const notes: string[] = [];
      for (let i = 0; i < n; i++) {
        const row = randomRow(d, r);
        if (!row || row.length === 0) break;
        const col = kind === 'overview' ? r.pick([1, 2, 4, r.int(0, row.length - 1)]) : r.int(0, row.length - 1);
        const v = r.pick(BAD_NUMBERS);
        row[Math.min(col, row.length - 1)] = v;
        notes.push(`${col}=${JSON.stringify(v)}`);
      }
      return `bad numbers ${notes.join(' ')}`;
    },
  },
  {
    name: 'huge field',
    weight: 2,
    apply(d, r) {
      const size = r.pick([70_000, 200_000, 1_100_000]);
      const text = r.pick(['x', '9', 'a,b', 'q"q', 'l\n']).repeat(Math.ceil(size / 3)).slice(0, size);
      const row = randomRow(d, r) ?? d.header;
      row[r.int(0, row.length - 1)] = text;
      return `huge field of ${size} chars`;
    },
  },
  {
    name: 'many columns',
    weight: 1,
    apply(d, r) {
      const n = r.int(500, 3000);
      d.header.push(...Array.from({ length: n }, (_, i) => `c${i}`));
      for (const row of d.rows) row.push(...Array.from({ length: n }, () => '1'));
      return `${n} extra columns`;
    },
  },
  {
    name: 'unknown patient or level',
    weight: 3,
    only: 'gradings',
    apply(d, r) {
      const row = randomRow(d, r);
      if (!row) return 'no row to change';
      const col = r.chance(0.5) ? 0 : 1;
      const v = r.pick(col === 0 ? ['999', '0', '-3', '1000000000', '2 ', '1.5', '3'] : ['0', '26', '-1', '9', '25', '1.0', '4']);
      row[col] = v;
      return `${col === 0 ? 'Patient' : 'IVD label'}=${JSON.stringify(v)}`;
    },
  },
  {
    name: 'series id',
    weight: 3,
    only: 'overview',
    apply(d, r) {
      const row = randomRow(d, r);
      if (!row) return 'no row to change';
      const v = r.pick(['1_T1', '01_t1', '1_t1 ', '', '1-t1', '1_t2', '2_t1', 'x_t1', '1_t1.mha', '99_t1', '1_t2_SPACE']);
      row[0] = v;
      return `new_file_name=${JSON.stringify(v)}`;
    },
  },
  {
    name: 'empty cells',
    weight: 2,
    apply(d, r) {
      const row = randomRow(d, r);
      if (!row) return 'no row to change';
      for (let i = 0; i < row.length; i++) if (r.chance(0.4)) row[i] = '';
      return 'cells emptied';
    },
  },
  {
    name: 'unicode',
    weight: 2,
    apply(d, r) {
      const row = r.chance(0.2) ? d.header : (randomRow(d, r) ?? d.header);
      const v = r.pick(UNICODE);
      const col = r.int(0, Math.max(0, row.length - 1));
      row[col] = r.chance(0.5) ? v : `${row[col] ?? ''}${v}`;
      return `unicode ${JSON.stringify(v)} in a cell`;
    },
  },
  {
    name: 'tricky text',
    weight: 3,
    apply(d, r) {
      const row = randomRow(d, r) ?? d.header;
      const v = r.pick(TRICKY);
      row[r.int(0, Math.max(0, row.length - 1))] = v;
      return `cell ${JSON.stringify(v)}`;
    },
  },
  {
    name: 'header names',
    weight: 3,
    apply(d, r, kind) {
      const col = r.int(0, Math.max(0, d.header.length - 1));
      const old = d.header[col] ?? '';
      const v = r.pick([old.toLowerCase(), `${old} `, ` ${old}`, kind === 'gradings' ? 'Pfirrmann grade' : 'new_file_name', old.toUpperCase(), d.header[0] ?? '', '']);
      d.header[col] = v;
      return `header ${JSON.stringify(old)}→${JSON.stringify(v)}`;
    },
  },
];

function pickTable(r: Rng, kind: CsvKind): TableMutation {
  return pickWeighted(TABLE.filter((m) => !m.only || m.only === kind), r);
}

// --- writing --- //

interface Style {
  eol: string;
  mixed: boolean;
  bom: boolean;
  finalNewline: boolean;
  quote: 'needed' | 'some' | 'all';
  blankLines: boolean;
}

function randomStyle(r: Rng): Style {
  const eol = r.pick(['\r\n', '\r\n', '\n', '\r', '\r\r\n', '\n\r'] as const);
  return {
    eol,
    mixed: r.chance(0.2),
    bom: r.chance(0.15),
    finalNewline: r.chance(0.8),
    quote: r.pick(['needed', 'needed', 'some', 'all'] as const),
    blankLines: r.chance(0.1),
  };
}

function describeStyle(s: Style): string {
  return [
    `eol ${JSON.stringify(s.eol)}${s.mixed ? ' mixed' : ''}`,
    s.bom ? 'BOM' : '',
    s.finalNewline ? '' : 'no final newline',
    s.quote !== 'needed' ? `quote ${s.quote}` : '',
    s.blankLines ? 'blank lines' : '',
  ].filter(Boolean).join(', ');
}

function writeCell(text: string, s: Style, r: Rng): string {
  const needed = /[",\r\n]/.test(text);
  const quote = needed || s.quote === 'all' || (s.quote === 'some' && r.chance(0.3));
  return quote ? `"${text.replaceAll('"', '""')}"` : text;
}

function writeTable(d: CsvDraft, s: Style, r: Rng): string {
  const lines = [d.header, ...d.rows].map((cells) => cells.map((c) => writeCell(c, s, r)).join(','));
  let out = s.bom ? '\ufeff' : '';
  lines.forEach((line, i) => {
    out += line;
    const last = i === lines.length - 1;
    if (!last || s.finalNewline) out += s.mixed ? r.pick(['\r\n', '\n', '\r']) : s.eol;
    if (s.blankLines && r.chance(0.2)) out += s.eol.repeat(r.int(1, 2));
  });
  return out;
}

// --- bytes --- //

const REPLACEMENTS: ReadonlyArray<[string, (d: CsvDraft, s: Style) => Buffer | null]> = [
  ['empty file', () => Buffer.alloc(0)],
  ['header only', (d, s) => Buffer.from(d.header.join(',') + s.eol)],
  ['header only, no newline', (d) => Buffer.from(d.header.join(','))],
  ['whitespace only', () => Buffer.from('   \t  ')],
  ['line breaks only', () => Buffer.from('\r\n\r\n\n\r')],
  ['BOM only', () => Buffer.from([0xef, 0xbb, 0xbf])],
  ['a single comma', () => Buffer.from(',')],
  ['absent', () => null],
];

/**
 * A mutated CSV: 0–3 table mutations, a random writing style, then (sometimes) one byte-level mutation.
 * Returns the bytes (null = the file is absent) and what was done.
 */
export function mutateCsv(base: CsvDraft, kind: CsvKind, r: Rng): { bytes: Buffer | null; notes: string[] } {
  const d: CsvDraft = { header: [...base.header], rows: base.rows.map((row) => [...row]) };
  const notes: string[] = [];
  const n = r.pick([0, 1, 1, 1, 2, 2, 3]);
  for (let i = 0; i < n; i++) notes.push(pickTable(r, kind).apply(d, r, kind));
  const style = randomStyle(r);
  const styleNote = describeStyle(style);
  if (styleNote) notes.push(styleNote);
  if (r.chance(0.06)) {
    const [name, make] = r.pick(REPLACEMENTS);
    notes.push(`replaced: ${name}`);
    return { bytes: make(d, style), notes };
  }
  let bytes = Buffer.from(writeTable(d, style, r), 'utf8');
  if (r.chance(0.3)) {
    const what = r.pick(['unclosed quote', 'stray quote', 'truncate', 'flip bytes', 'nul', 'utf16', 'junk line', 'trailing spaces'] as const);
    const at = r.int(0, Math.max(0, bytes.length - 1));
    switch (what) {
      case 'unclosed quote':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from('"'), bytes.subarray(at)]);
        break;
      case 'stray quote': {
        const comma = bytes.indexOf(',', at);
        const pos = comma > 0 ? comma + 2 : at;
        bytes = Buffer.concat([bytes.subarray(0, pos), Buffer.from('x"y'), bytes.subarray(pos)]);
        break;
      }
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'flip bytes': {
        const b = Buffer.from(bytes);
        for (let i = r.int(1, 4); i > 0 && b.length > 0; i--) b[r.int(0, b.length - 1)]! ^= 1 << r.int(0, 7);
        bytes = b;
        break;
      }
      case 'nul':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
        break;
      case 'utf16':
        bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes.toString('utf8'), 'utf16le')]);
        break;
      case 'junk line': {
        const nl = bytes.indexOf('\n', at);
        const pos = nl >= 0 ? nl + 1 : bytes.length;
        bytes = Buffer.concat([bytes.subarray(0, pos), Buffer.from(r.pick(['junk', ',,,,', '"', ';;;', '# comment', '\t']) + style.eol), bytes.subarray(pos)]);
        break;
      }
      case 'trailing spaces':
        bytes = Buffer.from(bytes.toString('utf8').replaceAll(',', ' , '), 'utf8');
        break;
    }
    notes.push(`bytes: ${what}`);
  }
  return { bytes, notes };
}
