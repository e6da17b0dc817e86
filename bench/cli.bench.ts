// CLI start-up: `node bin/spine-ws.mjs --help` against `node -e 0` (Node's own start-up), each a fresh process
// started with spawnSync, interleaved so that machine noise hits both alike; medians.
//   node bin/run-ts.mjs bench/cli.bench.ts [--runs N]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ensureCliBundle, PROJECT_ROOT } from '../bin/cli-bundle.mjs';
import { figure, machineLine, median, writeResults } from './lib/report.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' } } });
const runs = Number(values.runs);
const GOAL = 2.5;
const BIN = join(PROJECT_ROOT, 'bin', 'spine-ws.mjs');

function spawnMs(args: string[], expectOut?: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: PROJECT_ROOT });
  const ms = performance.now() - t0;
  if (r.status !== 0 || (expectOut !== undefined && !r.stdout.includes(expectOut))) throw new Error(`${args.join(' ')} failed: ${r.status} ${r.stderr}`);
  return ms;
}

// The bundle is built (if sources changed) before timing: a user pays that once per source change, not per start.
const built = await ensureCliBundle();
if (built.rebuilt) console.log(`CLI bundle rebuilt (${built.rebuilt})`);
const cases = {
  help: () => spawnMs([BIN, '--help'], 'spine-ws sample'),
  node: () => spawnMs(['-e', '0']),
};
// One untimed warm-up of each (page cache).
for (const fn of Object.values(cases)) fn();
const samples: Record<keyof typeof cases, number[]> = { help: [], node: [] };
for (let i = 0; i < runs; i++) {
  for (const [k, fn] of Object.entries(cases) as [keyof typeof cases, () => number][]) samples[k].push(fn());
}
const load = loadavg()[0]!;
const help = median(samples.help);
const node = median(samples.node);
const ratio = help / node;
const ratios = samples.help.map((h, i) => h / samples.node[i]!);
const fmt = (x: number) => x.toFixed(0);
const met = ratio <= GOAL;

writeResults('cli', [figure('cli-help-startup', 'ms', help, node, runs, { helpSamples: samples.help, nodeSamples: samples.node, pairRatioMedian: median(ratios), goalRatio: GOAL, loadAverage1m: load })], `## CLI start-up: \`spine-ws --help\`

Command: \`node bin/run-ts.mjs bench/cli.bench.ts\` — ${machineLine()}; ${runs} interleaved repetitions after one warm-up, each a fresh process started with \`spawnSync\`, medians; 1-minute load average ${load.toFixed(1)} at the end (shared machine: absolute times swing, the ratio is the figure).

\`node bin/spine-ws.mjs --help\` (the launcher checks that the CLI bundle in \`out/cli/\` is not older than its sources — one stat per source file — and imports only the bundle's entry chunk; the command modules are imported when their command runs) against \`node -e 0\` (Node's own start-up) in the same run. The bundle is built before timing: that happens once after a source change (bin/cli-bundle.mjs), not at every start.

| | median (ms) | min (ms) | max (ms) |
|---|---:|---:|---:|
| \`spine-ws --help\` | ${fmt(help)} | ${fmt(Math.min(...samples.help))} | ${fmt(Math.max(...samples.help))} |
| \`node -e 0\` | ${fmt(node)} | ${fmt(Math.min(...samples.node))} | ${fmt(Math.max(...samples.node))} |

Ratio of the medians: **${ratio.toFixed(2)}×** (median of the per-pair ratios ${median(ratios).toFixed(2)}×). Goal: within ${GOAL}× of \`node -e 0\` — **${met ? 'met' : 'not met'}**. Before (tsx compiling the TypeScript at every start), as measured for issue 12: ~5.4×, ~0.54 s.
`);
console.log(`spine-ws --help ${fmt(help)} ms vs node -e 0 ${fmt(node)} ms: ${ratio.toFixed(2)}× (goal ≤ ${GOAL}×: ${met ? 'met' : 'not met'})`);
