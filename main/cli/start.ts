// `spine-ws start` (what `npm start` runs): opens the workstation on the bundled sample dataset, generated on
// first run into the app's data folder. The desktop app where the Electron binary exists; web mode otherwise.
import { existsSync } from 'node:fs';
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

/** Path of the Electron binary if the electron package downloaded it, else null. */
export function electronBinary(): string | null {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : null;
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
