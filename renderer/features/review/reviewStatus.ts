// Review status of a series as people read it (labels, "by alice, 2026-12-01 14:03"), and which series "Next"
// opens: the next one in worklist order whose status is to do, wrapping. Pure: no React, no DOM.
import type { SeriesStatus, SeriesSummary } from '../../../common/contract.js';

export const STATUS_LABELS: Readonly<Record<SeriesStatus, string>> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
  second_look: 'Second look',
};

/** What the status means, for tooltips. */
export const STATUS_MEANING: Readonly<Record<SeriesStatus, string>> = {
  todo: 'not worked on yet',
  in_progress: 'being corrected',
  done: 'finished',
  second_look: 'needs a second look by another reader',
};

/** An ISO time as a short local date and time: 2026-12-01 14:03. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

type StatusFields = Pick<SeriesSummary, 'status' | 'statusBy' | 'statusAt' | 'statusAuto'>;

/** "by alice, 2026-12-01 14:03" (+ " (automatic)"), or '' while nobody has set the status. */
export function statusByLine(s: StatusFields): string {
  if (s.statusBy === null) return '';
  return `by ${s.statusBy}${s.statusAt ? `, ${shortTime(s.statusAt)}` : ''}${s.statusAuto ? ' (automatic)' : ''}`;
}

/** The worklist tooltip of a status. */
export function statusTooltip(s: StatusFields): string {
  const head = `${STATUS_LABELS[s.status]}: ${STATUS_MEANING[s.status]}`;
  if (s.statusBy === null) return `${head}; nobody has set a status yet`;
  const how = s.statusAuto
    ? s.status === 'todo'
      ? 'set back automatically when every edit was undone'
      : 'set automatically by the first edit'
    : 'set by hand';
  return `${head}\n${statusByLine({ ...s, statusAuto: false })} (${how})`;
}

/**
 * The series "Next" opens after `currentId`: the next openable one in worklist order (`series` as listed) whose
 * status is to do, wrapping around; never the current one. null when none is left.
 */
export function nextTodo(series: readonly SeriesSummary[], currentId: string | null): SeriesSummary | null {
  const n = series.length;
  const at = currentId === null ? -1 : series.findIndex((s) => s.id === currentId);
  for (let step = 1; step <= n; step++) {
    const s = series[(at + step + n) % n]!;
    if (s.id !== currentId && s.openable && s.status === 'todo') return s;
  }
  return null;
}
