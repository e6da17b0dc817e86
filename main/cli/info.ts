// `spine-ws info DATASET [--json]`: a header-only scan summarised for people (or as JSON for scripts).
import { parseArgs } from 'node:util';
import { AppError } from '../../common/errors.js';
import { scanDataset, type DatasetIndex } from '../core/dataset/index.js';

export interface InfoSummary {
  root: string;
  identity: string;
  patients: number;
  series: number;
  bySequence: Record<string, number>;
  byOrientation: Record<string, number>;
  byPixelType: Record<string, number>;
  withMask: number;
  /**
   * radiological_gradings.csv as read: `rows` usable (Patient, IVD label) rows, `skipped` data records that are not
   * among them (malformed, wrong cell count, bad key, duplicate; each is a problem). null: no readable file.
   */
  gradings: { file: string; rows: number; skipped: number } | null;
  problems: { errors: number; warnings: number; list: DatasetIndex['problems'] };
  seriesList: {
    id: string;
    size: number[] | null;
    spacing: number[] | null;
    orientation: string | null;
    pixelType: string | null;
    compressed: boolean | null;
    mask: boolean;
    problems: number;
  }[];
}

function count<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

export function summarise(idx: DatasetIndex): InfoSummary {
  return {
    root: idx.root,
    identity: idx.identity,
    patients: idx.patients.length,
    series: idx.series.length,
    bySequence: count(idx.series, (s) => s.sequence),
    byOrientation: count(idx.series, (s) => s.orientation ?? 'unreadable'),
    byPixelType: count(idx.series, (s) => s.image?.pixelType ?? 'unreadable'),
    withMask: idx.series.filter((s) => s.mask !== null).length,
    gradings: idx.gradings
      ? {
          file: idx.gradings.file,
          rows: idx.gradings.rows.length,
          skipped: idx.gradings.records.length - idx.gradings.rows.length + idx.gradings.problems.filter((p) => p.code === 'csv_syntax').length,
        }
      : null,
    problems: {
      errors: idx.problems.filter((p) => p.severity === 'error').length,
      warnings: idx.problems.filter((p) => p.severity === 'warning').length,
      list: idx.problems,
    },
    seriesList: idx.series.map((s) => ({
      id: s.id,
      size: s.image?.geometry.size ?? null,
      spacing: s.image?.geometry.spacing ?? null,
      orientation: s.orientation,
      pixelType: s.image?.pixelType ?? null,
      compressed: s.image?.compressed ?? null,
      mask: s.mask !== null,
      problems: s.problems.length,
    })),
  };
}

const fmt = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
const mm = (xs: number[]): string => xs.map((x) => (Math.round(x * 1000) / 1000).toString()).join(' × ');

export async function runInfo(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('Usage: spine-ws info DATASET [--json]\n');
    return 0;
  }
  const root = positionals[0];
  if (!root || positionals.length > 1) throw new AppError('invalid_request', 'info needs exactly one DATASET folder');
  const s = summarise(await scanDataset(root));
  if (values.json) {
    process.stdout.write(JSON.stringify(s, null, 2) + '\n');
  } else {
    const w = (line: string): boolean => process.stdout.write(line + '\n');
    w(`Dataset   ${s.root}`);
    w(`Patients  ${s.patients}`);
    w(`Series    ${s.series} (${fmt(s.bySequence)}); ${s.withMask} with a mask`);
    w(`Layout    ${fmt(s.byOrientation)}`);
    w(`Pixels    ${fmt(s.byPixelType)}`);
    const g = s.gradings;
    w(
      g
        ? `Gradings  ${g.rows} row${g.rows === 1 ? '' : 's'} read from ${g.file}${g.skipped > 0 ? `; ${g.skipped} more record${g.skipped === 1 ? '' : 's'} skipped (see problems)` : ''}`
        : 'Gradings  none (no readable radiological_gradings.csv)',
    );
    w(`Problems  ${s.problems.errors} error(s), ${s.problems.warnings} warning(s)`);
    for (const p of s.problems.list) w(`  ${p.severity === 'error' ? 'E' : 'W'} ${p.code}: ${p.message}`);
    w('');
    w(`${'Series'.padEnd(16)}${'Size'.padEnd(18)}${'Spacing (mm)'.padEnd(26)}${'Axes'.padEnd(6)}${'Pixels'.padEnd(9)}Mask`);
    for (const r of s.seriesList) {
      w(
        `${r.id.padEnd(16)}${(r.size ? r.size.join('×') : '?').padEnd(18)}${(r.spacing ? mm(r.spacing) : '?').padEnd(26)}` +
          `${(r.orientation ?? '?').padEnd(6)}${((r.pixelType ?? '?') + (r.compressed ? '*' : '')).padEnd(9)}${r.mask ? 'yes' : 'no'}`,
      );
    }
    w('(* = compressed)');
  }
  return s.problems.errors > 0 ? 1 : 0;
}
