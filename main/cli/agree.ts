// `spine-ws agree DATASET [--a SRC] [--b SRC] [--basis current|first] [--json] [--report DIR] [--store FILE]`: agreement
// between two readers (issue 16 item 2): Dice and volumes per series and label, Cohen's κ per grading field (Pfirrmann
// quadratic-weighted) overall and per level. The annotation store is opened READ-ONLY (no writer lock), so this runs
// while the workstation has the dataset open. Default sources: the first two imported readers by name, else
// A = local (this store) and B = original (the dataset as released); the output says which.
// Exit codes (like qa): 0 every series compared; 1 some series could not be compared (listed) or a failure; 2 usage.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GRADE_BASES, sourceRef, type AgreementReport, type GradeBasis, type SourceRef } from '../../common/contractReaders.js';
import { AppError } from '../../common/errors.js';
import { gradingFieldSpec } from '../../common/gradings.js';
import { discName } from '../../common/labels.js';
import { scanDataset } from '../core/dataset/index.js';
import { storePathFor } from '../core/paths.js';
import { reportDirFor, writeReport } from '../core/qa/report.js';
import { agreeReportHtml, worstPairs } from '../core/readers/agreeReport.js';
import { runAgreement } from '../core/readers/agreeRun.js';
import { readOnlySourceContext } from '../core/readers/sources.js';
import { openStore, type Store } from '../core/store/index.js';

export const AGREE_HELP = `Usage: spine-ws agree DATASET [--a SRC] [--b SRC] [--basis current|first] [--json] [--report DIR] [--store FILE]

Agreement between two sources of labels and gradings of DATASET: per series and label Dice and volumes,
per grading field Cohen's kappa (Pfirrmann quadratic-weighted) with confusion matrices, overall and per level.

Sources (SRC): reader:NAME (an imported reader, see spine-ws unpack), local (this store: in an adjudicator's
store the consensus) or original (the dataset as released). Default: the first two imported readers by name,
else --a local --b original.

Options:
  --basis B      grades compared: current (default: each source's current value) or first (the first value
                 each reader entered)
  --json         the whole report as JSON on stdout
  --report DIR   also write DIR/index.html: the figures as plots (never inside the dataset)
  --store FILE   annotation store to read (default: the dataset's store in the data folder); opened read-only

Exit codes: 0 every series compared, 1 some series could not be compared or a failure, 2 usage error.
`;

/** The default sources: the first two imported readers by name, else local vs original. */
export function defaultSources(store: Store): { a: SourceRef; b: SourceRef; why: string } {
  const names = store.readers.list().map((r) => r.name).sort((x, y) => x.localeCompare(y));
  if (names.length >= 2) return { a: `reader:${names[0]!}`, b: `reader:${names[1]!}`, why: 'the first two imported readers by name' };
  return { a: 'local', b: 'original', why: names.length === 1 ? `one reader imported (${names[0]!}): pass --a/--b to compare it` : 'no reader imported' };
}

function parseSource(flag: string, text: string): SourceRef {
  const r = sourceRef.safeParse(text);
  if (!r.success) throw new AppError('invalid_request', `--${flag} ${text}: a source is 'original', 'local' or 'reader:NAME'`);
  return r.data;
}

const k2 = (k: number | null): string => (k === null ? '—' : k.toFixed(2));

/** The text report: κ per field, per-level κ, Dice per label, the worst pairs and the skipped series. */
export function agreeText(r: AgreementReport, header: string[]): string {
  const lines = [...header];
  const w = (s = ''): number => lines.push(s);
  const s = r.summary;
  w(`Series    ${s.series}: ${s.seriesDiffering} differing, ${s.seriesSkipped} not compared; mean Dice ${s.meanDice === null ? '—' : s.meanDice.toFixed(3)}`);
  w('');
  w(`Gradings (${r.basis} values; Cohen's kappa, Pfirrmann quadratic-weighted)`);
  w(`${'Field'.padEnd(24)}${'n'.padStart(6)}${'po'.padStart(8)}${'kappa'.padStart(8)}`);
  for (const f of r.gradings) {
    w(`${gradingFieldSpec(f.field).title.padEnd(24)}${String(f.n).padStart(6)}${(f.observed === null ? '—' : f.observed.toFixed(3)).padStart(8)}${k2(f.kappa).padStart(8)}${f.weights ? ' (quadratic)' : ''}`);
  }
  const levels = [...new Set(r.gradings.flatMap((f) => f.perLevel.map((l) => l.ivdLabel)))].sort((x, y) => x - y);
  if (levels.length) {
    w('');
    w('Kappa per level (n)');
    const cols = r.gradings.filter((f) => f.perLevel.length > 0);
    w(`${'Level'.padEnd(10)}${cols.map((f) => f.field.padStart(18)).join('')}`);
    for (const ivd of levels) {
      const cells = cols.map((f) => {
        const l = f.perLevel.find((x) => x.ivdLabel === ivd);
        return (l ? `${k2(l.kappa)} (${l.n})` : '').padStart(18);
      });
      w(`${discName(ivd).padEnd(10)}${cells.join('')}`);
    }
  }
  if (r.perLabel.length) {
    w('');
    w('Dice per label');
    w(`${'Label'.padEnd(18)}${'series'.padStart(7)}${'mean'.padStart(8)}${'median'.padStart(8)}${'min'.padStart(8)}`);
    for (const l of r.perLabel) {
      w(`${`${l.name} (${l.value})`.padEnd(18)}${String(l.series).padStart(7)}${l.meanDice.toFixed(3).padStart(8)}${l.medianDice.toFixed(3).padStart(8)}${l.minDice.toFixed(3).padStart(8)}`);
    }
  }
  const worst = worstPairs(r, 10);
  if (worst.length) {
    w('');
    w('Lowest Dice');
    w(`${'Series'.padEnd(16)}${'Label'.padEnd(18)}${'Dice'.padStart(7)}${'voxels A'.padStart(10)}${'voxels B'.padStart(10)}`);
    for (const x of worst) w(`${x.seriesId.padEnd(16)}${`${x.name} (${x.value})`.padEnd(18)}${x.dice.toFixed(3).padStart(7)}${String(x.voxelsA).padStart(10)}${String(x.voxelsB).padStart(10)}`);
  }
  const skipped = r.series.filter((x) => x.skipped !== null);
  if (skipped.length) {
    w('');
    w('Not compared');
    for (const x of skipped) w(`${x.seriesId.padEnd(16)}${x.skipped!}`);
  }
  return lines.join('\n') + '\n';
}

export async function runAgreeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      a: { type: 'string' }, b: { type: 'string' }, basis: { type: 'string' }, json: { type: 'boolean' },
      report: { type: 'string' }, store: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(AGREE_HELP);
    return 0;
  }
  const root = positionals[0];
  if (!root || positionals.length > 1) throw new AppError('invalid_request', 'agree needs exactly one DATASET folder');
  const basis = (values.basis ?? 'current') as GradeBasis;
  if (!GRADE_BASES.includes(basis)) throw new AppError('invalid_request', `--basis must be current or first (got ${values.basis})`);
  const flagA = values.a === undefined ? null : parseSource('a', values.a);
  const flagB = values.b === undefined ? null : parseSource('b', values.b);
  const index = await scanDataset(root);
  // Refused before any mask is read: the report never goes into the dataset.
  if (values.report !== undefined) reportDirFor(values.report, index.root);
  const storeFile = values.store ? resolve(values.store) : storePathFor(index.root);
  if (!existsSync(storeFile)) {
    throw new AppError('not_found', `No annotation store ${values.store ? values.store : `for ${index.root} (${storeFile})`}: open the dataset once or import readers with spine-ws unpack`);
  }
  const store = openStore(storeFile, { readonly: true });
  try {
    const defaults = defaultSources(store);
    const a = flagA ?? defaults.a, b = flagB ?? defaults.b;
    const why = flagA === null && flagB === null ? ` (default: ${defaults.why})` : '';
    const tty = !values.json && process.stderr.isTTY;
    const report = await runAgreement(readOnlySourceContext(index, store), a, b, basis, {
      onProgress: tty ? (done, total) => process.stderr.write(`\ragree: ${done}/${total} series`) : undefined,
    });
    if (tty) process.stderr.write('\n');
    if (values.json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      if (why) process.stderr.write(`agree: A = ${a}, B = ${b}${why}\n`);
    } else {
      process.stdout.write(agreeText(report, [`Dataset   ${index.root}`, `Store     ${storeFile} (read-only)`, `Sources   A = ${a}, B = ${b}${why}`]));
    }
    if (values.report !== undefined) {
      const file = await writeReport(values.report, index.root, agreeReportHtml(report, basename(index.root), new Date().toISOString()));
      if (values.json) process.stderr.write(`agree: report written to ${file}\n`);
      else process.stdout.write(`\nReport    ${file}\n`);
    }
    return report.summary.seriesSkipped > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}
