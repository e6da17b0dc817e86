// Where the workstation keeps its own files: the annotation stores and the bundled sample dataset.
// Never inside a dataset folder (which may be read-only and must never be written to).
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, realpathSync, rmSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_DIR_NAME = 'spine-workstation';

/**
 * The app's data folder: $SPINE_WS_DATA_DIR if set, else the platform's per-user data folder
 * (Linux: $XDG_DATA_HOME or ~/.local/share; macOS: ~/Library/Application Support; Windows: %APPDATA%).
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPINE_WS_DATA_DIR) return resolve(env.SPINE_WS_DATA_DIR);
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), APP_DIR_NAME);
}

/** The annotation store of a dataset: one SQLite file per dataset, keyed by the dataset folder's real path. */
export function storePathFor(datasetRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  let real: string;
  try {
    real = realpathSync(datasetRoot);
  } catch {
    real = resolve(datasetRoot);
  }
  const key = createHash('sha256').update(real).digest('hex').slice(0, 16);
  return join(dataDir(env), 'stores', `${key}.sqlite`);
}

/** Where `npm start` / `spine-ws serve` without a dataset keep the generated sample dataset. */
export function bundledSamplePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'sample-dataset');
}

/** The web-mode/CLI settings file (the remembered annotator name). Electron keeps its own in the user-data folder. */
export function settingsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'settings.json');
}

/**
 * Makes sure the data folder exists and can be written (a probe file is created and removed), so web mode and
 * the CLI fail at start with one clear line instead of half-way through with a stack trace.
 * @returns the data folder. @throws AppError('io') naming the folder, the system's error code and the way out.
 */
export function ensureDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = dataDir(env);
  const probe = join(dir, `.write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
    throw new AppError('io', `The data folder ${dir} cannot be written (${code}); make it writable or set SPINE_WS_DATA_DIR to a writable folder`, {
      file: dir,
      cause: err,
    });
  }
  return dir;
}
