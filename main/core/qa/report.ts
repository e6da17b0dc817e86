// `spine-ws qa DATASET --report DIR` (issue 14 item 5): the dashboard as one self-contained HTML page, DIR/index.html
// (inline SVG plots from common/plots and an inline <style>, no script, no external URL, and a CSP meta that
// would stop either), plus the outlier and findings tables. Written atomically (temporary file + rename), never
// inside the dataset folder: the source dataset is never written to.
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { DashboardData } from '../../../common/contractDashboard.js';
import { AppError } from '../../../common/errors.js';
import { dashboardPlots, esc, fmt } from '../../../common/plots/index.js';
import type { DatasetIndex } from '../dataset/index.js';
import { openStore } from '../store/index.js';
import { buildDashboard, effectiveGradings, type StoredGrade } from './dashboard.js';
import type { QaReport } from './types.js';
import { reportDocument } from '../reportPage.js';

export const REPORT_FILE = 'index.html';

/** The real path `p` would have: the nearest existing ancestor resolved through symlinks, the rest appended. */
function realTarget(p: string): string {
  const rest: string[] = [];
  let at = resolve(p);
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    rest.unshift(basename(at));
    at = up;
  }
  let real: string;
  try {
    real = realpathSync(at);
  } catch {
    real = at;
  }
  return join(real, ...rest);
}

/** The absolute report folder; refused (invalid_request) when it is the dataset folder or lies inside it. */
export function reportDirFor(dir: string, datasetRoot: string): string {
  if (!dir.trim()) throw new AppError('invalid_request', '--report needs a folder');
  const abs = resolve(dir);
  const root = realTarget(datasetRoot);
  const rel = relative(root, realTarget(abs));
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new AppError('invalid_request', `--report ${dir} lies inside the dataset ${datasetRoot}; the source dataset is never written to: choose a folder outside it`);
  }
  return abs;
}

/**
 * Writes `html` as DIR/index.html (DIR is created if needed): to a temporary file in DIR first, renamed over
 * index.html when complete, so a reader never sees half a page. Returns the file's path.
 */
export async function writeReport(dir: string, datasetRoot: string, html: string): Promise<string> {
  const abs = reportDirFor(dir, datasetRoot);
  const file = join(abs, REPORT_FILE);
  const tmp = join(abs, `.${REPORT_FILE}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await mkdir(abs, { recursive: true });
    if (existsSync(file) && !(await stat(file)).isFile()) throw new AppError('io', `${file} exists and is not a file`, { file });
    await writeFile(tmp, html, { flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof AppError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new AppError('io', `Cannot write the report ${file}: ${why}`, { file, cause: err });
  }
  return file;
}

/**
 * The dashboard of a checked dataset for the CLI: statuses and grading values from the dataset's annotation store
 * when there is one (opened read-only, so this runs while the workstation is open), else every series 'todo' and
 * the CSV's gradings. A store that cannot be read leaves the statuses 'unknown' and says why in `warnings`.
 */
export function dashboardForDataset(index: DatasetIndex, report: QaReport, storeFile: string | null): { data: DashboardData; warnings: string[] } {
  const warnings: string[] = [];
  let status = (_id: string): string => 'todo';
  let stored: StoredGrade[] = [];
  if (storeFile !== null && existsSync(storeFile)) {
    try {
      const store = openStore(storeFile, { readonly: true });
      try {
        const statuses = new Map(index.series.map((s) => [s.id, store.series.getStatus(s.id) as string]));
        status = (id) => statuses.get(id) ?? 'todo';
        stored = store.gradings.all().map((g) => ({ patientId: g.patientId, ivdLabel: g.ivdLabel, field: g.field, value: g.value }));
      } finally {
        store.close();
      }
    } catch (err) {
      status = () => 'unknown';
      warnings.push(`the annotation store could not be read (${err instanceof Error ? err.message : String(err)}): statuses unknown, CSV gradings only`);
    }
  }
  const data = buildDashboard({
    name: basename(index.root),
    patients: index.patients.length,
    series: index.series.map((s) => ({ id: s.id, status: status(s.id) })),
    report,
    gradings: effectiveGradings(index.gradings?.rows ?? [], stored),
  });
  return { data, warnings };
}

const CSS = `
.counts { display: flex; gap: 10px; flex-wrap: wrap; margin: 8px 0 0; padding: 0; list-style: none; }
.counts li { border: 1px solid #d5d9de; border-radius: 6px; padding: 4px 12px; }
.counts b { font-size: 18px; margin-right: 4px; }
.counts .error b { color: #c62828; } .counts .warning b { color: #a86a00; } .counts .info b { color: #1f5fae; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; align-items: start; }
td.sev-error { color: #c62828; font-weight: 600; } td.sev-warning { color: #a86a00; } td.sev-info { color: #1f5fae; }
code { font-size: 12px; }
`;

/** The whole page. `report` gives the findings table; everything else comes from `data`. */
export function reportHtml(data: DashboardData, report: QaReport): string {
  const d = data.dataset;
  const plots = dashboardPlots(data, 'report');
  const figures = plots.map((p) => `<figure class="${p.wide ? 'wide' : ''}" data-plot="${esc(p.kind)}">${p.svg}</figure>`).join('\n');
  const outliers = data.outliers.length
    ? `<table data-table="outliers"><thead><tr><th>Series</th><th>Sequence</th><th>Label</th><th>Volume</th><th>Robust z</th></tr></thead><tbody>${data.outliers
        .map(
          (o) =>
            `<tr><td>${esc(o.seriesId)}</td><td>${esc(o.sequence)}</td><td>${esc(o.name)} (${o.label})</td>` +
            `<td class="num">${Number.isFinite(o.mm3) ? `${fmt(o.mm3 / 1000, 1)} cm³` : '–'}</td><td class="num">${o.z === null ? '–' : fmt(o.z, 1)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No label volume is an outlier.</p>';
  const findings = report.findings.length
    ? `<table data-table="findings"><thead><tr><th>Severity</th><th>Check</th><th>Series</th><th>Labels</th><th>Voxel</th><th>Message</th></tr></thead><tbody>${report.findings
        .map(
          (f) =>
            `<tr data-code="${esc(f.code)}" data-series="${esc(f.seriesId)}"><td class="sev-${esc(f.severity)}">${esc(f.severity)}</td><td><code>${esc(f.code)}</code></td>` +
            `<td>${esc(f.seriesId)}</td><td>${esc(f.labels.join(', ') || '–')}</td><td>${esc(f.ijk ? f.ijk.join(', ') : '–')}</td><td>${esc(f.message)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No findings.</p>';
  const withoutMask = d.seriesWithoutMask ? ` · ${d.seriesWithoutMask} without a mask` : '';
  return reportDocument(`QA report: ${esc(d.name)}`, CSS, `<header>
<h1>QA report: ${esc(d.name)}</h1>
<p class="meta">${d.patients} patients · ${d.series} series · ${d.seriesChecked} checked${withoutMask} · made ${esc(data.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</p>
<ul class="counts" aria-label="Findings by severity">
<li class="error"><b>${data.counts.error}</b> errors</li><li class="warning"><b>${data.counts.warning}</b> warnings</li><li class="info"><b>${data.counts.info}</b> info</li>
</ul>
</header>
<main>
<h2>Dashboard</h2>
<div class="plots">
${figures}
</div>
<h2>Volume outliers (${data.outliers.length})</h2>
${outliers}
<h2>Findings (${report.findings.length})</h2>
${findings}
</main>
<footer>Written by <code>spine-ws qa --report</code> from the dataset's masks, its CSVs and its annotation store (read-only); the source dataset is never written to.</footer>`);
}
