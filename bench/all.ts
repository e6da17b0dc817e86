// Runs every bench in turn (each in its own process, so one does not warm or load the other) and rebuilds
// BENCHMARKS.md:  npm run bench
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const runner = join(here, '..', 'bin', 'run-ts.mjs');
const benches = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b} ===`);
  const r = spawnSync(process.execPath, [runner, join(here, b)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
spawnSync(process.execPath, [runner, join(here, 'compose.ts')], { stdio: 'inherit' });
process.exitCode = failed ? 1 : 0;
