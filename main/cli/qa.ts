// `spine-ws qa DATASET [--json] [--report DIR]`: label quality checks over every mask of a dataset (issue 14).
// Prints a table of findings (or the report as JSON); --report also writes the dashboard as DIR/index.html
// (main/core/qa/report.ts; never inside the dataset). Exit 1 when any finding is an error, 0 otherwise.
import { parseArgs } from 'node:util';
import { AppError } from '../../common/errors.js';
import { scanDataset } from '../core/dataset/index.js';
import { runQa } from '../core/qa/index.js';
import { dashboardForDataset, reportDirFor, reportHtml, writeReport } from '../core/qa/report.js';
import { storePathFor } from '../core/paths.js';

const USAGE = 'Usage: spine-ws qa DATASET [--json] [--concurrency N] [--report DIR]\n';

export async function runQaCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, concurrency: { type: 'string' }, report: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const root = positionals[0];
  if (!root || positionals.length > 1) throw new AppError('invalid_request', 'qa needs exactly one DATASET folder');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new AppError('invalid_request', `--concurrency must be a positive integer (got ${values.concurrency})`);
  }
  const index = await scanDataset(root);
  // Refused before any mask is read: the report never goes into the dataset.
  if (values.report !== undefined) reportDirFor(values.report, index.root);
  const tty = !values.json && process.stderr.isTTY;
  const report = await runQa(index, {
    concurrency,
    onProgress: tty ? (done, total) => process.stderr.write(`\rqa: ${done}/${total} masks`) : undefined,
  });
  if (tty) process.stderr.write('\n');
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const w = (line: string): boolean => process.stdout.write(line + '\n');
    w(`Dataset   ${report.root}`);
    w(`Checked   ${report.seriesChecked} series${report.seriesWithoutMask.length ? `; ${report.seriesWithoutMask.length} without a mask` : ''}`);
    w(`Findings  ${report.counts.error} error(s), ${report.counts.warning} warning(s), ${report.counts.info} info`);
    if (report.findings.length) {
      w('');
      w(`${'Sev'.padEnd(5)}${'Code'.padEnd(22)}${'Series'.padEnd(14)}${'Labels'.padEnd(14)}${'Voxel'.padEnd(16)}Message`);
      for (const f of report.findings) {
        const sev = f.severity === 'error' ? 'E' : f.severity === 'warning' ? 'W' : 'I';
        w(`${sev.padEnd(5)}${f.code.padEnd(22)}${f.seriesId.padEnd(14)}${(f.labels.join(',') || '-').padEnd(14)}${(f.ijk ? f.ijk.join(',') : '-').padEnd(16)}${f.message}`);
      }
    }
  }
  if (values.report !== undefined) {
    const { data, warnings } = dashboardForDataset(index, report, storePathFor(index.root));
    for (const w of warnings) process.stderr.write(`qa: warning: ${w}\n`);
    const file = await writeReport(values.report, index.root, reportHtml(data, report));
    if (values.json) process.stderr.write(`qa: report written to ${file}\n`);
    else process.stdout.write(`Report    ${file}\n`);
  }
  return report.counts.error > 0 ? 1 : 0;
}
