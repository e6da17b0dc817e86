// Contract methods of annotation packages (issue 16): listReaders, importAnnotations (a package → a read-only reader
// layer, after the whole file, its dataset identity and every series' size are checked; nothing is written
// otherwise), exportAnnotations (one annotator's work as a package, base64). The file format is package.ts, packing
// pack.ts; the store side is store.readers.
import { basename } from 'node:path';
import type { Service } from '../../../common/contract.js';
import type { ReaderInfo } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import { voxelCount } from '../../../common/geometry.js';
import { base64ToBytes, bytesToBase64, checkBase, decodeDiff, DiffFormatError } from '../../../common/labelDiff.js';
import type { DatasetIndex, SeriesEntry } from '../dataset/index.js';
import { MaskUnreadableError } from '../labels/original.js';
import type { ReaderRecord, Store } from '../store/index.js';
import type { ReaderDeps } from './deps.js';
import { buildPackage } from './pack.js';
import { decodePackage, type DecodedPackage } from './package.js';
import type { SourceContext } from './sources.js';

type M = 'listReaders' | 'importAnnotations' | 'exportAnnotations';

/** A reader record with its layer's counts, as the contract shows it. */
export function readerInfo(store: Store, r: ReaderRecord): ReaderInfo {
  const grades = store.readers.grades(r.id);
  return {
    name: r.name,
    importedBy: r.importedBy,
    importedAt: r.importedAt,
    packageCreatedAt: r.packageCreatedAt,
    appVersion: r.appVersion,
    sha256: r.sha256,
    seriesWithLabels: store.readers.labelSeries(r.id).length,
    gradedLevels: new Set(grades.map((g) => `${g.patientId}:${g.ivdLabel}`)).size,
    grades: grades.length,
  };
}

/**
 * Reads a package for `index` and checks all of it (format, checksum, dataset identity, every series present with
 * the image's voxel count, labels and grades legal, every graded patient in the dataset) before anything is written.
 * The label diffs' fit to the dataset's masks needs the masks read: {@link checkLayersFit}.
 */
export function readPackageFor(index: DatasetIndex, bytes: Uint8Array, fileName: string): DecodedPackage {
  const sizes = new Map(index.series.map((e) => [e.id, e.image ? voxelCount(e.image.geometry) : null]));
  const pkg = decodePackage(bytes, fileName, {
    dataset: { name: basename(index.root), fingerprint: index.identity },
    voxelsOf: (id) => sizes.get(id) ?? null,
  });
  // A grade of a patient the dataset lacks would be counted in κ between two readers (a checksum proves no more than
  // that the file is whole, and the dataset's fingerprint is public in every package).
  const patients = new Set<number>(index.series.map((e) => e.patientId));
  for (const r of index.gradings?.rows ?? []) patients.add(r.patient);
  const ghost = pkg.grades.find((g) => !patients.has(g.patientId));
  if (ghost) {
    throw new AppError('invalid_request', `${fileName}: grades patient ${ghost.patientId}, who is not in this dataset; nothing was imported`, { file: fileName });
  }
  return pkg;
}

/**
 * Checks that every label diff of a package starts from the dataset's original mask (the values it says it
 * replaces are the mask's), reading the masks of the package's series one at a time. A layer that does not fit
 * would otherwise be stored and then fail or be skipped on every later use. A series whose mask cannot be read
 * exactly here is accepted (agreement skips it with the reason).
 * @throws AppError('invalid_file', '<fileName>: …') naming the series and the voxel.
 */
export async function checkLayersFit(
  index: DatasetIndex, pkg: DecodedPackage, fileName: string, originalLabels: (e: SeriesEntry) => Promise<Uint8Array>,
): Promise<void> {
  const byId = new Map(index.series.map((e) => [e.id, e]));
  for (const s of pkg.series) {
    const e = byId.get(s.seriesId);
    if (!e) continue; // refused by readPackageFor already
    let o: Uint8Array;
    try {
      o = await originalLabels(e);
    } catch (err) {
      if (err instanceof MaskUnreadableError) continue;
      throw err;
    }
    const at = o.length === s.voxelCount ? checkBase(o, decodeDiff(s.diff, s.voxelCount), 'forward') : 0;
    if (at >= 0) {
      throw new AppError(
        'invalid_file',
        `${fileName}: the label diff of series ${s.seriesId} does not fit the dataset's mask ${e.maskFile ?? '(none: all background)'}: ` +
          `voxel ${at} is ${o[at] ?? '?'} there, the package says another value; nothing was imported`,
        { file: fileName },
      );
    }
  }
}

/** Imports a checked package as reader layer `pkg.annotator` (idempotent; `replace` swaps another package). */
export function importPackage(
  store: Store,
  pkg: DecodedPackage,
  importedBy: Parameters<Store['readers']['importLayer']>[0]['importedBy'],
  replace: boolean,
): { reader: ReaderRecord; alreadyImported: boolean } {
  return store.readers.importLayer(
    {
      name: pkg.annotator,
      sha256: pkg.sha256,
      packageCreatedAt: pkg.createdAt,
      appVersion: pkg.appVersion,
      datasetFingerprint: pkg.dataset.fingerprint,
      importedBy,
      labels: pkg.series,
      grades: pkg.grades,
    },
    { replace },
  );
}

/** The SourceContext of a live workstation. */
export function liveSourceContext(deps: ReaderDeps): SourceContext {
  return { index: deps.index, store: deps.store, originalLabels: (e) => deps.originalLabels(e), currentLabels: (e) => deps.currentLabels(e) };
}

export function createPackageMethods(deps: ReaderDeps): Pick<Service, M> {
  const { index, store } = deps;
  return {
    async listReaders() {
      return { readers: store.readers.list().map((r) => readerInfo(store, r)) };
    },
    async importAnnotations({ fileName, data, replace }) {
      const importedBy = deps.currentAnnotator(); // refused before any work when nobody is chosen
      let bytes: Uint8Array;
      try {
        bytes = base64ToBytes(data);
      } catch (err) {
        if (err instanceof DiffFormatError) throw new AppError('invalid_request', `${fileName}: the package data is not valid base64`);
        throw err;
      }
      const pkg = readPackageFor(index, bytes, fileName);
      const known = store.readers.byName(pkg.annotator);
      if (known?.sha256 !== pkg.sha256) await checkLayersFit(index, pkg, fileName, (e) => deps.originalLabels(e));
      const { reader, alreadyImported } = importPackage(store, pkg, importedBy, replace === true);
      return { reader: readerInfo(store, reader), alreadyImported };
    },
    async exportAnnotations({ annotator }) {
      const { bytes, summary } = await buildPackage(liveSourceContext(deps), annotator, deps.appVersion);
      return { fileName: summary.fileName, data: bytesToBase64(bytes), series: summary.series, grades: summary.grades, warnings: summary.warnings };
    },
  };
}
