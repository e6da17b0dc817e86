// The dataset scan: reads a SPIDER-layout folder (images/, masks/, overview.csv, radiological_gradings.csv)
// into a DatasetIndex from MetaImage HEADERS only (never voxels), reporting every problem per item while the
// rest loads. Read-only: nothing is ever written into the dataset folder.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AppError } from '../../../common/errors.js';
import { orientationCode, sameGrid, type VolumeGeometry } from '../../../common/geometry.js';
import { readMetaImageHeader } from '../mha/index.js';
import { mapLimit } from './concurrency.js';
import { DatasetCsvError } from './csv.js';
import { classifyFolder, readFolder, type VolumeFile } from './folders.js';
import { crossCheckGradings, parseGradingsCsv } from './gradings.js';
import { parseOverviewCsv } from './overview.js';
import { compareSeries } from './seriesId.js';
import type { DatasetIndex, DatasetProblem, GradingsTable, OverviewRow, OverviewTable, Patient, SeriesEntry, VolumeHeaderSummary } from './types.js';

export const OVERVIEW_FILE = 'overview.csv';
export const GRADINGS_FILE = 'radiological_gradings.csv';
export const IMAGES_DIR = 'images';
export const MASKS_DIR = 'masks';
/** Header reads in flight at once by default. */
export const DEFAULT_SCAN_CONCURRENCY = 16;

export interface ScanOptions {
  /** Most header reads in flight at once (default {@link DEFAULT_SCAN_CONCURRENCY}). */
  concurrency?: number;
  /** Called after each volume header has been read. */
  onProgress?: (done: number, total: number) => void;
  /** Aborts the scan; it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

// --- CSVs --- //

interface CsvLoad<T> {
  table: T | null;
  sha256: string | null;
  problems: DatasetProblem[];
}

async function loadCsv<T extends { problems: DatasetProblem[]; format: { sha256: string } }>(
  root: string,
  file: string,
  parseCsv: (bytes: Buffer, label: string) => T,
): Promise<CsvLoad<T>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(root, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { table: null, sha256: null, problems: [{ severity: 'warning', code: 'csv_missing', file, message: `${file} is missing; series load without its information` }] };
    }
    return { table: null, sha256: null, problems: [{ severity: 'error', code: 'csv_unreadable', file, message: `${file} could not be read (${code ?? 'unknown error'})` }] };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    const table = parseCsv(bytes, file);
    return { table, sha256, problems: table.problems };
  } catch (err) {
    if (!(err instanceof DatasetCsvError)) throw err;
    return { table: null, sha256, problems: [{ severity: 'error', code: err.problem, file, message: `${err.message}; file not used` }] };
  }
}

// --- headers --- //

type HeaderRead = { size: number } & ({ ok: true; header: VolumeHeaderSummary } | { ok: false; message: string; outside: boolean });

/**
 * Reads one volume's header, confined to the dataset: a header or ElementDataFile that resolves outside `root`
 * (absolute, `../`, a symlink) is refused by the reader ('invalid_dataset') and reported as an unreadable header,
 * so the series cannot be opened (or, for a mask, the mask is unreadable).
 */
async function readHeader(root: string, v: VolumeFile): Promise<HeaderRead> {
  const abs = join(root, v.file);
  const [header, st] = await Promise.allSettled([readMetaImageHeader(abs, { within: root }), stat(abs)]);
  const size = st.status === 'fulfilled' ? st.value.size : -1;
  if (header.status === 'fulfilled') {
    const { geometry, pixelType, compressed } = header.value;
    return { size, ok: true, header: { geometry, pixelType, compressed } };
  }
  const err: unknown = header.reason;
  const message = err instanceof AppError ? err.message : `${(err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'}`;
  return { size, ok: false, message, outside: err instanceof AppError && err.code === 'invalid_dataset' };
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(4)));
}

function describeGrid(g: VolumeGeometry): string {
  return `${g.size.join('×')} at ${g.spacing.map(fmt).join('×')} mm, origin ${g.origin.map(fmt).join(', ')}, direction ${orientationCode(g)}`;
}

// --- the scan --- //

async function assertFolder(abs: string, shown: string, what: string): Promise<void> {
  try {
    if ((await stat(abs)).isDirectory()) return;
  } catch {
    // reported below, as for a file in the folder's place
  }
  throw new AppError('not_found', `${what} "${shown}" does not exist or is not a folder`, { file: shown });
}

/**
 * Scans a SPIDER-layout dataset folder and returns its index: patients → series with the MetaImage header
 * facts of each image and mask, both CSVs parsed, and every problem found (see {@link ProblemCode}).
 * Only headers are read (a few KiB per file), with bounded concurrency; nothing is written.
 *
 * @param root the dataset folder (containing images/, masks/, overview.csv, radiological_gradings.csv).
 * @throws AppError('not_found') when `root` or `root/images` does not exist or is not a folder.
 */
export async function scanDataset(root: string, opts: ScanOptions = {}): Promise<DatasetIndex> {
  const abs = resolve(root);
  const signal = opts.signal;
  signal?.throwIfAborted();
  await assertFolder(abs, basename(abs), 'Dataset folder');
  await assertFolder(join(abs, IMAGES_DIR), `${basename(abs)}/${IMAGES_DIR}`, 'Images folder');

  const [imageEntries, maskEntries, overviewLoad, gradingsLoad] = await Promise.all([
    readFolder(join(abs, IMAGES_DIR)),
    readFolder(join(abs, MASKS_DIR)),
    loadCsv(abs, OVERVIEW_FILE, parseOverviewCsv),
    loadCsv(abs, GRADINGS_FILE, parseGradingsCsv),
  ]);
  signal?.throwIfAborted();

  const folderProblems: DatasetProblem[] = [];
  if (maskEntries === null) {
    folderProblems.push({ severity: 'warning', code: 'masks_dir_missing', file: MASKS_DIR, message: `the dataset has no ${MASKS_DIR}/ folder; every series is without a mask` });
  }
  const images = classifyFolder(imageEntries ?? [], IMAGES_DIR);
  const masks = classifyFolder(maskEntries ?? [], MASKS_DIR);
  folderProblems.push(...images.problems, ...masks.problems);

  // Header reads: every image and mask, bounded concurrency, results in input order.
  const volumes = [...images.volumes.values(), ...masks.volumes.values()];
  let done = 0;
  const reads = await mapLimit(volumes, opts.concurrency ?? DEFAULT_SCAN_CONCURRENCY, async (v) => {
    signal?.throwIfAborted();
    const r = await readHeader(abs, v);
    opts.onProgress?.(++done, volumes.length);
    return r;
  });
  signal?.throwIfAborted();
  const readOf = new Map<string, HeaderRead>(volumes.map((v, i) => [v.file, reads[i]!]));

  const overview = overviewLoad.table;
  const gradings = overview && gradingsLoad.table ? crossCheckGradings(gradingsLoad.table, overview) : gradingsLoad.table;
  const overviewById = new Map<string, OverviewRow>(overview?.rows.map((r) => [r.seriesId, r]) ?? []);

  const { series, problems: seriesProblems } = buildSeries(images.volumes, masks.volumes, readOf, overview, overviewById);
  const problems = [
    ...folderProblems.filter((p) => p.code === 'masks_dir_missing'),
    ...overviewLoad.problems,
    ...(gradings?.problems ?? gradingsLoad.problems),
    ...folderProblems.filter((p) => p.code !== 'masks_dir_missing'),
    ...seriesProblems,
  ];

  return {
    root: abs,
    patients: buildPatients(series, gradings),
    series,
    overview,
    gradings,
    problems,
    identity: datasetIdentity(overviewLoad.sha256, gradingsLoad.sha256, volumes, readOf),
  };
}

function buildSeries(
  images: Map<string, VolumeFile>,
  masks: Map<string, VolumeFile>,
  readOf: Map<string, HeaderRead>,
  overview: OverviewTable | null,
  overviewById: Map<string, OverviewRow>,
): { series: SeriesEntry[]; problems: DatasetProblem[] } {
  const series: SeriesEntry[] = [];
  const problems: DatasetProblem[] = [];
  const ids = [...new Set([...images.keys(), ...masks.keys()])]
    .map((id) => (images.get(id) ?? masks.get(id))!)
    .sort(compareSeries);

  for (const { id, patientId, sequence } of ids) {
    const image = images.get(id);
    const mask = masks.get(id);
    const own: DatasetProblem[] = [];
    const report = (p: Omit<DatasetProblem, 'seriesId' | 'patientId'>) => own.push({ ...p, seriesId: id, patientId });

    if (!image) {
      report({ severity: 'error', code: 'mask_without_image', file: mask!.file, message: `${mask!.file} has no image ${IMAGES_DIR}/${id}.mha; the mask is not listed` });
      problems.push(...own);
      continue;
    }
    const headerOf = (v: VolumeFile): VolumeHeaderSummary | null => {
      const r = readOf.get(v.file)!;
      if (r.ok) return r.header;
      if (r.outside) report({ severity: 'error', code: 'outside_dataset', file: v.file, message: `${v.file} is not read: ${r.message}` });
      else report({ severity: 'error', code: 'unreadable_header', file: v.file, message: `cannot read the header of ${v.file}: ${r.message}` });
      return null;
    };
    const imageHeader = headerOf(image);
    const maskHeader = mask ? headerOf(mask) : null;
    if (!mask) {
      report({ severity: 'warning', code: 'missing_mask', file: image.file, message: `${image.file} has no mask ${MASKS_DIR}/${basename(image.file)}` });
    }
    if (imageHeader && maskHeader && mask && !sameGrid(imageHeader.geometry, maskHeader.geometry)) {
      report({
        severity: 'error',
        code: 'geometry_mismatch',
        file: mask.file,
        message: `${mask.file} is not on its image's grid: mask ${describeGrid(maskHeader.geometry)}; image ${describeGrid(imageHeader.geometry)}`,
      });
    }
    const row = overviewById.get(id) ?? null;
    if (overview && !row) {
      report({ severity: 'warning', code: 'not_in_overview', file: image.file, message: `series ${id} has no row in ${overview.file}` });
    }
    series.push({
      id,
      patientId,
      sequence,
      imageFile: image.file,
      maskFile: mask?.file ?? null,
      image: imageHeader,
      mask: maskHeader,
      overview: row,
      orientation: imageHeader ? orientationCode(imageHeader.geometry) : null,
      problems: own,
    });
    problems.push(...own);
  }

  if (overview) {
    for (const row of overview.rows) {
      if (images.has(row.seriesId)) continue;
      problems.push({
        severity: 'warning',
        code: 'overview_without_image',
        file: overview.file,
        line: row.line,
        seriesId: row.seriesId,
        patientId: row.patientId,
        message: `${overview.file} line ${row.line}: series ${row.seriesId} has no image in ${IMAGES_DIR}/`,
      });
    }
  }
  return { series, problems };
}

function buildPatients(series: readonly SeriesEntry[], gradings: GradingsTable | null): Patient[] {
  const levels = new Map<number, number[]>();
  for (const g of gradings?.rows ?? []) {
    const list = levels.get(g.patient) ?? [];
    list.push(g.ivdLabel);
    levels.set(g.patient, list);
  }
  const patients = new Map<number, Patient>();
  for (const s of series) {
    let p = patients.get(s.patientId);
    if (!p) {
      p = { id: s.patientId, seriesIds: [], sex: null, age: null, subset: null, gradedLevels: [...(levels.get(s.patientId) ?? [])].sort((a, b) => a - b) };
      patients.set(s.patientId, p);
    }
    p.seriesIds.push(s.id);
    if (s.overview) {
      p.sex ??= s.overview.sex;
      p.age ??= s.overview.age;
      p.subset ??= s.overview.subset;
    }
  }
  return [...patients.values()].sort((a, b) => a.id - b.id);
}

/** See {@link DatasetIndex.identity}. */
function datasetIdentity(
  overviewSha: string | null,
  gradingsSha: string | null,
  volumes: readonly VolumeFile[],
  readOf: Map<string, HeaderRead>,
): string {
  const lines = [
    'spider-dataset-identity/1',
    `${OVERVIEW_FILE} ${overviewSha ?? '-'}`,
    `${GRADINGS_FILE} ${gradingsSha ?? '-'}`,
    ...volumes.map((v) => `${v.file} ${readOf.get(v.file)?.size ?? -1}`).sort(),
  ];
  return `sha256:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
}
