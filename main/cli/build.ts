// Builds the renderer with Vite when dist/renderer is missing or older than its sources, so that
// `npm start` and `spine-ws serve` work on a fresh clone without a separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Where the renderer is built and served from. SPINE_RENDERER_DIST (an absolute path) moves it, so that
 * several checkouts of work in progress can build and test side by side; vite.config.ts reads the same variable.
 */
export const RENDERER_DIST = process.env.SPINE_RENDERER_DIST ? resolve(process.env.SPINE_RENDERER_DIST) : join(PROJECT_ROOT, 'dist', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function rendererIsStale(): boolean {
  const index = join(RENDERER_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(newestMtime(join(PROJECT_ROOT, 'renderer')), newestMtime(join(PROJECT_ROOT, 'common')));
  return sources > built;
}

/** Runs `vite build` through Vite's API when needed. Returns the folder to serve. */
export async function ensureRendererBuilt(log: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<string> {
  if (!rendererIsStale()) return RENDERER_DIST;
  const fresh = !existsSync(join(RENDERER_DIST, 'index.html'));
  log(fresh ? 'Building the viewer (first run) …' : 'Rebuilding the viewer (sources changed) …');
  const { build } = await import('vite');
  await build({ configFile: join(PROJECT_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  return RENDERER_DIST;
}
