// The export engine (issue 6): writes a revised dataset from the source folder + the annotation store, in the
// SPIDER layout (.mha) or as nnU-Net v2 raw data (.nii.gz), into DIR.partial, then renames it to DIR.
//
// What is written (SPIDER layout):
//   images/        byte-identical copies (copy-on-write clones where the filesystem supports them, never links)
//   masks/         a series whose label volume (original + active journal edits) differs from the original
//                  mask is rebuilt in the mask's pixel type with its header fields (compression as the original);
//                  every other mask is copied byte for byte
//   overview.csv   byte-identical copy
//   radiological_gradings.csv  see gradingsCsv.ts
//   gradings_first_values.csv  first value a person entered per grading, see firstValuesCsv.ts (none: no file)
//   level_measurements.csv  per-level measurements of a revised dataset, see measurementsCsv.ts (unrevised: no file)
//   export-manifest.json + CHANGES.md  see manifest.ts (also the measurements of each exported series)
// In a full export every other regular file of images/, masks/ and the top folder is copied too, so an export
// without edits reproduces every input file byte for byte.
//
// --changed-only keeps in images/ + masks/ (or imagesTr/ + labelsTr/) only the series whose exported labels
// differ from the original, plus every series of a patient with a grading change (gradings are per patient).
// The CSVs stay complete, so a changed-only export copied over the source gives the full revised dataset.
//
// Snapshot: the gradings are read once, in one synchronous block, when the export starts. Each series' labels
// are read at the revision the journal holds when the export reaches that series (one synchronous store read,
// recorded in the manifest); edits made after that go into the next export. Edits made while the export runs
// never produce a mix of two revisions within one series.
//
// Source (issue 16): 'local' (default) is the above; a reader source exports the original + that reader's label
// layer and the CSV with the reader's grades; 'original' reproduces the source dataset. The manifest then records
// the source, where each exported label and grade came from, and the agreement between the imported readers
// (provenance.ts) — also for 'local' once the store holds readers or adjudication decisions.
//
// Parts: plan.ts (which series, --changed-only, totals), mhaSeries.ts / niftiSeries.ts (one series each),
// seriesLabels.ts (labels at one revision), context.ts (the run's shared state and file writing), manifest.ts,
// provenance.ts (sources, decisions, agreement).
//
// Speed and memory: compare/convert/zlib/SHA-256 run on worker threads (workerPool.ts); at most one series per
// worker is in flight, so memory stays bounded by `workers` series.
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import { mapLimit } from '../dataset/index.js';
import { GRADINGS_FILE, OVERVIEW_FILE } from '../dataset/index.js';
import { DEFAULT_LEVEL } from '../mha/index.js';
import { check, copyInto, createContext, writeInto, type ExportContext } from './context.js';
import { composeManifest, measurementsBySeries, renderChanges, type ExportManifest, type SeriesRecord } from './manifest.js';
import { copyRestOfSource, exportSeriesMha } from './mhaSeries.js';
import { remapDocument } from './nifti.js';
import { exportSeriesNifti, writeDatasetJson } from './niftiSeries.js';
import { exportFirstValues, FIRST_VALUES_FILE } from './firstValuesCsv.js';
import { exportLevelMeasures, LEVEL_MEASURES_FILE } from './measurementsCsv.js';
import { countTotals, isCandidate, largestFirst, planGradings, planSeries, type SeriesPlan } from './plan.js';
import { agreementOfReaders, exportReader, gradeProvenance, labelProvenance, startProvenance } from './provenance.js';
import { abandonTarget, CHANGES_FILE, commitTarget, MANIFEST_FILE, prepareTarget, type ExportTarget } from './target.js';
import { DEFAULT_EXPORT_WORKERS, ExportCancelledError, type ExportDeps, type ExportProgress, type ExportRequest, type ExportSummary, type RunOptions } from './types.js';
import { createWorkerPool } from './workerPool.js';


/**
 * Every series of the export, largest first with at most one per worker in flight, then every queued copy. The
 * records of the series written, in dataset order; `folded`: voxels per partial-vertebra value (NIfTI).
 */
async function writeSeries(ctx: ExportContext, plans: readonly SeriesPlan[]): Promise<{ records: SeriesRecord[]; folded: Map<number, number> }> {
  const folded = new Map<number, number>();
  const done = new Map<SeriesPlan, SeriesRecord | null>();
  const series = await mapLimit(largestFirst(plans), ctx.pool.size, async (p) => {
    check(ctx);
    if (!isCandidate(ctx.req, p)) return;
    done.set(p, ctx.req.format === 'mha' ? await exportSeriesMha(ctx, p) : await exportSeriesNifti(ctx, p, folded));
  }).then(() => null, (err: unknown) => ({ err }));
  // Every queued copy settles before anything else happens (also after a failure above).
  const settled = await ctx.copies.settled();
  if (series) throw series.err;
  const bad = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
  const records = plans.map((p) => done.get(p) ?? null).filter((r): r is SeriesRecord => r !== null);
  for (const r of records) r.files.sort();
  return { records, folded };
}

/** CHANGES.md (listing every file before it) and then export-manifest.json (listing every file but itself). */
async function writeManifest(ctx: ExportContext, manifest: ExportManifest): Promise<void> {
  const sortFiles = (): void => void ctx.out.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  sortFiles();
  manifest.files = [...ctx.out.files];
  await writeInto(ctx, CHANGES_FILE, [Buffer.from(renderChanges(manifest), 'utf8')], 'generated');
  sortFiles();
  manifest.files = [...ctx.out.files];
  await writeFile(join(ctx.out.dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { flag: 'wx' });
  ctx.progress.filesDone++;
}

/**
 * Runs one export to completion: DIR appears only when everything is written; on error or cancel DIR.partial is
 * removed and DIR is left as it was. Throws AppError (ExportCancelledError on cancel).
 */
export async function runExport(deps: ExportDeps, req: ExportRequest, opts: RunOptions = {}): Promise<ExportSummary> {
  const t0 = performance.now();
  const signal = opts.signal;
  const root = deps.index.root;
  const progress: ExportProgress = { phase: 'preparing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, current: null };
  const report = (): void => opts.onProgress?.({ ...progress });
  report();
  if (signal?.aborted) throw new ExportCancelledError();
  const target: ExportTarget = await prepareTarget(req.outDir, root, deps.storeFile, req.force);
  const pool = createWorkerPool(deps.workers ?? DEFAULT_EXPORT_WORKERS);
  const ctx = createContext({ deps, req, dir: target.partial, pool, level: deps.level ?? DEFAULT_LEVEL, signal, progress, report });
  const onAbort = (): void => void pool.terminate();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (target.removedStale) ctx.warnings.push(`a stale ${basename(target.partial)} left by an interrupted export was removed`);
    const source = req.source ?? 'local';
    const local = source === 'local';
    const withSources = startProvenance(ctx, source); // the decisions: same synchronous snapshot as the gradings
    const gradings = planGradings(deps, req, ctx.warnings);
    // First values and measurements are this store's (not a reader's nor the released dataset's).
    const firstValues = local ? exportFirstValues(deps.store) : null; // same synchronous snapshot as the gradings
    // Measurements: one synchronous snapshot, taken with the gradings'.
    const measurements = measurementsBySeries(local ? deps.store.measurements.all() : [], (id) => deps.store.annotators.name(id));
    const gradedPatients = new Set((gradings?.changes ?? []).map((c) => c.patientId));
    const plans = planSeries(deps.index.series, deps.store, gradedPatients, source);
    await countTotals(root, req, plans, progress);
    if (firstValues) progress.filesTotal++;
    progress.phase = 'writing';
    report();

    const { records, folded } = await writeSeries(ctx, plans);
    check(ctx);
    progress.current = null;
    if (!local) {
      // The journal's revisions are not what a reader or the original holds: the reader's revision when it packed.
      const reader = exportReader(ctx);
      const layers = new Map(reader ? deps.store.readers.labelSeries(reader.id).map((l) => [l.seriesId, deps.store.readers.labelLayer(reader.id, l.seriesId)?.revision ?? 0]) : []);
      for (const r of records) {
        r.revision = layers.get(r.seriesId) ?? 0;
        r.activeEdits = 0;
      }
    }

    // CSVs (complete in every mode).
    if (deps.index.overview) await copyInto(ctx, OVERVIEW_FILE);
    if (deps.index.gradings && gradings) {
      if (gradings.changed) await writeInto(ctx, GRADINGS_FILE, [gradings.bytes], 'rewritten', GRADINGS_FILE);
      else await copyInto(ctx, GRADINGS_FILE);
    }
    if (firstValues) await writeInto(ctx, FIRST_VALUES_FILE, [firstValues], 'generated');
    const levelCsv = await exportLevelMeasures(ctx, records, gradings?.changed === true);
    if (levelCsv && ++progress.filesTotal) await writeInto(ctx, LEVEL_MEASURES_FILE, [levelCsv], 'generated');
    // A full SPIDER export also carries every other file of the source folder.
    if (req.format === 'mha' && !req.changedOnly) await copyRestOfSource(ctx);
    if (req.format === 'nifti') await writeDatasetJson(ctx, records.length, folded);

    progress.phase = 'finishing';
    report();
    // Provenance and agreement: for another source, or once the store holds readers or decisions.
    const sources = withSources
      ? {
        annotationSource: source,
        provenance: { labels: labelProvenance(ctx, records.map((r) => r.seriesId)), grades: gradeProvenance(ctx, gradings) },
        agreement: await agreementOfReaders(deps, source, {
          signal,
          onProgress: (text) => {
            progress.current = text;
            report();
          },
        }),
      }
      : undefined;
    check(ctx);
    progress.current = null;
    const manifest = composeManifest({
      appVersion: deps.appVersion ?? 'unknown',
      source: { name: basename(root), identity: deps.index.identity },
      options: { format: req.format, changedOnly: req.changedOnly, source },
      series: records,
      measurements,
      gradingsFile: deps.index.gradings ? GRADINGS_FILE : null,
      gradings,
      ...(req.format === 'nifti' ? { labelRemap: remapDocument() } : {}),
      ...(sources ? { sources } : {}),
      warnings: ctx.warnings,
    });
    await writeManifest(ctx, manifest);
    check(ctx);
    await pool.terminate();
    await commitTarget(target);
    progress.bytesDone = progress.bytesTotal;
    progress.filesTotal = progress.filesDone;
    report();
    return {
      outDir: target.out,
      format: req.format,
      changedOnly: req.changedOnly,
      filesWritten: ctx.out.files.length + 1,
      bytesWritten: ctx.out.files.reduce((s, f) => s + f.bytes, 0),
      manifestFile: join(target.out, MANIFEST_FILE),
      changesFile: join(target.out, CHANGES_FILE),
      seriesExported: records.length,
      seriesChanged: records.filter((r) => r.labels === 'changed').length,
      gradingChanges: manifest.gradings.changes.length,
      warnings: ctx.warnings,
      durationMs: performance.now() - t0,
    };
  } catch (err) {
    signal?.removeEventListener('abort', onAbort);
    await pool.terminate().catch(() => undefined);
    await abandonTarget(target).catch(() => undefined);
    if (signal?.aborted) throw new ExportCancelledError();
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new AppError(code === 'ENOSPC' ? 'io' : 'io', `Export failed writing ${basename(target.out)}: ${code}`, { cause: err });
    }
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
