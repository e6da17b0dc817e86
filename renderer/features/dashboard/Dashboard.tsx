// The dataset dashboard (issue 14 item 5): progress by status, findings by check, label-volume distributions with
// the outliers marked, Pfirrmann and Modic per disc level. The plots are the SVG strings common/plots makes (the
// same as `spine-ws qa --report` writes): escaped text, colours as attributes, no inline style. Opened from the
// header's button and the command registry ('dashboard').
import { useEffect, useMemo, useRef } from 'react';
import { dashboardPlots } from '../../../common/plots/index.js';
import { keyHint } from '../../commands.js';
import { useApp } from '../../state/appStore.js';
import { closeDashboard, openDashboard, useDashboardOpen } from './dashboardState.js';
import { useDashboard, type DashboardState } from './useDashboard.js';
import './dashboard.css';

/** The header's button. */
export function DashboardButton() {
  return (
    <button data-testid="dashboard-open" title={`Dataset dashboard: progress, QA findings, label volumes, grades${keyHint('dashboard')}`} onClick={openDashboard}>
      Dashboard
    </button>
  );
}

/** Renders the dashboard while it is open; `onOpenSeries` opens a series (the dashboard closes first). */
export function DashboardHost({ onOpenSeries }: { onOpenSeries: (seriesId: string) => void }) {
  const open = (id: string): void => {
    closeDashboard();
    onOpenSeries(id);
  };
  return useDashboardOpen() ? <Dashboard onClose={closeDashboard} onOpenSeries={open} /> : null;
}

function fmtCm3(mm3: number): string {
  return Number.isFinite(mm3) ? `${(mm3 / 1000).toFixed(1)} cm³` : '–';
}

function Body({ state, onOpenSeries }: { state: DashboardState; onOpenSeries: (seriesId: string) => void }) {
  const plots = useMemo(() => (state.phase === 'ready' ? dashboardPlots(state.data, 'app') : []), [state]);
  if (state.phase === 'computing') {
    return (
      <div className="dashboard-computing" data-testid="dashboard-computing" role="status">
        <span className="spinner" />
        <span>
          Checking the labels of every series{state.total > 0 ? `: ${state.done} of ${state.total} series` : ' …'}
        </span>
      </div>
    );
  }
  if (state.phase === 'error') {
    return (
      <div className="banner banner-error" role="alert" data-testid="dashboard-error">
        <span>The dashboard could not be made: {state.message}</span>
      </div>
    );
  }
  const { data } = state;
  return (
    <>
      {/* A click on an outlier point (tagged with its series) opens that series. */}
      <div
        className="dashboard-plots"
        data-testid="dashboard-plots"
        onClick={(e) => {
          const tag = (e.target as Element).closest('[data-tag]')?.getAttribute('data-tag');
          if (tag) onOpenSeries(tag);
        }}
      >
        {plots.map((p) => (
          // The SVG comes from common/plots: every text in it is escaped and it holds no script or style.
          <figure key={p.id} className={p.wide ? 'dashboard-plot wide' : 'dashboard-plot'} data-plot={p.kind} dangerouslySetInnerHTML={{ __html: p.svg }} />
        ))}
      </div>
      <div className="dashboard-section">
        <div className="panel-title">Volume outliers ({data.outliers.length})</div>
        {data.outliers.length === 0 ? (
          <p className="pad-x muted">No label volume is an outlier.</p>
        ) : (
          <table className="label-table dashboard-table" data-testid="dashboard-outliers">
            <thead>
              <tr><th>Series</th><th>Sequence</th><th>Label</th><th className="num">Volume</th><th className="num">Robust z</th></tr>
            </thead>
            <tbody>
              {data.outliers.map((o) => (
                <tr key={`${o.seriesId}-${o.label}`} title={o.message}>
                  <td><button className="link-button" onClick={() => onOpenSeries(o.seriesId)} title={`Open ${o.seriesId}`}>{o.seriesId}</button></td><td>{o.sequence}</td><td>{o.name} ({o.label})</td>
                  <td className="num">{fmtCm3(o.mm3)}</td><td className="num">{o.z === null ? '–' : o.z.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

export function Dashboard({ onClose, onOpenSeries }: { onClose: () => void; onOpenSeries: (seriesId: string) => void }) {
  const { state, reload } = useDashboard();
  const dataset = useApp((s) => s.dataset);
  const card = useRef<HTMLDivElement>(null);
  useEffect(() => card.current?.focus(), []);
  // Modal: while it is open no key reaches the viewer's shortcuts, wherever the focus is (a button that turns
  // disabled drops it to the page); Esc closes it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  const d = state.phase === 'ready' ? state.data : null;
  const name = d?.dataset.name ?? dataset?.name ?? '';
  return (
    <div
      className="overlay-backdrop"
      role="dialog"
      aria-modal="true"
      aria-label="Dataset dashboard"
      data-testid="dashboard"
      onClick={onClose}
    >
      <div className="overlay-card dashboard-card" ref={card} tabIndex={-1} onClick={(e) => e.stopPropagation()}>
        <div className="dashboard-head">
          <div className="dashboard-title">
            <span className="panel-title">Dashboard{name ? ` · ${name}` : ''}</span>
            {d ? (
              <span className="muted" data-testid="dashboard-summary">
                {d.dataset.patients} patients · {d.dataset.series} series · {d.dataset.seriesChecked} checked
                {d.dataset.seriesWithoutMask ? ` · ${d.dataset.seriesWithoutMask} without a mask` : ''}
              </span>
            ) : (
              dataset && <span className="muted">{dataset.patients} patients · {dataset.series} series</span>
            )}
          </div>
          {d && (
            <ul className="dashboard-counts" aria-label="Findings by severity" data-testid="dashboard-counts">
              <li className="error"><b>{d.counts.error}</b> errors</li>
              <li className="warning"><b>{d.counts.warning}</b> warnings</li>
              <li className="info"><b>{d.counts.info}</b> info</li>
            </ul>
          )}
          <span className="spacer" />
          <button onClick={reload} disabled={state.phase === 'computing'} title="Check again and redraw (after label edits or grading changes)">
            Refresh
          </button>
          <button onClick={onClose} data-testid="dashboard-close">Close</button>
        </div>
        <Body state={state} onOpenSeries={onOpenSeries} />
      </div>
    </div>
  );
}
