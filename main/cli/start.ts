// `spine-ws start` (what `npm start` runs): makes sure the bundled sample dataset exists in the app's data
// folder and opens the workstation on it.
import { existsSync } from 'node:fs';
import { bundledSamplePath } from '../core/paths.js';
import { generateSample } from '../core/sample/index.js';
import { runInfo } from './info.js';

export async function ensureBundledSample(): Promise<string> {
  const dir = bundledSamplePath();
  if (!existsSync(dir)) {
    process.stdout.write(`Generating the bundled sample dataset in ${dir} …\n`);
    await generateSample({ out: dir, profile: 'tiny', seed: 'bundled' });
  }
  return dir;
}

export async function runStart(_args: string[]): Promise<number> {
  const dir = await ensureBundledSample();
  // The viewer (web mode and the Electron shell) is built by the viewer issue; until then `start` shows what
  // the workstation would open.
  process.stdout.write('The viewer is not built yet; this is the dataset it will open:\n\n');
  return runInfo([dir]);
}
