// Mutations of a valid MetaImage (written by the project's writer) for the MetaImage fuzz target: header fields
// (every field the reader interprets, with garbage, huge numbers, NaN, aliases, duplicates, missing lines),
// header structure (line order, endings, junk lines, BOM), the voxel payload (truncated, extended, bit-flipped,
// corrupt or foreign zlib streams) and the bytes of the finished files.
import { relative } from 'node:path';
import zlib from 'node:zlib';
import type { VolumeGeometry } from '../../common/geometry.js';
import type { PixelType } from '../../main/core/mha/index.js';
import { pickWeighted, type Rng } from './fuzzKit.js';

export interface MetaDraft {
  container: 'mha' | 'mhd';
  /** Header lines without terminators, in order. */
  lines: string[];
  eol: string;
  bom: boolean;
  /** The stored voxel bytes: after the header (.mha) or the whole data file (.mhd). */
  payload: Buffer;
  /** The writer's uncompressed voxel bytes (for building other zlib streams). */
  raw: Buffer;
  /** Data file name of a .mhd (beside the header). */
  dataName: string;
  compressed: boolean;
  pixelType: PixelType;
  geometry: VolumeGeometry;
  /** Set when a mutation removed the .mhd's data file. */
  dropDataFile: boolean;
  /** Set when the data file (dataName, beside the header) must be a symbolic link to the outside file. */
  linkData?: boolean;
}

/** The finished files of a draft, before the byte-level mutations. */
export interface MetaFiles {
  header: Buffer;
  /** The .mhd's data file (null for .mha or when it was removed). */
  data: Buffer | null;
}

export interface MutationEnv {
  /** Absolute path of the header file being written. */
  headerFile: string;
  /** Absolute path of a file outside the dataset folder holding a valid payload for the base volume. */
  outsideFile: string;
  /** Its payload, so a CompressedDataSize can be made to match it. */
  outsidePayload: Buffer;
}

interface Mutation {
  name: string;
  stage: 'header' | 'payload' | 'files';
  weight: number;
  when?: (d: MetaDraft) => boolean;
  /** Applies the mutation and returns what it did, for the case description. */
  apply: (d: MetaDraft, r: Rng, env: MutationEnv, files?: MetaFiles) => string;
}

// --- header lines --- //

const KEY = /^\s*([A-Za-z_][^\s=]*)\s*=/;

export function keyOf(line: string): string | undefined {
  return KEY.exec(line)?.[1];
}

function fieldIndex(d: MetaDraft, key: string): number {
  return d.lines.findIndex((l) => keyOf(l) === key);
}

/** Sets `key` (replacing its first line, else inserting before ElementDataFile). */
export function setField(d: MetaDraft, key: string, value: string): void {
  const i = fieldIndex(d, key);
  const line = `${key} = ${value}`;
  if (i >= 0) d.lines[i] = line;
  else {
    const edf = fieldIndex(d, 'ElementDataFile');
    d.lines.splice(edf >= 0 ? edf : d.lines.length, 0, line);
  }
}

function fieldValue(d: MetaDraft, key: string): string | undefined {
  const i = fieldIndex(d, key);
  return i >= 0 ? d.lines[i]!.slice(d.lines[i]!.indexOf('=') + 1).trim() : undefined;
}

const q = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…(${s.length})` : s);

/** Values no numeric field should accept. */
const GARBAGE = [
  '', ' ', 'NaN', 'nan', 'Infinity', '-Infinity', 'abc', '1e999', '-1e999', '0x10', '½', '٣', '1,5', '--1', '+', '.', '1e',
  '\u00a0', 'True', '9'.repeat(400), '1 2 3 4 5 6 7 8 9 10', 'ÿþ', '1e-400', '0b11', '1_000', '3 3 3 3', '−1',
];

function shuffled<T>(xs: readonly T[], r: Rng): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

type Values = (d: MetaDraft, r: Rng, env: MutationEnv) => string[];

const SIZE_VALUES: Values = (d, r) => {
  const [x, y, z] = d.geometry.size;
  return [
    shuffled([x, y, z], r).join(' '), `${x + 1} ${y} ${z}`, `${x} ${y} ${z - 1}`, `${x * 2} ${y} ${z}`,
    '4294967296 1 1', '65536 65536 65536', '1024 1024 1024', '1048576 1048576 1', '2048 2048 1024', '46341 46341 1',
    '9007199254740993 1 1', '9007199254740991 1 1', '1 1 1', '0 5 5', `-${x} ${y} ${z}`, `${x} ${y}`, `${x} ${y} ${z} 1`,
    `${x}.5 ${y} ${z}`, `${x}e0 ${y} ${z}`, '1e3 1e3 1e3', `NaN ${y} ${z}`, `Infinity ${y} ${z}`, `0x${x} ${y} ${z}`,
    `  ${x}\t${y}   ${z}  `, `${x} ${y} ${z}.0`, `+${x} ${y} ${z}`, ...GARBAGE,
  ];
};

const ELEMENT_TYPES = ['MET_UCHAR', 'MET_CHAR', 'MET_USHORT', 'MET_SHORT', 'MET_UINT', 'MET_INT', 'MET_FLOAT', 'MET_DOUBLE'];
const TYPE_VALUES: Values = () => [
  ...ELEMENT_TYPES, 'MET_UCHAR_ARRAY', 'MET_LONG', 'MET_ULONG_LONG', 'MET_LONG_LONG', 'MET_STRING', 'MET_OTHER', 'MET_NONE',
  'met_short', 'MET_SHORT MET_SHORT', 'MET_FLOAT32', 'short', 'int16', ...GARBAGE,
];

const SPACING_VALUES: Values = () => [
  '1 1 1', '0 1 1', '-1 1 1', '1e-320 1 1', '1e308 1e308 1e308', 'NaN 1 1', 'Infinity 1 1', '1 1', '1 1 1 1', '0.5 0.5 -0',
  '5e-324 5e-324 5e-324', '1e-300 1 1', ...GARBAGE,
];

const DIRECTION_VALUES: Values = () => [
  '1 0 0 0 1 0 0 0 1', '0 1 0 0 0 -1 -1 0 0', '0 0 0 0 0 0 0 0 0', '1 0 0 0 1 0 0 0', '1 0 0 0 1 0 0 0 1 0',
  'NaN 0 0 0 1 0 0 0 1', '2 0 0 0 2 0 0 0 2', '1 1 0 0 1 0 0 0 1', '-1 0 0 0 -1 0 0 0 -1', '1e308 0 0 0 1e308 0 0 0 1e308',
  '0.7071 0.7071 0 -0.7071 0.7071 0 0 0 1', '1 0 0 1 0 0 1 0 0', '1e-320 0 0 0 1 0 0 0 1', 'Infinity 0 0 0 1 0 0 0 1', ...GARBAGE,
];

const ORIGIN_VALUES: Values = () => [
  '0 0 0', '1e308 1e308 1e308', '-1e308 -1e308 -1e308', 'NaN 0 0', '1 2', '1 2 3 4', '-0 -0 -0', '1e-320 0 0', '1.7976931348623157e308 0 0', ...GARBAGE,
];

const BOOL_VALUES: Values = () => ['True', 'False', 'true', 'false', '1', '0', 'yes', 'no', 'On', 'OFF', 'maybe', '', 'T', 'Tru', 'True False', '2'];

const CDS_VALUES: Values = (d) => {
  const n = d.payload.length;
  return [
    '0', '-1', '1', String(n - 1), String(n + 1), String(n * 2), String(Math.floor(n / 2)), '1e20', '99999999999999999999',
    '4294967296', '9007199254740993', '3.5', String(n), ...GARBAGE,
  ];
};

const DATA_FILE_VALUES: Values = (d, _r, env) => [
  'LOCAL', 'local', 'Local', ' LOCAL', 'LOCAL extra', '', 'LIST', 'LIST 3D', 'slice%03d.raw', 'missing.raw', d.dataName, '.', '..',
  '/dev/zero', '/dev/null', relative(dirnameOf(env.headerFile), env.outsideFile), env.outsideFile, '../masks/1_t2.mha',
  '1_t2.mha', 'x'.repeat(300), `${'../'.repeat(12)}etc/hostname`,
];

function dirnameOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

const HEADER_SIZE_VALUES: Values = (d) => [
  '0', '-1', '1', '5', '-2', '99999999999', '1e3', 'abc', String(d.payload.length), String(d.payload.length + 1), '9007199254740993', '-0',
];

const CHANNEL_VALUES: Values = () => ['1', '2', '3', '0', '-1', '1.0', '', 'abc', '99999999999999999999'];
const NDIMS_VALUES: Values = () => ['3', '2', '4', '0', '1', '3.0', '-3', '', '03', 'three', '9007199254740993'];
const OBJECT_VALUES: Values = () => ['Image', 'Mesh', 'image', '', 'Image Image', 'Scene'];
const TEXT_VALUES: Values = () => ['RAI', 'ASL', '???', '', 'x'.repeat(2000), '\u2603 snowman', 'R A I'];

/** Field mutations: [field, aliases it may be renamed to, values]. */
const FIELDS: ReadonlyArray<[string, string[], Values, number]> = [
  ['DimSize', [], SIZE_VALUES, 10],
  ['ElementType', [], TYPE_VALUES, 6],
  ['ElementSpacing', ['ElementSize'], SPACING_VALUES, 5],
  ['TransformMatrix', ['Orientation', 'Rotation'], DIRECTION_VALUES, 5],
  ['Offset', ['Position', 'Origin'], ORIGIN_VALUES, 4],
  ['CompressedData', [], BOOL_VALUES, 5],
  ['CompressedDataSize', [], CDS_VALUES, 6],
  ['BinaryDataByteOrderMSB', ['ElementByteOrderMSB'], BOOL_VALUES, 4],
  ['ElementDataFile', [], DATA_FILE_VALUES, 7],
  ['HeaderSize', [], HEADER_SIZE_VALUES, 4],
  ['ElementNumberOfChannels', [], CHANNEL_VALUES, 3],
  ['NDims', [], NDIMS_VALUES, 3],
  ['ObjectType', [], OBJECT_VALUES, 2],
  ['BinaryData', [], BOOL_VALUES, 2],
  ['AnatomicalOrientation', [], TEXT_VALUES, 1],
];

function fieldMutation([field, aliases, values, weight]: (typeof FIELDS)[number]): Mutation {
  return {
    name: `field ${field}`,
    stage: 'header',
    weight,
    apply(d, r, env) {
      const value = r.pick(values(d, r, env));
      if (aliases.length > 0 && r.chance(0.2)) {
        // The alias instead of (or beside) the canonical name.
        const alias = r.pick(aliases);
        const keep = r.chance(0.5);
        if (!keep) {
          const i = fieldIndex(d, field);
          if (i >= 0) d.lines.splice(i, 1);
        }
        setField(d, alias, value);
        return `${alias}=${q(value)}${keep ? ` beside ${field}` : ` instead of ${field}`}`;
      }
      setField(d, field, value);
      let note = `${field}=${q(value)}`;
      if (field === 'ElementDataFile' && (value === env.outsideFile || value.endsWith('secret.raw'))) {
        // Make the outside file exactly readable, so following it would succeed.
        if (fieldValue(d, 'CompressedDataSize') !== undefined) setField(d, 'CompressedDataSize', String(env.outsidePayload.length));
        note += ' (outside the dataset)';
      }
      return note;
    },
  };
}

/** ElementDataFile leading outside the dataset folder: a relative ../ path, an absolute path, or a symlink. */
const OUTSIDE: Mutation = {
  name: 'data file outside',
  stage: 'header',
  weight: 4,
  apply(d, r, env) {
    const how = r.pick(['relative', 'absolute', 'symlink'] as const);
    const value = how === 'relative' ? relative(dirnameOf(env.headerFile), env.outsideFile) : how === 'absolute' ? env.outsideFile : d.dataName;
    setField(d, 'ElementDataFile', value);
    if (how === 'symlink') d.linkData = true;
    if (fieldValue(d, 'CompressedDataSize') !== undefined) setField(d, 'CompressedDataSize', String(env.outsidePayload.length));
    return `ElementDataFile=${q(value)} (${how}, outside the dataset)`;
  },
};

// --- header structure --- //

const JUNK_LINES = [
  '', '   ', '# a comment', 'NoEqualsSign', '= value', 'Key=', 'Key = a = b', 'dimsize = 1 1 1', 'Kéy = 1', 'X'.repeat(70_000),
  'Control = \u0001', 'Delete = \u007f', '\tTabbed = 1', 'ElementDataFile', '[section]', 'Comment = ' + 'y'.repeat(5000),
];

const STRUCTURE: Mutation[] = [
  {
    name: 'delete line',
    stage: 'header',
    weight: 6,
    apply(d, r) {
      const i = r.int(0, d.lines.length - 1);
      const [gone] = d.lines.splice(i, 1);
      return `deleted ${q(keyOf(gone ?? '') ?? gone ?? '')}`;
    },
  },
  {
    name: 'duplicate line',
    stage: 'header',
    weight: 5,
    apply(d, r, env) {
      const i = r.int(0, d.lines.length - 1);
      const line = d.lines[i]!;
      const key = keyOf(line);
      const spec = FIELDS.find((f) => f[0] === key);
      const copy = spec && r.chance(0.7) ? `${key} = ${r.pick(spec[2](d, r, env))}` : line;
      const at = r.chance(0.5) ? i : i + 1;
      d.lines.splice(at, 0, copy);
      return `duplicated ${q(key ?? line)} as ${q(copy)} ${at === i ? 'before' : 'after'}`;
    },
  },
  {
    name: 'shuffle lines',
    stage: 'header',
    weight: 2,
    apply(d, r) {
      d.lines = shuffled(d.lines, r);
      return `lines shuffled (${d.lines.map((l) => keyOf(l) ?? '?').join(',')})`;
    },
  },
  {
    name: 'junk line',
    stage: 'header',
    weight: 4,
    apply(d, r) {
      const junk = r.chance(0.15) ? r.bytes(r.int(1, 40)).toString('latin1') : r.pick(JUNK_LINES);
      const at = r.int(0, d.lines.length);
      d.lines.splice(at, 0, junk);
      return `junk line ${q(junk)} at ${at}`;
    },
  },
  {
    name: 'line endings',
    stage: 'header',
    weight: 2,
    apply(d, r) {
      d.eol = r.pick(['\r\n', '\r', '\n\n', '\n\r', ' \n', '\t\n']);
      return `eol ${JSON.stringify(d.eol)}`;
    },
  },
  {
    name: 'spacing',
    stage: 'header',
    weight: 2,
    apply(d, r) {
      const style = r.pick(['tight', 'wide', 'tabs', 'lower-keys']);
      d.lines = d.lines.map((l) => {
        const key = keyOf(l);
        if (!key) return l;
        const value = l.slice(l.indexOf('=') + 1).trim();
        if (style === 'tight') return `${key}=${value}`;
        if (style === 'wide') return `   ${key}    =    ${value}   `;
        if (style === 'tabs') return `${key}\t=\t${value}`;
        return `${key.toLowerCase()} = ${value}`;
      });
      return `header spacing ${style}`;
    },
  },
  {
    name: 'bom',
    stage: 'header',
    weight: 1,
    apply(d) {
      d.bom = true;
      return 'UTF-8 BOM';
    },
  },
];

// --- payload --- //

const bomb = (() => {
  let cached: Buffer | null = null;
  return (): Buffer => (cached ??= zlib.deflateSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 }));
})();

const PAYLOAD: Mutation[] = [
  {
    name: 'truncate payload',
    stage: 'payload',
    weight: 6,
    apply(d, r) {
      const keep = r.chance(0.2) ? 0 : r.int(0, Math.max(0, d.payload.length - 1));
      d.payload = d.payload.subarray(0, keep);
      return `payload cut to ${keep} bytes`;
    },
  },
  {
    name: 'extend payload',
    stage: 'payload',
    weight: 4,
    apply(d, r) {
      const n = r.pick([1, 2, 7, r.int(1, 4096), d.payload.length]);
      const extra = r.chance(0.5) ? Buffer.alloc(n) : r.bytes(n);
      d.payload = Buffer.concat([d.payload, extra]);
      return `payload extended by ${n} bytes`;
    },
  },
  {
    name: 'flip payload bits',
    stage: 'payload',
    weight: 6,
    when: (d) => d.payload.length > 0,
    apply(d, r) {
      const p = Buffer.from(d.payload);
      const n = r.int(1, 16);
      for (let i = 0; i < n; i++) p[r.int(0, p.length - 1)]! ^= 1 << r.int(0, 7);
      d.payload = p;
      return `${n} payload bit(s) flipped`;
    },
  },
  {
    name: 'random payload',
    stage: 'payload',
    weight: 2,
    apply(d, r) {
      d.payload = r.bytes(d.payload.length);
      return 'payload replaced by random bytes';
    },
  },
  {
    name: 'zlib stream',
    stage: 'payload',
    weight: 8,
    apply(d, r) {
      const raw = d.raw;
      const kind = r.pick([
        'header byte', 'adler32', 'cut adler32', 'raw deflate', 'gzip', 'short stream', 'long stream', 'two streams', 'empty stream',
        'stored blocks', 'bomb', 'garbage after', 'level 9',
      ] as const);
      const z = zlib.deflateSync(raw);
      let out: Buffer;
      switch (kind) {
        case 'header byte':
          out = Buffer.from(z);
          out[r.int(0, 1)]! ^= 1 << r.int(0, 7);
          break;
        case 'adler32':
          out = Buffer.from(z);
          out[out.length - 1 - r.int(0, 3)]! ^= 1 << r.int(0, 7);
          break;
        case 'cut adler32':
          out = z.subarray(0, z.length - 4);
          break;
        case 'raw deflate':
          out = zlib.deflateRawSync(raw);
          break;
        case 'gzip':
          out = zlib.gzipSync(raw);
          break;
        case 'short stream':
          out = zlib.deflateSync(raw.subarray(0, Math.floor(raw.length / 2)));
          break;
        case 'long stream':
          out = zlib.deflateSync(Buffer.concat([raw, raw.subarray(0, r.int(1, raw.length))]));
          break;
        case 'two streams':
          out = Buffer.concat([zlib.deflateSync(raw.subarray(0, 1)), zlib.deflateSync(raw.subarray(1))]);
          break;
        case 'empty stream':
          out = zlib.deflateSync(Buffer.alloc(0));
          break;
        case 'stored blocks':
          out = zlib.deflateSync(raw, { level: 0 });
          break;
        case 'bomb':
          out = bomb();
          break;
        case 'garbage after':
          out = Buffer.concat([z, r.bytes(r.int(1, 64))]);
          break;
        case 'level 9':
          out = zlib.deflateSync(raw, { level: 9 });
          break;
      }
      d.payload = out;
      return `zlib ${kind}${d.compressed ? '' : ' (file says uncompressed)'}`;
    },
  },
];

// --- finished files --- //

const FOREIGN = [
  Buffer.alloc(0),
  Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'latin1'),
  Buffer.from('\x1f\x8b\x08\0\0\0\0\0', 'latin1'),
  Buffer.from('ObjectType = Mesh\nNDims = 3\n', 'latin1'),
  Buffer.from('n+1\0\0\0\0', 'latin1'),
  Buffer.from('\r\n\r\n\r\n'),
  Buffer.from('ElementDataFile = LOCAL\n'),
];

const FILES: Mutation[] = [
  {
    name: 'truncate file',
    stage: 'files',
    weight: 4,
    apply(_d, r, _env, f) {
      const keep = r.int(0, Math.max(0, f!.header.length - 1));
      f!.header = f!.header.subarray(0, keep);
      return `file cut to ${keep} bytes`;
    },
  },
  {
    name: 'flip file bits',
    stage: 'files',
    weight: 5,
    apply(_d, r, _env, f) {
      const b = Buffer.from(f!.header);
      const n = r.int(1, 8);
      const headerOnly = r.chance(0.5);
      const end = headerOnly ? Math.max(1, b.indexOf('ElementDataFile')) : b.length;
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const pos = r.int(0, end - 1);
        b[pos]! ^= 1 << r.int(0, 7);
        at.push(pos);
      }
      f!.header = b;
      return `${n} bit(s) flipped ${headerOnly ? 'in the header' : 'in the file'} at ${at.join(',')}`;
    },
  },
  {
    name: 'append to file',
    stage: 'files',
    weight: 2,
    apply(_d, r, _env, f) {
      const n = r.int(1, 2048);
      f!.header = Buffer.concat([f!.header, r.bytes(n)]);
      return `${n} random bytes appended`;
    },
  },
  {
    name: 'foreign file',
    stage: 'files',
    weight: 1,
    apply(_d, r, _env, f) {
      f!.header = r.chance(0.3) ? r.bytes(r.int(1, 3000)) : r.pick(FOREIGN);
      return `file replaced by ${f!.header.length} foreign bytes`;
    },
  },
  {
    name: 'data file',
    stage: 'files',
    weight: 4,
    when: (d) => d.container === 'mhd',
    apply(d, r, _env, f) {
      const data = f!.data;
      const kind = r.pick(['delete', 'truncate', 'flip', 'append', 'empty'] as const);
      if (kind === 'delete' || !data) {
        f!.data = null;
        d.dropDataFile = true;
        return 'data file deleted';
      }
      if (kind === 'truncate') f!.data = data.subarray(0, r.int(0, Math.max(0, data.length - 1)));
      else if (kind === 'empty') f!.data = Buffer.alloc(0);
      else if (kind === 'append') f!.data = Buffer.concat([data, r.bytes(r.int(1, 512))]);
      else {
        const b = Buffer.from(data);
        if (b.length > 0) b[r.int(0, b.length - 1)]! ^= 1 << r.int(0, 7);
        f!.data = b;
      }
      return `data file ${kind}`;
    },
  },
];

const ALL: Mutation[] = [...FIELDS.map(fieldMutation), OUTSIDE, ...STRUCTURE, ...PAYLOAD, ...FILES];

function pickMutation(d: MetaDraft, r: Rng): Mutation {
  return pickWeighted(ALL.filter((m) => !m.when || m.when(d)), r);
}

/** The header text (and payload for .mha) of a draft. */
export function serialise(d: MetaDraft): MetaFiles {
  const text = Buffer.from(d.lines.join(d.eol) + d.eol, 'utf8');
  const head = d.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]) : text;
  if (d.container === 'mha') return { header: Buffer.concat([head, d.payload]), data: null };
  return { header: head, data: d.dropDataFile ? null : d.payload };
}

/**
 * Applies 1–3 random mutations in stage order (header lines, payload, finished files) and returns the files and
 * a description. After a payload change the CompressedDataSize line is made to match it half of the time.
 */
export function mutate(d: MetaDraft, r: Rng, env: MutationEnv): { files: MetaFiles; notes: string[] } {
  const count = 1 + (r.chance(0.35) ? 1 : 0) + (r.chance(0.1) ? 1 : 0);
  const chosen = Array.from({ length: count }, () => pickMutation(d, r));
  const order = { header: 0, payload: 1, files: 2 } as const;
  chosen.sort((a, b) => order[a.stage] - order[b.stage]);
  const notes: string[] = [];
  let files: MetaFiles | null = null;
  for (const m of chosen) {
    if (m.stage === 'files') {
      files ??= serialise(d);
      notes.push(m.apply(d, r, env, files));
      continue;
    }
    const before = d.payload.length;
    notes.push(m.apply(d, r, env));
    if (m.stage === 'payload' && fieldValue(d, 'CompressedDataSize') !== undefined && r.chance(0.5)) {
      setField(d, 'CompressedDataSize', String(d.payload.length));
      notes.push(`CompressedDataSize synced ${before}→${d.payload.length}`);
    }
  }
  return { files: files ?? serialise(d), notes };
}
