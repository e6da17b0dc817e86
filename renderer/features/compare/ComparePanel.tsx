// The Compare panel (issue 16 items 2–3), in the right column: reader A and B, B's labels as an outline over the
// labels, the open series' disagreements (per label Dice, voxels and mm³ only in A / only in B, worst first; click:
// crosshair there) and differing grades per level (click: that level in the grading dock), a decision per row (take
// A, take B, or "Edited" by hand; who decided what and when), and the adjudication progress. Logic: useCompare.ts.
import type { GradingLevel } from '../../../common/contract.js';
import { readerOf, type AdjudicationInfo, type LabelDisagreement, type SourceRef } from '../../../common/contractReaders.js';
import { gradingFieldSpec } from '../../../common/gradings.js';
import { DISC_OFFSET, isKnownLabel, labelInfo } from '../../../common/labels.js';
import { keyHint } from '../../commands.js';
import { useApp } from '../../state/appStore.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import type { Viewer } from '../../viewer/index.js';
import { compareOptions, sourceName } from './compareSources.js';
import { useCompare, type CompareEditing, type CompareGradings, type Side } from './useCompare.js';
import './compare.css';

export interface ComparePanelProps {
  viewer: Viewer | null;
  opened: OpenedSeries | null;
  editing: CompareEditing;
  gradings: CompareGradings;
  /** Centres the views on a level (the grading dock's navigation). */
  onGoToLevel: (level: GradingLevel) => void;
}

const labelText = (v: number): string => (isKnownLabel(v) ? labelInfo(v).name : String(v));
const levelText = (k: number): string => (isKnownLabel(DISC_OFFSET + k) ? labelInfo(DISC_OFFSET + k).name : `level ${k}`);
const fmt = (n: number): string => n.toLocaleString('en-US');
const mm3 = (n: number): string => `${fmt(Math.round(n))} mm³`;
const time = (iso: string): string => new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function ComparePanel(props: ComparePanelProps) {
  // The choice is remembered per dataset; "You" is the current annotator.
  const dataset = useApp((s) => s.dataset?.name ?? null);
  const annotator = useApp((s) => s.session?.annotator ?? null);
  const c = useCompare({ ...props, dataset, annotator });
  const { opened } = props;
  const { a, b, outline, open } = c.prefs;
  const name = (s: SourceRef): string => sourceName(s, annotator);
  const options = compareOptions(c.readers ?? []);
  const spacing = opened?.info.image.geometry.spacing;
  const voxelMm3 = spacing ? spacing[0] * spacing[1] * spacing[2] : 0;
  const sideOf = (d: AdjudicationInfo): string => (d.from === null ? 'edited' : d.from === a ? `A (${name(d.from)})` : d.from === b ? `B (${name(d.from)})` : name(d.from));
  // A decision that no longer holds (main's `live`, the rule adjudicationProgress counts by) is shown as such, not as
  // chosen: its journal entry (a label taken from a source) was undone — seen at once in the history, before the
  // figures are fetched again — or it took a reader's layer since replaced by a newer package of that reader.
  const history = props.editing.history;
  const lapsed = (d: AdjudicationInfo | null): 'undone' | 'replaced' | null => {
    if (d === null) return null;
    if (d.editSeq !== null && history.some((h) => h.seq === d.editSeq && h.state === 'undone')) return 'undone';
    return d.live ? null : 'replaced';
  };
  const undone = (d: AdjudicationInfo | null): boolean => lapsed(d) !== null;
  const decided = (d: AdjudicationInfo | null) =>
    d && lapsed(d) ? (
      <span className="compare-decided is-undone" data-testid="compare-decided" data-undone={lapsed(d)} title={`Decided by ${d.annotator}, ${new Date(d.createdAt).toLocaleString()}`}>
        {lapsed(d) === 'undone' ? `↶ ${sideOf(d)} taken, then undone: decide again` : `${sideOf(d)} taken from an earlier package of ${readerOf(d.from!)}: decide again`}
      </span>
    ) : d && (
      <span className="compare-decided" data-testid="compare-decided" title={`Decided by ${d.annotator}, ${new Date(d.createdAt).toLocaleString()}`}>
        ✓ {sideOf(d)} · {d.annotator} · {time(d.createdAt)}
      </span>
    );
  const readOnly = props.editing.readOnly;
  const buttons = (kind: 'label' | 'level', item: number, current: AdjudicationInfo | null) => {
    const busy = c.deciding !== null;
    // A read-only series takes no label from a source (its labels cannot be written); "Edited" still records.
    const locked = kind === 'label' && readOnly !== null;
    const run = (side: Side) => (e: React.MouseEvent) => {
      e.stopPropagation();
      void (kind === 'label' ? c.decideLabel(item, side) : c.decideLevel(item, side));
    };
    const chosen = (side: Side): boolean => current !== null && !undone(current) && (side === 'edited' ? current.from === null : current.from === (side === 'A' ? a : b));
    const what = kind === 'label' ? labelText(item) : levelText(item);
    return (
      <span className="compare-decide" role="group" aria-label={`Decide ${what}`}>
        <button data-testid="compare-take-a" className={chosen('A') ? 'chosen' : ''} disabled={busy || locked} title={locked ? `Labels read-only: ${readOnly}` : `${what}: take ${name(a)}'s (one history entry)`} onClick={run('A')}>A</button>
        <button data-testid="compare-take-b" className={chosen('B') ? 'chosen' : ''} disabled={busy || locked} title={locked ? `Labels read-only: ${readOnly}` : `${what}: take ${name(b)}'s (one history entry)`} onClick={run('B')}>B</button>
        <button data-testid="compare-edited" className={chosen('edited') ? 'chosen' : ''} disabled={busy} title={`${what}: decided by editing it by hand`} onClick={run('edited')}>Edited</button>
      </span>
    );
  };

  const labels = (c.agreement?.labels ?? [])
    .filter((l) => l.dice < 1 || c.decisionOf('label', l.value) !== null)
    .sort((x, y) => x.dice - y.dice || x.value - y.value);
  const agreeing = (c.agreement?.labels.length ?? 0) - (c.agreement?.labels.filter((l) => l.dice < 1).length ?? 0);
  const row = (l: LabelDisagreement) => {
    const d = c.decisionOf('label', l.value);
    return (
      <li
        key={l.value}
        className={`compare-row${d && !undone(d) ? ' is-decided' : ''}`}
        data-testid="compare-label"
        data-label={l.value}
        title={l.focus ? `${labelText(l.value)}: click to go where A and B disagree` : labelText(l.value)}
        onClick={() => c.goToLabel(l.value)}
      >
        {/* A button so that the keyboard reaches it (Tab, Enter); its click goes to the row's. */}
        <button type="button" className="compare-name" aria-label={`${labelText(l.value)}: go where A and B disagree`}>{labelText(l.value)}</button>
        <span className="compare-dice" data-testid="compare-dice">Dice {l.dice.toFixed(3)}</span>
        {buttons('label', l.value, d)}
        <span className="compare-detail muted small">
          only A {fmt(l.onlyA)} ({mm3(l.onlyA * voxelMm3)}) · only B {fmt(l.onlyB)} ({mm3(l.onlyB * voxelMm3)})
        </span>
        {decided(d)}
      </li>
    );
  };

  return (
    <div
      className="compare-panel"
      data-testid="compare"
      // Enter / Space on a focused button or checkbox here is that control's (go to, decide, outline), not the
      // viewer's shortcut (Enter accepts a preview and was swallowing the button's activation).
      onKeyDown={(e) => {
        const t = e.target as HTMLElement;
        if ((e.key === 'Enter' || e.key === ' ') && (t instanceof HTMLButtonElement || (t instanceof HTMLInputElement && t.type === 'checkbox'))) e.stopPropagation();
      }}
    >
      <div className="panel-title">
        <button
          className="compare-toggle"
          aria-expanded={open}
          aria-label={open ? 'Hide the compare panel' : 'Show the compare panel'}
          title={open ? 'Hide: compare nothing (no outline)' : 'Show: compare two readers'}
          onClick={() => c.setPrefs({ open: !open })}
        >
          {open ? '▾' : '▸'}
        </button>
        Compare
        <span className="spacer" />
        {!open && <span className="muted small">readers A / B, outline, adjudication</span>}
      </div>
      {c.progress && (
        <div className="compare-progress small" data-testid="compare-progress" title={`Adjudication of ${name(a)} vs ${name(b)} over the whole dataset`}>
          Labels {c.progress.labels.decided}/{c.progress.labels.total} decided · Levels {c.progress.levels.decided}/{c.progress.levels.total}
        </div>
      )}
      {open && (
        <div className="compare-body">
          {c.readers !== null && c.readers.length === 0 && (
            <div className="muted small compare-note" data-testid="compare-no-readers">
              No other reader in this store yet: File ▸ Import annotations… adds one. Until then you can compare with the original dataset.
            </div>
          )}
          <div className="compare-sources">
            <label>
              A
              <select data-testid="compare-a" value={a} onChange={(e) => c.setPrefs({ a: e.target.value as SourceRef })}>
                {options.map((s) => <option key={s} value={s}>{name(s)}</option>)}
              </select>
            </label>
            <label>
              B
              <select data-testid="compare-b" value={b} onChange={(e) => c.setPrefs({ b: e.target.value as SourceRef })}>
                {options.map((s) => <option key={s} value={s}>{name(s)}</option>)}
              </select>
            </label>
          </div>
          <label className="compare-outline small">
            <input type="checkbox" data-testid="compare-outline" checked={outline} onChange={(e) => c.setPrefs({ outline: e.target.checked })} />
            Outline B&apos;s labels{keyHint('compare-outline')}
            <span className="muted"> — filled: your labels{a === 'local' ? ' (A)' : ''}; outline: {name(b)}</span>
          </label>
          {a === b && <div className="compare-error small" role="alert">Choose two different sources.</div>}
          {c.outlineError && <div className="compare-error small" role="alert" data-testid="compare-outline-error">Outline: {c.outlineError}</div>}
          {c.error && <div className="compare-error small" role="alert" data-testid="compare-error">{c.error}</div>}
          {!c.agreement && c.loading && <div className="muted small compare-note">Comparing …</div>}
          {c.agreement && (
            <>
              {labels.length === 0 ? (
                <div className="muted small compare-note" data-testid="compare-none">A and B label this series the same.</div>
              ) : (
                <>
                  {/* The list scrolls inside itself: its count says how much there is. */}
                  <div className="compare-subtitle small" data-testid="compare-labels-title">Labels that differ ({labels.length}), worst first</div>
                  <ol className="compare-list" data-testid="compare-labels">{labels.map(row)}</ol>
                </>
              )}
              {agreeing > 0 && <div className="muted small compare-note">{agreeing} label{agreeing === 1 ? '' : 's'} agree (Dice 1).</div>}
              {c.agreement.levels.length > 0 && (
                <>
                  <div className="compare-subtitle small">Grades that differ</div>
                  <ol className="compare-list" data-testid="compare-levels">
                    {c.agreement.levels.map((lv) => {
                      const d = c.decisionOf('level', lv.ivdLabel);
                      return (
                        <li key={lv.ivdLabel} className={`compare-row${d && !undone(d) ? ' is-decided' : ''}`} data-testid="compare-level" data-level={lv.ivdLabel} title="Click: this level in the grading dock" onClick={() => c.goToLevel(lv.ivdLabel)}>
                          <button type="button" className="compare-name" aria-label={`${levelText(lv.ivdLabel)}: select in the grading dock`}>{levelText(lv.ivdLabel)}</button>
                          {buttons('level', lv.ivdLabel, d)}
                          <span className="compare-detail small">
                            {lv.fields.map((f) => {
                              const spec = gradingFieldSpec(f.field);
                              const v = (x: number | null): string => (x === null ? '–' : (spec.valueNames[x] ?? String(x)));
                              return <span key={f.field} className="compare-field">{spec.title}: {v(f.a)} vs {v(f.b)}</span>;
                            })}
                          </span>
                          {decided(d)}
                        </li>
                      );
                    })}
                  </ol>
                </>
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}
