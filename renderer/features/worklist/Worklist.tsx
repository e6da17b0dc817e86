// Worklist: patients and their series with overview data, status and scan problems; filter, arrow keys and
// Enter to open.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { GradingProgress, SeriesSummary } from '../../../common/contract.js';

export interface WorklistProps {
  series: SeriesSummary[];
  openId: string | null;
  onOpen: (id: string) => void;
  /** Grading progress per patient (levels fully graded of the levels known). */
  progress?: ReadonlyMap<number, GradingProgress>;
}

function scanner(s: SeriesSummary): string {
  const o = s.overview;
  if (!o) return '';
  return [o.manufacturer, o.model].filter(Boolean).join(' ');
}

/** Text a filter query is matched against. */
function haystack(s: SeriesSummary): string {
  const o = s.overview;
  return [s.id, `patient ${s.patientId}`, s.sequence, s.status.replace('_', ' '), scanner(s), o?.subset, o?.sex, o?.seriesDescription, s.problems.length ? 'problem' : '']
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

export function Worklist({ series, openId, onOpen, progress }: WorklistProps) {
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  const visible = useMemo(() => {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    return series.filter((s) => terms.every((t) => haystack(s).includes(t)));
  }, [series, query]);

  useEffect(() => setCursor((c) => Math.min(c, Math.max(0, visible.length - 1))), [visible.length]);
  useEffect(() => {
    listRef.current?.querySelector(`[data-row="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const onKey = (e: React.KeyboardEvent): void => {
    if (e.key === 'ArrowDown') setCursor((c) => Math.min(visible.length - 1, c + 1));
    else if (e.key === 'ArrowUp') setCursor((c) => Math.max(0, c - 1));
    else if (e.key === 'Enter') {
      const s = visible[cursor];
      if (s?.openable) onOpen(s.id);
    } else return;
    e.preventDefault();
  };

  let lastPatient = -1;
  return (
    <div className="worklist" onKeyDown={onKey}>
      <input
        className="worklist-filter"
        placeholder="Filter: id, sequence, scanner, status…"
        aria-label="Filter series"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="worklist-count">{visible.length} of {series.length} series</div>
      <div className="worklist-rows" role="listbox" tabIndex={0} ref={listRef} aria-label="Series" data-testid="worklist">
        {visible.map((s, i) => {
          const first = s.patientId !== lastPatient;
          lastPatient = s.patientId;
          const o = s.overview;
          return (
            <div key={s.id}>
              {first && (
                <div className="worklist-patient">
                  Patient {s.patientId}
                  <span className="muted">
                    {o?.sex ? ` · ${o.sex}` : ''}
                    {o?.age != null ? ` · ${o.age} y` : ''}
                    {o?.subset ? ` · ${o.subset}` : ''}
                  </span>
                  {progress?.get(s.patientId) && <GradedBadge p={progress.get(s.patientId)!} />}
                </div>
              )}
              <div
                role="option"
                aria-selected={i === cursor}
                data-row={i}
                data-series={s.id}
                className={`worklist-row${i === cursor ? ' cursor' : ''}${s.id === openId ? ' open' : ''}${s.openable ? '' : ' disabled'}`}
                onClick={() => setCursor(i)}
                onDoubleClick={() => s.openable && onOpen(s.id)}
              >
                <span className="seq">{s.sequence}</span>
                <span className="muted small">
                  {scanner(s)}
                  {o?.fieldStrength != null ? ` ${o.fieldStrength} T` : ''}
                  {o?.acquisition ? ` · ${o.acquisition}` : ''}
                </span>
                <span className={`status status-${s.status}`}>{s.status.replace('_', ' ')}</span>
                {s.problems.length > 0 && (
                  <span className="problem" title={s.problems.map((p) => p.message).join('\n')}>
                    ⚠ {s.problems.length}
                  </span>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function GradedBadge({ p }: { p: GradingProgress }) {
  const done = p.levels > 0 && p.fullyGraded === p.levels;
  return (
    <span
      className={`graded${done ? ' complete' : ''}`}
      data-testid={`graded-${p.patientId}`}
      title={`${p.fullyGraded} of ${p.levels} disc levels fully graded, ${p.reviewed} reviewed${p.masksMeasured ? '' : ' (levels from the CSV and this store; the masks are counted once the patient is opened)'}`}
    >
      {p.fullyGraded}/{p.levels} graded{p.reviewed ? ` · ${p.reviewed} rev.` : ''}
    </span>
  );
}
