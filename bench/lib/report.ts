// Shared helpers for bench scripts: timing with repetitions, and writing results.
// Every bench writes bench/results/<name>.json (one or more figures) and bench/results/<name>.md (its section
// of BENCHMARKS.md, with the command that produced it). `node bin/run-ts.mjs bench/compose.ts` rebuilds
// BENCHMARKS.md from the .md sections.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** One figure as the issue tracker expects it: a value, the baseline measured in the same run, their ratio. */
export interface BenchFigure {
  name: string;
  unit: string;
  value: number;
  baseline: number;
  /** value / baseline */
  ratio: number;
  runs: number;
  date: string;
  /** Optional free-form context (sizes, notes). */
  details?: Record<string, unknown>;
}

export function figure(
  name: string,
  unit: string,
  value: number,
  baseline: number,
  runs: number,
  details?: Record<string, unknown>,
): BenchFigure {
  const f: BenchFigure = { name, unit, value, baseline, ratio: baseline === 0 ? NaN : value / baseline, runs, date: new Date().toISOString() };
  if (details) f.details = details;
  return f;
}

/** Median of the samples. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times several async functions interleaved (a, b, c, a, b, c, ...) so that machine noise hits all of them
 * alike. Returns the per-function samples in milliseconds. One untimed warm-up round first.
 */
export async function interleave(fns: Record<string, () => unknown>, runs: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(fns)) out[k] = [];
  for (const fn of Object.values(fns)) await fn();
  for (let r = 0; r < runs; r++) {
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      await fn();
      out[k]!.push(performance.now() - t0);
    }
  }
  return out;
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Writes bench/results/<name>.json and bench/results/<name>.md. */
export function writeResults(name: string, figures: BenchFigure[], markdownSection: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(figures.length === 1 ? figures[0] : figures, null, 2) + '\n');
  writeFileSync(join(RESULTS_DIR, `${name}.md`), markdownSection.trimEnd() + '\n');
}
