// Rebuilds BENCHMARKS.md from the per-bench sections in bench/results/*.md.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/report.js';

const sections = readdirSync(RESULTS_DIR)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => readFileSync(join(RESULTS_DIR, f), 'utf8').trimEnd());
const head = `# Benchmarks

Measured on the shared development machine (2 cores, software GL, noisy neighbours). Absolute times vary from
run to run, so every figure is reported against a baseline measured in the same run, interleaved, with the
median of several repetitions. Each section names the command that produced it; its raw figures are in
\`bench/results/<name>.json\` ({ name, unit, value, baseline, ratio, runs, date }).
`;
writeFileSync(join(RESULTS_DIR, '..', '..', 'BENCHMARKS.md'), [head, ...sections].join('\n\n') + '\n');
console.log(`BENCHMARKS.md: ${sections.length} section(s)`);
