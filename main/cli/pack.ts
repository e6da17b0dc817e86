// `spine-ws pack DATASET --annotator NAME --out FILE` and `spine-ws unpack DATASET FILE` (issue 16): annotation
// packages on the command line. pack opens the store READ-ONLY (no writer lock: it works while the app has the
// dataset open) and writes FILE atomically (temp file + rename), never inside the dataset; unpack checks the whole
// package against the dataset before opening the store for writing, and says so clearly when the app holds it.
// Exit codes: 0 done (also "already imported"), 1 refused or failed (nothing written), 2 usage.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_PACKAGE_BYTES } from '../../common/contractReaders.js';
import { AppError } from '../../common/errors.js';
import { scanDataset } from '../core/dataset/index.js';
import { originalReader } from '../core/labels/original.js';
import { storePathFor } from '../core/paths.js';
import { buildPackage } from '../core/readers/pack.js';
import { checkLayersFit, importPackage, readerInfo, readPackageFor } from '../core/readers/packageService.js';
import { readOnlySourceContext } from '../core/readers/sources.js';
import { openStore, type Store } from '../core/store/index.js';
import { workstationVersion } from './export.js';

export const PACK_HELP = `Usage: spine-ws pack DATASET --annotator NAME --out FILE [--force] [--store FILE] [--json]

Writes one annotator's label edits and gradings of DATASET into FILE (.spinepkg): per edited series the net label
change from the original mask, and the grades that annotator set, with the dataset's identity. Reads the store
read-only, so it works while the workstation has the dataset open. FILE must lie outside the dataset.
  --force   replace an existing FILE
`;

export const UNPACK_HELP = `Usage: spine-ws unpack DATASET FILE [--replace] [--annotator NAME] [--store FILE] [--json]

Imports an annotation package as a read-only reader layer of DATASET's store (named after the package's
annotator). The whole package is checked first (format, checksum, dataset identity, series sizes); nothing is
written when anything is wrong. Importing the same package again changes nothing.
  --replace        swap the layer of a reader imported earlier from another package
  --annotator NAME who imports it (default: the operating-system user)
The workstation must not have the dataset open (the store allows one writer); import there with
File > Import annotations... instead.
`;

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

function storeFileOf(option: string | undefined, root: string): string {
  return option ? resolve(option) : storePathFor(root);
}

export async function runPackCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      annotator: { type: 'string' },
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      store: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(PACK_HELP);
    return 0;
  }
  const dataset = positionals[0];
  if (!dataset || positionals.length > 1) throw new AppError('invalid_request', 'pack needs exactly one DATASET folder (see spine-ws pack --help)');
  if (!values.annotator) throw new AppError('invalid_request', 'pack needs --annotator NAME (see spine-ws pack --help)');
  if (!values.out) throw new AppError('invalid_request', 'pack needs --out FILE (see spine-ws pack --help)');
  const out = resolve(values.out);
  const index = await scanDataset(dataset);
  const inside = relative(index.root, out);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new AppError('invalid_request', `--out ${values.out} lies inside the dataset; write the package elsewhere`);
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new AppError('invalid_request', `--out ${values.out} is a folder; name the package file to write`, { file: out });
  if (existsSync(out) && !values.force) throw new AppError('conflict', `${out} exists; pass --force to replace it`, { file: out });
  const storeFile = storeFileOf(values.store, index.root);
  if (!existsSync(storeFile)) {
    throw new AppError('not_found', `No annotations are stored for ${basename(index.root)} yet (no store ${storeFile}); nothing to pack`, { file: storeFile });
  }
  const store = openStore(storeFile, { readonly: true });
  let bytes: Uint8Array;
  let summary: Awaited<ReturnType<typeof buildPackage>>['summary'];
  try {
    if (store.meta.checkDataset({ root: index.root, fingerprint: index.identity }) === 'mismatch') {
      process.stderr.write('pack: warning: the dataset changed since its annotations were stored; edits are packed where they fit\n');
    }
    ({ bytes, summary } = await buildPackage(readOnlySourceContext(index, store), values.annotator, workstationVersion()));
  } finally {
    store.close();
  }
  const temp = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    renameSync(temp, out);
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('io', `Could not write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: out, cause: err });
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ file: out, ...summary }, null, 2) + '\n');
  } else {
    for (const w of summary.warnings) process.stderr.write(`pack: warning: ${w}\n`);
    process.stdout.write(`Packed ${summary.annotator}: ${summary.series} series, ${summary.grades} grades -> ${out} (${kib(summary.byteLength)})\n`);
  }
  return 0;
}

export async function runUnpackCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      replace: { type: 'boolean' },
      annotator: { type: 'string' },
      store: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(UNPACK_HELP);
    return 0;
  }
  const [dataset, file] = positionals;
  if (!dataset || !file || positionals.length > 2) throw new AppError('invalid_request', 'unpack needs DATASET and FILE (see spine-ws unpack --help)');
  const importer = (values.annotator ?? userInfo().username).trim();
  const index = await scanDataset(dataset);
  const path = resolve(file);
  if (!existsSync(path)) throw new AppError('not_found', `${file} does not exist`, { file });
  const size = statSync(path).size;
  if (size > MAX_PACKAGE_BYTES) throw new AppError('invalid_file', `${basename(path)}: ${size} bytes is over the ${MAX_PACKAGE_BYTES / 2 ** 20} MiB package limit`, { file });
  // Checked in full before the store is even opened: a bad package leaves the store untouched.
  const pkg = readPackageFor(index, readFileSync(path), basename(path));
  // Every diff must start from this dataset's masks (series without an image were refused above).
  await checkLayersFit(index, pkg, basename(path), (e) => originalReader(index.root, e, e.image!)());
  const storeFile = storeFileOf(values.store, index.root);
  let store: Store;
  try {
    store = openStore(storeFile, { appVersion: workstationVersion() });
  } catch (err) {
    if (err instanceof AppError && err.code === 'db_locked') {
      throw new AppError('db_locked', `The annotation store of ${basename(index.root)} is in use (the workstation has the dataset open); import the package there with File > Import annotations..., or close it and run unpack again`, { file: storeFile });
    }
    throw err;
  }
  try {
    const match = store.meta.checkDataset({ root: index.root, fingerprint: index.identity });
    if (match === 'mismatch') throw new AppError('conflict', `The annotation store ${storeFile} belongs to another version of the dataset; nothing was imported`, { file: storeFile });
    // The same package again writes nothing at all (not even the importer's name).
    const known = store.readers.byName(pkg.annotator);
    const { reader, alreadyImported } = known?.sha256 === pkg.sha256
      ? { reader: known, alreadyImported: true }
      : store.transaction(() => {
        store.meta.bindDataset({ root: index.root, fingerprint: index.identity });
        return importPackage(store, pkg, store.annotators.ensure(importer), values.replace === true);
      });
    const info = readerInfo(store, reader);
    if (values.json) {
      process.stdout.write(JSON.stringify({ reader: info, alreadyImported }, null, 2) + '\n');
    } else if (alreadyImported) {
      process.stdout.write(`${info.name}: already imported from this package; nothing changed\n`);
    } else {
      for (const w of pkg.warnings) process.stderr.write(`unpack: note from the package: ${w}\n`);
      process.stdout.write(`Imported ${info.name}: ${info.seriesWithLabels} series, ${info.gradedLevels} levels, ${info.grades} grades (package of ${info.packageCreatedAt}) into ${storeFile}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}
