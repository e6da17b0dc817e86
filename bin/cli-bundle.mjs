// The `spine-ws` CLI as plain JavaScript: bundles main/cli/index.ts with esbuild into out/cli/ (one small entry
// file, one chunk per command, loaded only when that command runs) and rebuilds it whenever a source it was built
// from changes. Compiling the TypeScript at every start (tsx) took most of the CLI's start-up time; this way the
// compile happens once per source change, with no build step to remember.
//
// Packages stay external (resolved from node_modules at run time, better-sqlite3's native addon included); only
// the project's own sources are bundled. Sources that use `import.meta.url` (package.json, the export's worker
// script, the project root) see their own source file's URL, as under tsx, whichever chunk they end up in.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped when the build options change in a way an mtime cannot show. */
const FORMAT = 1;
const STAMP = 'build.json';
const BUILDER = fileURLToPath(import.meta.url);
export const PROJECT_ROOT = resolve(dirname(BUILDER), '..');
/** Unreferenced outputs of earlier builds are removed once older than this (a process may still be loading them). */
const KEEP_OLD_MS = 60 * 60 * 1000;

/**
 * @typedef {{ root?: string, outDir?: string, entry?: string }} BundleOptions
 *   root: the project (default: this checkout); outDir: where the bundle goes (default: ROOT/out/cli);
 *   entry: the CLI's entry module, relative to root (default: main/cli/index.ts).
 * @typedef {{ format: number, builder: number, entry: string, inputs: Record<string, number>, outputs: string[] }} Stamp
 */

/** @param {BundleOptions} [opts] */
function resolved(opts = {}) {
  const root = resolve(opts.root ?? PROJECT_ROOT);
  return { root, outDir: resolve(opts.outDir ?? join(root, 'out', 'cli')), entry: opts.entry ?? join('main', 'cli', 'index.ts') };
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** @returns {Stamp | null} */
function readStamp(outDir) {
  try {
    const stamp = JSON.parse(readFileSync(join(outDir, STAMP), 'utf8'));
    return stamp && stamp.format === FORMAT && typeof stamp.entry === 'string' && stamp.inputs && typeof stamp.inputs === 'object' ? stamp : null;
  } catch {
    return null;
  }
}

/**
 * Why the bundle must be (re)built, or null when it is up to date: every file it was built from (and this
 * builder, and tsconfig.json) still has the modification time recorded at build time. A source that was edited,
 * replaced (git checkout), moved or deleted counts as changed. Costs one stat per source file (~80).
 * @param {BundleOptions} [opts]
 * @returns {string | null}
 */
export function cliBundleStaleReason(opts) {
  const { root, outDir } = resolved(opts);
  const stamp = readStamp(outDir);
  if (!stamp) return 'not built yet';
  if (stamp.builder !== mtime(BUILDER)) return 'the builder changed';
  if (mtime(join(outDir, stamp.entry)) < 0) return 'the bundle is missing';
  for (const [file, recorded] of Object.entries(stamp.inputs)) {
    if (mtime(join(root, file)) !== recorded) return `${file} changed`;
  }
  return null;
}

/** Writes a file so that a concurrent reader sees either nothing, the old file or the whole new one. */
function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/**
 * Bundles the CLI into outDir and records what it was built from (build.json, written last: a build that stops
 * half-way leaves the previous bundle in use). Returns the entry file.
 * @param {BundleOptions} [opts]
 * @returns {Promise<string>}
 */
export async function buildCliBundle(opts) {
  const { root, outDir, entry } = resolved(opts);
  const { build } = await import('esbuild');
  const builderMtime = mtime(BUILDER);
  const tsconfig = join(root, 'tsconfig.json');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: join(root, entry) },
    outdir: outDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Every output file knows its own URL; each source using import.meta.url gets its own source file's URL.
    banner: { js: 'const __spineOutUrl = import.meta.url;' },
    define: { 'import.meta.url': '__spineSourceUrl' },
    plugins: [{
      name: 'spine-source-url',
      setup(b) {
        b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
          const source = readFileSync(args.path, 'utf8');
          if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
          const rel = relative(outDir, args.path).split(sep).join('/');
          return { contents: `const __spineSourceUrl = new URL(${JSON.stringify(rel)}, __spineOutUrl).href;\n${source}`, loader: 'ts' };
        });
      },
    }],
  });
  // Modification times are read after the build: a source saved during it makes the next start build again.
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const rel = relative(root, resolve(root, file)).split(sep).join('/');
    inputs[rel] = mtime(join(root, rel));
  }
  if (mtime(tsconfig) >= 0) inputs['tsconfig.json'] = mtime(tsconfig);
  mkdirSync(outDir, { recursive: true });
  // The entry itself: each lazily imported command is an entry point of the metafile too, in no promised order.
  const built = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined && resolve(root, o.entryPoint) === join(root, entry));
  if (!built) throw new Error('esbuild produced no entry file for the CLI');
  const entryFile = relative(outDir, resolve(root, built[0]));
  const outputs = [];
  for (const f of result.outputFiles) {
    outputs.push(relative(outDir, f.path));
    // Output names carry a content hash: an existing file of that name already holds these bytes.
    if (mtime(f.path) < 0) writeAtomic(f.path, f.contents);
  }
  /** @type {Stamp} */
  const stamp = { format: FORMAT, builder: builderMtime, entry: entryFile, inputs, outputs };
  writeAtomic(join(outDir, STAMP), `${JSON.stringify(stamp, null, 1)}\n`);
  removeOldOutputs(outDir, new Set([...outputs, STAMP]));
  return join(outDir, entryFile);
}

function removeOldOutputs(outDir, keep) {
  const now = Date.now();
  for (const name of readdirSync(outDir)) {
    if (keep.has(name)) continue;
    const file = join(outDir, name);
    if (now - mtime(file) > KEEP_OLD_MS) rmSync(file, { force: true });
  }
}

/**
 * The CLI's entry file, built first when missing or older than its sources.
 * @param {BundleOptions} [opts]
 * @returns {Promise<{ entry: string, rebuilt: string | null }>} rebuilt: why it was rebuilt, or null
 */
export async function ensureCliBundle(opts) {
  const reason = cliBundleStaleReason(opts);
  if (reason === null) {
    const { outDir } = resolved(opts);
    return { entry: join(outDir, /** @type {Stamp} */ (readStamp(outDir)).entry), rebuilt: null };
  }
  return { entry: await buildCliBundle(opts), rebuilt: reason };
}
