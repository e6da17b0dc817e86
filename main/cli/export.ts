// `spine-ws export DATASET --out DIR [--changed-only] [--format mha|nifti] [--force] [--strict] [--source SRC]`: writes a revised dataset
// (main/core/export) from the dataset folder and its annotation store, opened READ-ONLY (no writer lock), so it
// runs while the workstation has the dataset open. Progress on stderr, a summary on stdout.
// Exit codes: 0 written; 1 refused or failed (nothing left behind; --strict with levels left out is a refusal);
// 2 usage; 130 interrupted (SIGINT/SIGTERM).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sourceRef } from '../../common/contractReaders.js';
import { AppError } from '../../common/errors.js';
import { scanDataset } from '../core/dataset/index.js';
import { ExportCancelledError, runExport, type ExportProgress } from '../core/export/index.js';
import { describeLevel, LevelsNotExportedError } from '../core/export/index.js';
import { createLabelJournal } from '../core/labels/labelState.js';
import { storePathFor } from '../core/paths.js';
import { openStore, type Store } from '../core/store/index.js';

export const EXPORT_HELP = `Usage: spine-ws export DATASET --out DIR [--changed-only] [--format mha|nifti] [--force] [--strict] [--source SRC]

Writes a revised copy of DATASET (original + your label edits and gradings) into DIR:
  mha    (default) SPIDER layout: images/ (byte-identical), masks/ (rebuilt where edited), overview.csv,
         radiological_gradings.csv (edited cells in place, new levels appended), CHANGES.md, export-manifest.json
  nifti  nnU-Net v2 raw layout: imagesTr/<series>_0000.nii.gz, labelsTr/<series>.nii.gz, dataset.json, the two
         CSVs, CHANGES.md, export-manifest.json; labels remapped to contiguous values (see the manifest)

Options:
  --out DIR         folder to create (absolute or relative); written as DIR.partial and renamed when complete
  --changed-only    only series with changed labels and series of patients with changed gradings (CSVs complete)
  --format F        mha (default) or nifti
  --force           replace DIR if it holds a previous export (never any other folder)
  --strict          refuse (exit 1, nothing written) when a graded level would be left out of
                    radiological_gradings.csv; without it such levels are exported as warnings only.
                    A level the CSV lacks is written only when every grading field has a value.
  --source SRC      whose labels and grades: local (default: the store's, in an adjudicator's store the
                    consensus), original (the dataset as released) or reader:NAME (an imported reader's layer);
                    the manifest records the source, where each label and grade came from, and the readers' agreement
  --store FILE      annotation store to read (default: the dataset's store in the data folder)
  --workers N       worker threads for compression (default: number of cores, at most 4)

Exit codes: 0 done, 1 refused or failed, 2 usage error, 130 interrupted (nothing is left behind).
`;

let cachedVersion: string | null = null;
/**
 * The workstation version from package.json, for export manifests written by the CLI commands (export, serve);
 * 'unknown' where it cannot be read. The path is relative to this source file (the CLI runs its sources or a
 * bundle that keeps each source's import.meta.url).
 */
export function workstationVersion(): string {
  if (cachedVersion === null) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** One progress line: "export: writing 12/40 files, 35% (120.0/340.0 MB), 1_t2_SPACE". */
export function progressLine(p: ExportProgress, etaSeconds: number | null): string {
  const pct = p.bytesTotal > 0 ? Math.floor((100 * Math.min(p.bytesDone, p.bytesTotal)) / p.bytesTotal) : 0;
  const eta = etaSeconds === null ? '' : `, about ${Math.ceil(etaSeconds)} s left`;
  return `export: ${p.phase} ${p.filesDone}/${Math.max(p.filesTotal, p.filesDone)} files, ${pct}% (${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB)${eta}${p.current ? `, ${p.current}` : ''}`;
}

export async function runExportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      'changed-only': { type: 'boolean' },
      format: { type: 'string' },
      force: { type: 'boolean' },
      strict: { type: 'boolean' },
      store: { type: 'string' },
      source: { type: 'string' },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(EXPORT_HELP);
    return 0;
  }
  const dataset = positionals[0];
  if (!dataset || positionals.length > 1) throw new AppError('invalid_request', 'export needs exactly one DATASET folder (see spine-ws export --help)');
  if (!values.out) throw new AppError('invalid_request', 'export needs --out DIR (see spine-ws export --help)');
  const format = values.format ?? 'mha';
  if (format !== 'mha' && format !== 'nifti') throw new AppError('invalid_request', `--format must be mha or nifti (got ${format})`);
  const source = values.source === undefined ? 'local' : sourceRef.safeParse(values.source).data;
  if (source === undefined) throw new AppError('invalid_request', `--source must be local, original or reader:NAME (got ${values.source})`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
    throw new AppError('invalid_request', `--workers must be an integer from 1 to 64 (got ${values.workers})`);
  }

  const index = await scanDataset(dataset);
  const storeFile = values.store ? resolve(values.store) : storePathFor(index.root);
  // Read-only: no writer lock, so this works while the workstation holds the store. Without a store (nothing was
  // ever annotated) an empty temporary one stands in: the export then reproduces the source.
  let tempDir: string | null = null;
  let store: Store;
  if (existsSync(storeFile)) {
    store = openStore(storeFile, { readonly: true });
  } else {
    if (values.store) throw new AppError('not_found', `Annotation store ${values.store} does not exist`);
    tempDir = mkdtempSync(join(tmpdir(), 'spine-ws-export-store-'));
    store = openStore(join(tempDir, 'empty.sqlite'));
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const match = store.meta.checkDataset({ root: index.root, fingerprint: index.identity });
    if (match === 'mismatch') {
      process.stderr.write('export: warning: the dataset changed since its annotations were stored; stored edits are applied where they fit\n');
    }
    const journal = createLabelJournal({
      store,
      annotator: () => {
        throw new AppError('invalid_request', 'export never writes to the annotation store');
      },
      useCheckpoints: match !== 'mismatch',
      log: (line) => process.stderr.write(`export: ${line}\n`),
    });
    const started = performance.now();
    let lastLine = 0;
    let lastPhase = '';
    let rateFrom: { t: number; bytes: number } | null = null;
    const summary = await runExport(
      { index, store, journal, storeFile, appVersion: workstationVersion(), ...(workers === undefined ? {} : { workers }) },
      { outDir: resolve(values.out), format, changedOnly: values['changed-only'] === true, force: values.force === true, strict: values.strict === true, source },
      {
        signal: controller.signal,
        onProgress: (p) => {
          const now = performance.now();
          if (!rateFrom && p.phase === 'writing') rateFrom = { t: now, bytes: p.bytesDone };
          if (p.phase === lastPhase && now - lastLine < 1000) return;
          lastPhase = p.phase;
          lastLine = now;
          let eta: number | null = null;
          if (rateFrom && p.bytesDone > rateFrom.bytes && now - rateFrom.t > 500) {
            eta = ((p.bytesTotal - p.bytesDone) * (now - rateFrom.t)) / (p.bytesDone - rateFrom.bytes) / 1000;
          }
          process.stderr.write(progressLine(p, eta) + '\n');
        },
      },
    );
    for (const w of summary.warnings) process.stderr.write(`export: warning: ${w}\n`);
    process.stdout.write(
      `Exported ${summary.seriesExported} series (${summary.seriesChanged} with changed labels) and ${summary.gradingChanges} grading change(s) ` +
        `as ${format === 'mha' ? 'SPIDER .mha' : 'nnU-Net v2 NIfTI'}${source === 'local' ? '' : ` from ${source}`} to ${summary.outDir}\n` +
        `${summary.filesWritten} files, ${mb(summary.bytesWritten)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n` +
        `Changes: ${summary.changesFile}\nManifest: ${summary.manifestFile}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ExportCancelledError) {
      process.stderr.write('export: interrupted; nothing was written\n');
      return 130;
    }
    if (err instanceof LevelsNotExportedError) {
      const n = err.levels.length;
      process.stderr.write(
        `export: refused (--strict): ${n} level${n === 1 ? '' : 's'} would be left out of radiological_gradings.csv because ${n === 1 ? 'it is' : 'they are'} not fully graded; nothing was written\n` +
          err.levels.map((l) => `  ${describeLevel(l)}\n`).join(''),
      );
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
