// `spine-ws agree DATASET --report DIR` (issue 16 item 2): the agreement of two sources as one self-contained HTML
// page, DIR/index.html — the κ table, the plots of common/plots/agreement.ts (the same the app's Agreement page
// draws: Dice distribution, confusion matrices, per-level κ), the series with the lowest Dice and the skipped
// series. Inline SVG and an inline <style>, no script, no external URL, and a CSP meta that would stop either.
// Written like the QA report (main/core/qa/report.ts: atomically, never inside the dataset folder).
import type { AgreementReport } from '../../../common/contractReaders.js';
import { gradingFieldSpec } from '../../../common/gradings.js';
import { agreementPlots, esc, fmt, fmtKappa } from '../../../common/plots/index.js';
import { reportDocument } from '../reportPage.js';

/** (series, label) pairs with the lowest Dice, worst first; ties by series id then label. */
export function worstPairs(r: AgreementReport, limit: number): { seriesId: string; value: number; name: string; dice: number; voxelsA: number; voxelsB: number; volumeDiffMm3: number }[] {
  const all = r.series.flatMap((s) => s.labels.filter((l) => l.dice < 1).map((l) => ({ seriesId: s.seriesId, value: l.value, name: l.name, dice: l.dice, voxelsA: l.voxelsA, voxelsB: l.voxelsB, volumeDiffMm3: l.volumeDiffMm3 })));
  all.sort((x, y) => x.dice - y.dice || x.seriesId.localeCompare(y.seriesId) || x.value - y.value);
  return all.slice(0, limit);
}

const CSS = `
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; align-items: start; }
th.num { text-align: right; }
`;

/** Fixed decimals (columns line up), '–' for none; negative numbers with a real minus sign. */
const num = (x: number | null, digits: number): string => (x === null ? '–' : x.toFixed(digits).replace('-', '−'));

/** The whole page for `report`; `title` names the dataset, `generatedAt` is an ISO time. */
export function agreeReportHtml(report: AgreementReport, title: string, generatedAt: string): string {
  const s = report.summary;
  const figures = agreementPlots(report, 'agree')
    .map((p) => `<figure class="${p.wide ? 'wide' : ''}" data-plot="${esc(p.kind)}"${p.field ? ` data-field="${esc(p.field)}"` : ''}>${p.svg}</figure>`)
    .join('\n');
  const kappa = `<table data-table="kappa"><thead><tr><th>Field</th><th>Weights</th><th class="num">n</th><th class="num">Observed agreement</th><th class="num">κ</th></tr></thead><tbody>${report.gradings
    .map((f) => `<tr data-field="${esc(f.field)}"><td>${esc(gradingFieldSpec(f.field).title)}</td><td>${f.weights ?? 'none'}</td><td class="num">${f.n}</td><td class="num">${num(f.observed, 3)}</td><td class="num">${esc(fmtKappa(f.kappa))}</td></tr>`)
    .join('')}</tbody></table>`;
  const perLabel = report.perLabel.length
    ? `<table data-table="labels"><thead><tr><th>Label</th><th class="num">Series</th><th class="num">Mean Dice</th><th class="num">Median</th><th class="num">Min</th></tr></thead><tbody>${report.perLabel
        .map((l) => `<tr><td>${esc(l.name)} (${l.value})</td><td class="num">${l.series}</td><td class="num">${num(l.meanDice, 3)}</td><td class="num">${num(l.medianDice, 3)}</td><td class="num">${num(l.minDice, 3)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p>No labels in either source.</p>';
  const worst = worstPairs(report, 25);
  const worstTable = worst.length
    ? `<table data-table="worst"><thead><tr><th>Series</th><th>Label</th><th class="num">Dice</th><th class="num">Voxels A</th><th class="num">Voxels B</th><th class="num">Volume B − A</th></tr></thead><tbody>${worst
        .map((w) => `<tr data-series="${esc(w.seriesId)}"><td>${esc(w.seriesId)}</td><td>${esc(w.name)} (${w.value})</td><td class="num">${num(w.dice, 3)}</td><td class="num">${w.voxelsA}</td><td class="num">${w.voxelsB}</td><td class="num">${fmt(w.volumeDiffMm3 / 1000, 2)} cm³</td></tr>`)
        .join('')}</tbody></table>`
    : '<p>Every label agrees exactly (Dice 1).</p>';
  const skipped = report.series.filter((x) => x.skipped !== null);
  const skippedTable = skipped.length
    ? `<h2>Series not compared (${skipped.length})</h2><table data-table="skipped"><thead><tr><th>Series</th><th>Why</th></tr></thead><tbody>${skipped
        .map((x) => `<tr><td>${esc(x.seriesId)}</td><td>${esc(x.skipped!)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return reportDocument(`Agreement: ${esc(title)}`, CSS, `<header>
<h1>Agreement: ${esc(title)}</h1>
<p class="meta">A = <b>${esc(report.a)}</b> · B = <b>${esc(report.b)}</b> · grades: ${report.basis === 'first' ? 'first values' : 'current values'} · ${s.series} series, ${s.seriesDiffering} differing, ${s.seriesSkipped} not compared · mean Dice ${num(s.meanDice, 3)} · made ${esc(generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</p>
</header>
<main>
<h2>Gradings: Cohen's κ</h2>
<p class="meta">Levels graded by both; Pfirrmann quadratic-weighted (ordinal), the other fields unweighted.</p>
${kappa}
<h2>Plots</h2>
<div class="plots">
${figures}
</div>
<h2>Dice per label</h2>
${perLabel}
<h2>Lowest Dice (${worst.length})</h2>
${worstTable}
${skippedTable}
</main>
<footer>Written by <code>spine-ws agree --report</code> from the dataset's masks and its annotation store (read-only); the source dataset is never written to.</footer>`);
}
