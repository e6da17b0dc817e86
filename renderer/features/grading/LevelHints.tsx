// Measurement hints for the selected level in the grading dock (issue 15, item 5): one line per series of the
// patient, named with its series ("T2: DHI 0.31, slip 2.1 mm (8 %, grade I), canal 12.0 mm, nucleus/CSF 0.84"),
// the open series' (or first T2's) line shown and the others one click away, and always a flag where a measurement disagrees with the grade entered (common/contractLevelMeasures.ts measureFlags:
// few, conservative rules). Main measures from the current labels and caches by series + label revision, so
// asking again after every reload of the levels (grading or label change) costs nothing until the labels change.
import { useEffect, useState } from 'react';
import type { GradingLevel, LevelMeasure, LevelMeasuresResponse } from '../../../common/contract.js';
import { formatLevelMeasure, measureFlags } from '../../../common/contractLevelMeasures.js';
import { sequenceName } from '../../../common/sequences.js';
import { call } from '../../platform/api.js';
import { useApp } from '../../state/appStore.js';
import './levelHints.css';

export interface LevelHintsProps {
  patientId: number | null;
  /** The selected level (its grades decide the flags). */
  level: GradingLevel;
  /** The patient's levels: a new array after every reload, which asks main again. */
  levels: readonly GradingLevel[];
}

export function LevelHints({ patientId, level, levels }: LevelHintsProps) {
  const openSeriesId = useApp((s) => s.opened?.info.seriesId ?? null);
  const [res, setRes] = useState<LevelMeasuresResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (patientId === null) return;
    let live = true;
    call('levelMeasures', { patientId }).then(
      (r) => {
        if (!live) return;
        setRes(r);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [patientId, levels]);

  if (patientId === null) return null;
  const current = res?.patientId === patientId ? res : null;
  const rows = current ? current.series.flatMap((s) => s.levels.filter((m) => m.ivdLabel === level.ivdLabel)) : [];
  const flags = rows.flatMap((m) => measureFlags(m, level.values));
  const first = rows.find((m) => m.seriesId === openSeriesId) ?? rows.find((m) => /^t2/i.test(m.sequence)) ?? rows[0];
  const rest = rows.filter((m) => m !== first);
  const line = (m: LevelMeasure) => (
    <span
      key={m.seriesId}
      className="level-hints-line"
      data-testid={`level-hint-${m.seriesId}`}
      title={`${m.seriesId}${m.notes.length > 0 ? ` — ${m.notes.join('; ')}` : ''}`}
    >
      {formatLevelMeasure(m)}
    </span>
  );
  return (
    <div className="level-hints" data-testid="level-hints">
      {error !== null && <div className="level-hints-line muted">Measurements: {error}</div>}
      {error === null && !current && <div className="level-hints-line muted">Measuring the masks …</div>}
      {current && rows.length === 0 && <div className="level-hints-line muted">No measurements: this disc is in no mask</div>}
      {first && (
        // One line by default (the dock must fit 768 px without scrolling): the open series' line, or the first T2's;
        // the other series' lines when opened.
        <details className="level-hints-more" data-testid="level-hints-more">
          <summary>
            {line(first)}
            {rest.length > 0 && <span className="muted"> · +{rest.length} series</span>}
          </summary>
          {rest.map(line)}
        </details>
      )}
      {flags.map((f) => (
        <div key={`${f.seriesId}:${f.field}`} className="level-hints-flag" role="status" data-testid={`level-flag-${f.field}`} title={`Measured in ${sequenceName(f.seriesId)} (${f.seriesId})`}>
          ⚠ {f.message}
        </div>
      ))}
    </div>
  );
}
