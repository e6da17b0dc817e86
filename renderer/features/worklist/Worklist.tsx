// Worklist: patients and their series with overview data, review status (who and when in the tooltip) and scan
// problems; text filter, status filter, arrow keys and Enter to open. Each patient shows what is still to grade.
import { useEffect, useMemo, useRef, useState } from 'react';
import { SERIES_STATUSES, type GradingProgress, type SeriesStatus, type SeriesSummary } from '../../../common/contract.js';
import { STATUS_LABELS, statusTooltip } from '../review/reviewStatus.js';
import { QaBadge, QaFilterSelect, useWorklistQa } from './QaBadge.js';
import { qaFilterMatches, type QaFilter } from './qaFilter.js';

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
  return [s.id, `patient ${s.patientId}`, s.sequence, STATUS_LABELS[s.status], scanner(s), s.statusBy ?? '', o?.subset, o?.sex, o?.seriesDescription, s.problems.length ? 'problem' : '']
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

export function Worklist({ series, openId, onOpen, progress }: WorklistProps) {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<SeriesStatus | 'all'>('all');
  const qaCounts = useWorklistQa();
  const [qaFilter, setQaFilter] = useState<QaFilter>('all');
  const [cursor, setCursor] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  const visible = useMemo(() => {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    // One predicate per filter control; a new filter adds its own line here and its control in .worklist-filters.
    const keep: ((s: SeriesSummary) => boolean)[] = [
      (s) => terms.every((t) => haystack(s).includes(t)),
      (s) => status === 'all' || s.status === status,
      (s) => qaFilterMatches(qaFilter, qaCounts.get(s.id)),
    ];
    return series.filter((s) => keep.every((k) => k(s)));
  }, [series, query, status, qaFilter, qaCounts]);

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
      <div className="worklist-filters">
        <QaFilterSelect value={qaFilter} onChange={setQaFilter} series={series} counts={qaCounts} />
        <select aria-label="Status filter" data-testid="status-filter" value={status} onChange={(e) => setStatus(e.target.value as SeriesStatus | 'all')}>
          <option value="all">All statuses</option>
          {SERIES_STATUSES.map((st) => (
            <option key={st} value={st}>
              {STATUS_LABELS[st]} ({series.filter((s) => s.status === st).length})
            </option>
          ))}
        </select>
      </div>
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
                <span className={`status status-${s.status}`} title={statusTooltip(s)} data-testid={`status-${s.id}`}>
                  {STATUS_LABELS[s.status]}
                </span>
                <QaBadge seriesId={s.id} counts={qaCounts.get(s.id)} />
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

/**
 * What a clinician still has to grade for a patient: levels nobody has reviewed yet (marked reviewed or graded in
 * this workstation counts as reviewed by a person; values that only come from the CSV do not).
 */
export function gradedText(p: GradingProgress): { text: string; title: string; complete: boolean } {
  const toReview = p.levels - p.personReviewed;
  const noGrading = toReview - p.csvOnly;
  const complete = p.levels > 0 && toReview === 0;
  const text = complete ? `${p.personReviewed}/${p.levels} reviewed` : `${toReview} to review · ${p.personReviewed}/${p.levels} reviewed`;
  const lines = [
    `${p.personReviewed} of ${p.levels} disc levels reviewed by a person (marked reviewed, or a grading changed in this workstation).`,
    toReview === 0
      ? 'Nothing left to review.'
      : `${toReview} still to review: ${p.csvOnly} with values from radiological_gradings.csv only, ${noGrading} without any grading.`,
    `${p.fullyGraded} of ${p.levels} have every grading field filled; ${p.reviewed} marked reviewed.`,
  ];
  if (!p.masksMeasured) lines.push('Levels from the CSV and this store; discs only in the masks are counted once the patient is opened.');
  return { text, title: lines.join('\n'), complete };
}

function GradedBadge({ p }: { p: GradingProgress }) {
  const { text, title, complete } = gradedText(p);
  return (
    <span className={`graded${complete ? ' complete' : ''}`} data-testid={`graded-${p.patientId}`} title={title}>
      {text}
    </span>
  );
}
