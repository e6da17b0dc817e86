// The desktop app from the command line (issue 7): bundles main/electron and preload/ with esbuild into out/,
// provides better-sqlite3 built for Electron's ABI in out/native/ (apart from node_modules' Node build, so
// `npm test` keeps working after `npm start`; ARCHITECTURE.md §5), and launches the Electron binary.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { electronNativeFileName } from '../../common/desktop.js';
import { AppError } from '../../common/errors.js';
import { PROJECT_ROOT } from './build.js';

export const OUT_DIR = join(PROJECT_ROOT, 'out');

export interface DesktopBuild {
  /** out/main/electron/index.mjs: the main process (package.json "main"). */
  main: string;
  /** out/preload/index.cjs: the sandboxed preload (requires only 'electron'). */
  preload: string;
}

/**
 * Bundles the main process (ESM; electron and better-sqlite3 stay external) and the preload (CommonJS, since a
 * sandboxed preload cannot be a module; only 'electron' external). The main bundle sits three folders below the
 * project root, like the sources of main/core/*, and the export's worker script is bundled beside it for
 * workerPool.ts's `new URL('./compressWorker.mjs')`.
 */
export async function buildDesktop(outDir: string = OUT_DIR): Promise<DesktopBuild> {
  const { build } = await import('esbuild');
  const main = join(outDir, 'main', 'electron', 'index.mjs');
  const preload = join(outDir, 'preload', 'index.cjs');
  await build({
    entryPoints: [join(PROJECT_ROOT, 'main', 'electron', 'main.ts')],
    outfile: main,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['electron', 'better-sqlite3'],
    // Bundled CommonJS dependencies may call require() on Node built-ins.
    banner: { js: "import { createRequire as __spineCreateRequire } from 'node:module'; const require = __spineCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // The export's worker thread: bundled with the label conversion it imports (labelBytes.mjs) into one file.
  await build({
    entryPoints: [join(PROJECT_ROOT, 'main', 'core', 'export', 'compressWorker.mjs')],
    outfile: join(dirname(main), 'compressWorker.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: false,
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(PROJECT_ROOT, 'preload', 'index.ts')],
    outfile: preload,
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
    sourcemap: false,
    minify: true,
    logLevel: 'warning',
  });
  return { main, preload };
}

/**
 * Path of the Electron binary if the electron package has it on disk, else null. Looks at the package's files
 * instead of `require('electron')`, which would try to download the binary (and fail where it cannot).
 */
export function electronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const rel = readFileSync(pathFile, 'utf8').trim();
    const full = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, rel) : join(pkgDir, 'dist', rel);
    return existsSync(full) ? full : null;
  } catch {
    return null;
  }
}

/** Electron's version and Node ABI (NODE_MODULE_VERSION) from the installed electron package. */
export function electronTarget(): { version: string; abi: string } {
  const req = createRequire(import.meta.url);
  const pkgDir = dirname(req.resolve('electron/package.json'));
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const abi = readFileSync(join(pkgDir, 'abi_version'), 'utf8').trim();
  return { version, abi };
}

/** Where the Electron-ABI better-sqlite3 addon lives (out/native/), for this platform and architecture. */
export function electronNativePath(abi: string, outDir: string = OUT_DIR): string {
  return join(outDir, 'native', electronNativeFileName(abi, process.platform, process.arch));
}

/**
 * Returns the Electron-ABI better-sqlite3 addon, building it when missing: a copy of node_modules/better-sqlite3
 * (without its Node build) is staged in out/native/stage and given to @electron/rebuild, which tries the
 * prebuilt binary first and compiles against Electron's headers otherwise. node_modules is never touched.
 * Both need the network (GitHub releases, Electron's header server); offline it fails with a clear message.
 */
export async function ensureElectronNative(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  const { version, abi } = electronTarget();
  const target = electronNativePath(abi);
  if (existsSync(target)) return target;
  const req = createRequire(import.meta.url);
  const srcDir = dirname(req.resolve('better-sqlite3/package.json'));
  const sqliteVersion = (JSON.parse(readFileSync(join(srcDir, 'package.json'), 'utf8')) as { version: string }).version;
  const stage = join(OUT_DIR, 'native', 'stage');
  rmSync(stage, { recursive: true, force: true });
  const stagedPkg = join(stage, 'node_modules', 'better-sqlite3');
  cpSync(srcDir, stagedPkg, { recursive: true, filter: (p) => !p.startsWith(join(srcDir, 'build')) && !p.startsWith(join(srcDir, 'node_modules')) });
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'spine-native-stage', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }));
  log(`Building better-sqlite3 ${sqliteVersion} for Electron ${version} (ABI ${abi}) into ${dirname(target)} …`);
  // A nodedir from npm's config (this machine's npm builds addons against Node's own headers) would make node-gyp
  // compile for Node's ABI while claiming Electron's; the ABI check below catches any such build.
  const savedNodedir = { lower: process.env.npm_config_nodedir, upper: process.env.NPM_CONFIG_NODEDIR };
  delete process.env.npm_config_nodedir;
  delete process.env.NPM_CONFIG_NODEDIR;
  try {
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: stage, electronVersion: version, onlyModules: ['better-sqlite3'], force: true });
  } catch (err) {
    rmSync(stage, { recursive: true, force: true });
    throw new AppError('io',
      `could not build better-sqlite3 for Electron ${version} (ABI ${abi}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}. ` +
      'Both the prebuilt binary (GitHub releases) and Electron\'s headers are downloaded from outside the npm registry; ' +
      `run \`npm start\` once with network access, or put a better_sqlite3.node built for ABI ${abi} at ${target}.`);
  } finally {
    if (savedNodedir.lower !== undefined) process.env.npm_config_nodedir = savedNodedir.lower;
    if (savedNodedir.upper !== undefined) process.env.NPM_CONFIG_NODEDIR = savedNodedir.upper;
  }
  const built = join(stagedPkg, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new AppError('io', `@electron/rebuild finished but left no ${built}`);
  const found = addonAbi(readFileSync(built));
  if (found !== abi) {
    rmSync(stage, { recursive: true, force: true });
    throw new AppError('io', `the better-sqlite3 build is for ABI ${found ?? 'unknown'}, not Electron's ${abi} (node-gyp used other headers); nothing was installed`);
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  rmSync(stage, { recursive: true, force: true });
  return target;
}

/** The Node ABI an addon was compiled for, from its `node_register_module_v<ABI>` symbol (NAN/V8 addons). */
export function addonAbi(binary: Uint8Array): string | null {
  const m = /node_register_module_v(\d+)/.exec(Buffer.from(binary).toString('latin1'));
  return m ? m[1]! : null;
}

export interface LaunchOptions {
  binary: string;
  dataset?: string;
  nativeBinding: string;
  /** Extra environment (SPINE_WS_USER_DATA for an isolated user-data folder, …). */
  env?: NodeJS.ProcessEnv;
}

/** Arguments and environment of the desktop app: `electron <project> [--dataset=DIR]`. Also used by the smoke tests. */
export function desktopLaunch(opts: Omit<LaunchOptions, 'binary'>): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, SPINE_WS_NATIVE_BINDING: opts.nativeBinding };
  delete env.ELECTRON_RUN_AS_NODE; // set, it would run the binary as plain Node
  return { args: [PROJECT_ROOT, ...(opts.dataset ? [`--dataset=${resolve(opts.dataset)}`] : [])], env };
}

/** Runs the desktop app until it exits; resolves with its exit code. */
export function launchDesktop(opts: LaunchOptions): Promise<number> {
  const { args, env } = desktopLaunch(opts);
  return new Promise((resolveExit, fail) => {
    const child = spawn(opts.binary, args, { stdio: 'inherit', env });
    child.once('error', fail);
    child.once('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
  });
}

/** `node bin/run-ts.mjs main/cli/electron.ts build|native…` (npm run build:electron, rebuild:electron-native, dist). */
async function runAsScript(steps: string[]): Promise<number> {
  for (const step of steps) {
    if (step === 'build') {
      const b = await buildDesktop();
      process.stdout.write(`Built ${b.main} and ${b.preload}\n`);
    } else if (step === 'native') {
      process.stdout.write(`Electron-ABI better-sqlite3: ${await ensureElectronNative()}\n`);
    } else {
      process.stderr.write(`unknown step '${step}' (build, native)\n`);
      return 2;
    }
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAsScript(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`${err instanceof AppError ? err.message : String(err instanceof Error ? err.stack : err)}\n`);
      process.exitCode = 1;
    },
  );
}
