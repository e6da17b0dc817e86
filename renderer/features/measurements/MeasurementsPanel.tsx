// Rulers and angles of the open series (issue 13, item 4): kind, value (as main computed it), annotator and time,
// from the annotation store. A click on a row moves the crosshair to it; × deletes it (kept in the store as
// deleted) and Undo brings it back. Placing them: the Ruler (L) and Angle (A) tools of the toolbar. Choosing one
// of them, or a new measurement arriving, brings the panel into sight in the (scrolling) right panel.
import { useEffect, useRef } from 'react';
import type { OpenedSeries } from '../../state/loadSeries.js';
import type { Viewer } from '../../viewer/index.js';
import { keyHint } from '../../commands.js';
import { formatValue } from './measureGesture.js';
import { useMeasurements } from './useMeasurements.js';

export interface MeasurementsPanelProps {
  viewer: Viewer | null;
  opened: OpenedSeries | null;
}

/** "2026-12-01 03:17" in local time. */
function shortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function MeasurementsPanel({ viewer, opened }: MeasurementsPanelProps) {
  const m = useMeasurements(viewer, opened);
  const root = useRef<HTMLDivElement>(null);
  const measuring = m.tool?.measure ?? null;
  const count = m.list.length;
  useEffect(() => {
    const el = root.current;
    const panel = el?.closest('aside');
    if (!measuring || !el || !panel) return;
    // Already wholly in sight: stay. Else its top (title, hint, newest rows) goes to the top of the panel.
    const r = el.getBoundingClientRect();
    const p = panel.getBoundingClientRect();
    const head = parseFloat(getComputedStyle(panel).scrollPaddingTop) || 0;
    if (r.top >= p.top + head && r.bottom <= p.bottom) return;
    el.scrollIntoView({ block: 'start', behavior: 'instant' });
  }, [measuring, count]);
  return (
    <div className="measure-panel" data-testid="measurements" ref={root}>
      <div className="panel-title">
        Measurements
        <span className="spacer" />
        {m.saving && <span className="muted small">saving …</span>}
        {m.deleted && (
          <button data-testid="measurement-undo" onClick={() => m.undoDelete()} title={`Bring back the deleted ${m.deleted.kind} (${formatValue(m.deleted.kind, m.deleted.value)})`}>
            Undo delete
          </button>
        )}
      </div>
      {m.tool && <div className="muted pad-x small measure-hint">{m.tool.hint}</div>}
      {m.error && <div className="problem-line error pad-x" role="alert">{m.error}</div>}
      {!m.loading && m.list.length === 0 && (
        <div className="muted pad small">
          None yet: Ruler{keyHint('tool:ruler')} or Angle{keyHint('tool:angle')} in the toolbar.
        </div>
      )}
      <ol className="measure-list">
        {m.list.map((x) => (
          <li
            key={x.id}
            data-measurement-id={x.id}
            data-kind={x.kind}
            className={x.id === m.selected ? 'selected' : ''}
            title={`${x.kind === 'ruler' ? 'Ruler' : 'Angle'} by ${x.annotator}, ${new Date(x.createdAt).toLocaleString()}${x.note ? ` — ${x.note}` : ''} (click: go to it)`}
            onClick={() => m.goTo(x)}
          >
            <span className="measure-kind">{x.kind === 'ruler' ? '↔' : '∠'}</span>
            <span className="measure-value" data-value={x.value}>{formatValue(x.kind, x.value)}</span>
            <span className="measure-who muted small">{x.annotator}</span>
            <span className="measure-time muted small">{shortTime(x.createdAt)}</span>
            <button
              className="measure-delete"
              aria-label={`Delete ${x.kind} ${formatValue(x.kind, x.value)}`}
              title="Delete (Undo delete brings it back)"
              onClick={(e) => {
                e.stopPropagation();
                m.remove(x.id);
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
