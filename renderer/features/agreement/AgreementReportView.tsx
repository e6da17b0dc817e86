// The body of the Agreement page for one report: the label summary and under it the series with the lowest Dice (each
// a link that opens the series: the adjudicator's next step, so it comes before the plots), the κ table per grading
// field, and the plots from common/plots/agreement.ts (Dice distribution, confusion matrices, per-level κ: the same
// SVG `spine-ws agree --report` writes).
import { useMemo } from 'react';
import type { AgreementReport, SeriesAgreement } from '../../../common/contractReaders.js';
import { gradingFieldSpec } from '../../../common/gradings.js';
import { agreementPlots, fmtKappa } from '../../../common/plots/index.js';
import { kappaWords } from './agreementSources.js';

/** How many series the lowest-Dice table lists. */
export const WORST_SERIES_ROWS = 25;

interface WorstRow {
  seriesId: string;
  label: string;
  dice: number;
  volumeAMm3: number;
  volumeBMm3: number;
  differing: number;
}

/** Per series with a differing label: its lowest-Dice label; ascending by that Dice, then series id. */
export function worstSeries(series: readonly SeriesAgreement[], max = WORST_SERIES_ROWS): WorstRow[] {
  const rows: WorstRow[] = [];
  for (const s of series) {
    if (s.skipped !== null || !s.differing) continue;
    const diff = s.labels.filter((l) => l.dice < 1);
    const worst = diff.reduce((w, l) => (l.dice < w.dice ? l : w), diff[0]!);
    if (!worst) continue;
    rows.push({ seriesId: s.seriesId, label: worst.name, dice: worst.dice, volumeAMm3: worst.volumeAMm3, volumeBMm3: worst.volumeBMm3, differing: diff.length });
  }
  rows.sort((x, y) => x.dice - y.dice || x.seriesId.localeCompare(y.seriesId));
  return rows.slice(0, max);
}

const cm3 = (mm3: number): string => (mm3 / 1000).toFixed(2);
const fieldRank = (f: string): number => (f === 'pfirrmann' ? 0 : f === 'modic' ? 1 : 2);

export function AgreementReportView({
  report, nameA, nameB, onOpenSeries,
}: { report: AgreementReport; nameA: string; nameB: string; onOpenSeries: (seriesId: string) => void }) {
  const plots = useMemo(() => agreementPlots(report, 'agree', { a: nameA, b: nameB }), [report, nameA, nameB]);
  const worst = useMemo(() => worstSeries(report.series), [report]);
  const skipped = report.series.filter((s) => s.skipped !== null);
  const graded = report.gradings.filter((g) => g.n > 0);
  // Pfirrmann and Modic first, as agreement studies report them (and as the plots are ordered).
  const fields = useMemo(() => [...report.gradings].sort((x, y) => fieldRank(x.field) - fieldRank(y.field)), [report]);
  const s = report.summary;
  return (
    <div className="agreement-body" data-testid="agreement-report">
      <section className="agreement-section">
        <div className="panel-title">Labels</div>
        <p className="pad-x" data-testid="agreement-label-summary">
          {s.series} series compared: {s.seriesDiffering === 0 ? 'no label differs between them' : `${s.seriesDiffering} differ`}
          {s.seriesSkipped ? `, ${s.seriesSkipped} skipped (listed below)` : ''}
          {s.meanDice !== null ? ` · mean Dice ${s.meanDice.toFixed(3)}` : ''}.
        </p>
      </section>
      {/* Right under the label summary: the series to open first (the adjudicator's next step), before the plots. */}
      <section className="agreement-section">
        <div className="panel-title">Series with the lowest Dice</div>
        {worst.length === 0 ? (
          <p className="pad-x muted">No series has a label that differs.</p>
        ) : (
          <table className="label-table agreement-worst" data-testid="agreement-worst">
            <thead>
              <tr>
                <th>Series</th><th>Worst label</th><th className="num">Dice</th><th className="num">{nameA} cm³</th><th className="num">{nameB} cm³</th><th className="num">Labels differing</th>
              </tr>
            </thead>
            <tbody>
              {worst.map((r) => (
                <tr key={r.seriesId} data-series={r.seriesId}>
                  <td>
                    <button className="link-button" onClick={() => onOpenSeries(r.seriesId)} title={`Open ${r.seriesId}`}>{r.seriesId}</button>
                  </td>
                  <td>{r.label}</td>
                  <td className="num">{r.dice.toFixed(3)}</td>
                  <td className="num">{cm3(r.volumeAMm3)}</td>
                  <td className="num">{cm3(r.volumeBMm3)}</td>
                  <td className="num">{r.differing}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {skipped.length > 0 && (
          <ul className="pad-x small agreement-skipped" data-testid="agreement-skipped">
            {skipped.map((x) => (
              <li key={x.seriesId} className="problem-line warning">
                {x.seriesId}: not compared — {x.skipped}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="agreement-section">
        <div className="panel-title">Gradings ({report.basis === 'first' ? 'first values entered' : 'current values'})</div>
        {graded.length === 0 && (
          <p className="pad-x muted" data-testid="agreement-no-grades">
            No level is graded by both {nameA} and {nameB}: there is no κ to compute.
          </p>
        )}
        <table className="label-table agreement-kappa" data-testid="agreement-kappa">
          <thead>
            <tr>
              <th>Field</th><th className="num">Levels (n)</th><th className="num">Observed agreement</th><th className="num">Cohen&apos;s κ</th><th>Weights</th><th>Reads as</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((g) => (
              <tr key={g.field} data-field={g.field} data-kappa={g.kappa ?? ''} data-n={g.n}>
                <td>{gradingFieldSpec(g.field).title}</td>
                <td className="num">{g.n}</td>
                <td className="num">{g.observed === null ? '—' : `${(g.observed * 100).toFixed(0)} %`}</td>
                <td className="num kappa">{fmtKappa(g.kappa)}</td>
                <td>{g.weights === 'quadratic' ? 'quadratic' : 'none'}</td>
                <td className="muted">{g.n > 0 ? kappaWords(g.kappa) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {/* A click on an outlier point (tagged with its series) opens that series. */}
      <div
        className="agreement-plots"
        data-testid="agreement-plots"
        onClick={(e) => {
          const tag = (e.target as Element).closest('[data-tag]')?.getAttribute('data-tag');
          if (tag) onOpenSeries(tag);
        }}
      >
        {plots.map((p) => (
          // The SVG comes from common/plots: every text in it is escaped and it holds no script or style.
          <figure key={p.id} className={p.wide ? 'agreement-plot wide' : 'agreement-plot'} data-plot={p.kind} dangerouslySetInnerHTML={{ __html: p.svg }} />
        ))}
      </div>
    </div>
  );
}
