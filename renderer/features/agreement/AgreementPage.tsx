// The Agreement page (issue 16 item 2): how far two sources of labels and grades agree over the whole dataset —
// this store ("You"), the original dataset, or an imported reader (File ▸ Import annotations…). Dice per series
// and label, Cohen's κ per grading field (quadratic-weighted for Pfirrmann) with confusion matrices and per-level
// κ, and the series with the lowest Dice (click → open it). A modal page like the dashboard; opened from the
// header's button, View ▸ Agreement between readers… and its key.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { GradeBasis, ReaderInfo, SourceRef } from '../../../common/contractReaders.js';
import { readerOf } from '../../../common/contractReaders.js';
import { keyHint } from '../../commands.js';
import { useApp } from '../../state/appStore.js';
import { readerSummary } from '../packages/ImportAnnotationsDialog.js';
import { openExportAnnotations, openImportAnnotations, usePackagesDialog } from '../packages/packagesState.js';
import { AgreementReportView } from './AgreementReportView.js';
import { loadChoice, saveChoice, sourceName, sourceOptions, type AgreementChoice } from './agreementSources.js';
import { closeAgreement, openAgreement, useAgreementOpen } from './agreementState.js';
import { useAgreementReport, useReaders, type ReportState } from './useAgreement.js';
import './agreement.css';

/** The header's button. */
export function AgreementButton() {
  return (
    <button data-testid="agreement-open" title={`Agreement between readers: Dice, Cohen's κ, confusion matrices${keyHint('agreement')}`} onClick={openAgreement}>
      Agreement
    </button>
  );
}

/** Renders the page while it is open; `onOpenSeries` opens a series (the page closes first). */
export function AgreementHost({ onOpenSeries }: { onOpenSeries: (seriesId: string) => void }) {
  const open = (id: string): void => {
    closeAgreement();
    onOpenSeries(id);
  };
  return useAgreementOpen() ? <AgreementPage onClose={closeAgreement} onOpenSeries={open} /> : null;
}

/** What a source holds, when it holds nothing to compare (a reader package with no labels and no grades). */
function emptySource(ref: SourceRef, readers: readonly ReaderInfo[]): boolean {
  const name = readerOf(ref);
  const r = name === null ? null : readers.find((x) => x.name === name);
  return r !== null && r !== undefined && r.seriesWithLabels === 0 && r.grades === 0;
}

function SourceSelect({ id, label, value, options, annotator, onChange }: {
  id: string; label: string; value: SourceRef; options: SourceRef[]; annotator: string | null; onChange: (s: SourceRef) => void;
}) {
  return (
    <label className="agreement-select">
      <span>{label}</span>
      <select data-testid={id} value={value} onChange={(e) => onChange(e.target.value as SourceRef)}>
        {options.map((o) => (
          <option key={o} value={o}>{sourceName(o, annotator)}</option>
        ))}
      </select>
    </label>
  );
}

function ReportStatus({ state }: { state: ReportState }) {
  const [, tick] = useState(0);
  useEffect(() => {
    if (state.phase !== 'computing') return;
    const t = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(t);
  }, [state.phase]);
  if (state.phase === 'computing') {
    return (
      <div className="agreement-computing" data-testid="agreement-computing" role="status">
        <span className="spinner" />
        <span>Comparing the labels of every series and the gradings of every level … {Math.floor((Date.now() - state.since) / 1000)} s</span>
      </div>
    );
  }
  if (state.phase === 'error') {
    return (
      <div className="banner banner-error agreement-banner" role="alert" data-testid="agreement-error" data-code={state.code}>
        <span>The agreement could not be computed ({state.code}): {state.message}</span>
      </div>
    );
  }
  return null;
}

export function AgreementPage({ onClose, onOpenSeries }: { onClose: () => void; onOpenSeries: (seriesId: string) => void }) {
  const dataset = useApp((s) => s.dataset);
  const annotator = useApp((s) => s.session?.annotator ?? null);
  const readersState = useReaders();
  const readers = useMemo(() => (readersState.phase === 'ready' ? readersState.readers : null), [readersState]);
  const datasetKey = dataset?.name ?? '';
  const [picked, setPicked] = useState<AgreementChoice | null>(null);
  // The choice: what the user picked, else the remembered one, else the default pair (once the readers are known).
  const choice = useMemo(() => picked ?? (readers ? loadChoice(datasetKey, readers) : null), [picked, readers, datasetKey]);
  const { state, reload } = useAgreementReport(choice);
  const packagesDialog = usePackagesDialog();
  const card = useRef<HTMLDivElement>(null);
  useEffect(() => card.current?.focus(), []);
  // Modal: while it is open no key reaches the viewer's shortcuts; Esc closes it. A package dialog opened from the
  // page handles its own keys.
  useEffect(() => {
    if (packagesDialog !== null) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose, packagesDialog]);

  const change = (patch: Partial<AgreementChoice>): void => {
    if (!choice) return;
    const next = { ...choice, ...patch };
    setPicked(next);
    saveChoice(datasetKey, next);
  };
  const options = readers ? sourceOptions(readers) : [];
  const nameA = choice ? sourceName(choice.a, annotator) : '';
  const nameB = choice ? sourceName(choice.b, annotator) : '';
  const empties = readers && choice ? [choice.a, choice.b].filter((s) => emptySource(s, readers)) : [];

  return (
    <div className="overlay-backdrop" role="dialog" aria-modal="true" aria-label="Agreement between readers" data-testid="agreement" onClick={onClose}>
      <div className="overlay-card agreement-card" ref={card} tabIndex={-1} onClick={(e) => e.stopPropagation()}>
        <div className="agreement-head">
          <div className="agreement-title">
            <span className="panel-title">Agreement{dataset ? ` · ${dataset.name}` : ''}</span>
            {readers && (
              <span className="muted" data-testid="agreement-readers-count">
                {readers.length === 0 ? 'no reader imported' : `${readers.length} reader${readers.length === 1 ? '' : 's'} imported`}
              </span>
            )}
          </div>
          {choice && (
            <div className="agreement-sources">
              <SourceSelect id="agreement-a" label="A" value={choice.a} options={options} annotator={annotator} onChange={(a) => change({ a })} />
              <span className="muted">vs</span>
              <SourceSelect id="agreement-b" label="B" value={choice.b} options={options} annotator={annotator} onChange={(b) => change({ b })} />
              <label className="agreement-select" title="Which grades are compared: each source's current value, or the first value each entered (intra-rater studies)">
                <span>Grades</span>
                <select data-testid="agreement-basis" value={choice.basis} onChange={(e) => change({ basis: e.target.value as GradeBasis })}>
                  <option value="current">current values</option>
                  <option value="first">first values entered</option>
                </select>
              </label>
            </div>
          )}
          <span className="spacer" />
          <button onClick={openImportAnnotations} data-testid="agreement-import">Import annotations…</button>
          <button onClick={openExportAnnotations}>Export annotations…</button>
          <button onClick={reload} disabled={state.phase === 'computing' || !choice} title="Compute again (after label edits, grading changes or an import)">
            Refresh
          </button>
          <button onClick={onClose} data-testid="agreement-close">Close</button>
        </div>
        {readersState.phase === 'loading' && <div className="agreement-computing"><span className="spinner" /> Reading the store&apos;s readers …</div>}
        {readersState.phase === 'error' && (
          <div className="banner banner-error agreement-banner" role="alert" data-testid="agreement-error" data-code={readersState.code}>
            <span>The readers of this store could not be listed ({readersState.code}): {readersState.message}</span>
          </div>
        )}
        {readers && readers.length === 0 && (
          <div className="banner banner-info agreement-banner" data-testid="agreement-no-readers">
            <span>
              No other reader&apos;s annotations are in this store yet, so only your labels and grades can be compared with the original dataset.
              To compare readers, import their packages (File ▸ Import annotations…).
            </span>
          </div>
        )}
        {readers && readers.length > 0 && (
          <ul className="agreement-reader-list small" data-testid="agreement-readers">
            {readers.map((r) => (
              <li key={r.name} data-reader={r.name} title={`Package written ${r.packageCreatedAt} (version ${r.appVersion}); SHA-256 ${r.sha256}`}>
                <b>{r.name}</b>: {readerSummary(r)} · imported {r.importedAt.slice(0, 10)} by {r.importedBy}
              </li>
            ))}
          </ul>
        )}
        {choice && choice.a === choice.b && (
          <div className="banner banner-warn agreement-banner" data-testid="agreement-same">
            <span>A and B are the same source: choose two different ones.</span>
          </div>
        )}
        {empties.length > 0 && (
          <div className="banner banner-warn agreement-banner" data-testid="agreement-empty-source">
            <span>{empties.map((s) => sourceName(s, annotator)).join(' and ')} holds no label edits and no grades: its labels are the original masks.</span>
          </div>
        )}
        <ReportStatus state={state} />
        {state.phase === 'ready' && choice && <AgreementReportView report={state.report} nameA={nameA} nameB={nameB} onOpenSeries={onOpenSeries} />}
      </div>
    </div>
  );
}
