#!/usr/bin/env node
// Entry point of the `spine-ws` CLI. Runs the CLI bundled to plain JavaScript in out/cli/ (bin/cli-bundle.mjs),
// building it first on the first run and whenever its TypeScript sources changed, so that the command works right
// after `npm install` with no build step, and starts without compiling TypeScript. Where esbuild cannot run, the
// sources are run through tsx as before.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { ensureCliBundle } from './cli-bundle.mjs';

let entry;
try {
  entry = (await ensureCliBundle()).entry;
} catch {
  // No usable esbuild, or an out/ that cannot be written: compile on the fly (slower start, same behaviour).
  const { register } = await import('tsx/esm/api');
  register();
  entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'main', 'cli', 'index.ts');
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
