// `spine-ws start` (what `npm start` runs): opens the workstation on the bundled sample dataset, generated on
// first run into the app's data folder. The desktop app where the Electron binary exists; web mode otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { bundledSamplePath } from '../core/paths.js';
import { generateSample } from '../core/sample/index.js';
import { serve } from './serve.js';

export async function ensureBundledSample(): Promise<string> {
  const dir = bundledSamplePath();
  if (!existsSync(dir)) {
    process.stdout.write(`Generating the bundled sample dataset in ${dir} …\n`);
    await generateSample({ out: dir, profile: 'tiny', seed: 'bundled' });
  }
  return dir;
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

export async function runStart(args: string[]): Promise<number> {
  const dataset = args[0];
  // The desktop shell arrives with issue #7; until then, and wherever the binary is missing, web mode.
  const reason = electronBinary() ? 'the Electron shell is not built yet (issue #7)' : 'the Electron binary is not installed on this machine';
  process.stdout.write(`Starting web mode: ${reason}.\n`);
  return serve(dataset, 0);
}
