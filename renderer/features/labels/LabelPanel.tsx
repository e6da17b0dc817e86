// Label list and overlay display: SPIDER names and colours, voxel count and volume, per-label visibility,
// opacity, fill/outline, hide/show all. A locked label shows a lock badge (and is drawn set apart in the views).
import type { LabelDisplay } from '../../viewer/index.js';
import { allLabelValues, isKnownLabel, labelInfo } from '../../../common/labels.js';

export interface LabelRow {
  value: number;
  voxels: number;
}

export interface LabelPanelProps {
  rows: LabelRow[];
  voxelVolumeMm3: number;
  display: LabelDisplay;
  onDisplay: (d: LabelDisplay) => void;
  /** The label the tools write. */
  activeLabel: number;
  onActiveLabel: (v: number) => void;
  /** Labels no tool may overwrite. */
  locked: ReadonlySet<number>;
  onToggleLock: (v: number) => void;
}

function nameOf(v: number): string {
  return isKnownLabel(v) ? labelInfo(v).name : `Value ${v}`;
}

function colorOf(v: number): string {
  const c = isKnownLabel(v) ? labelInfo(v).color : [128, 128, 128];
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** A padlock drawn as SVG (the emoji needs a font the machine may not have). */
function LockIcon({ title, testId }: { title: string; testId?: string }) {
  return (
    <svg className="lock-icon" data-testid={testId} viewBox="0 0 10 12" width="10" height="12" role="img" aria-label={title}>
      <title>{title}</title>
      <path d="M2.8 5.5V3.6a2.2 2.2 0 0 1 4.4 0v1.9" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <rect x="1" y="5.5" width="8" height="6" rx="1" fill="currentColor" />
    </svg>
  );
}

export function LabelPanel({ rows, voxelVolumeMm3, display, onDisplay, activeLabel, onActiveLabel, locked, onToggleLock }: LabelPanelProps) {
  const toggle = (v: number): void => {
    const hidden = new Set(display.hidden);
    if (hidden.has(v)) hidden.delete(v);
    else hidden.add(v);
    onDisplay({ ...display, hidden });
  };
  return (
    <div className="label-panel" data-testid="label-panel">
      <div className="panel-title">Labels</div>
      <div className="label-controls">
        <label>
          Opacity
          <input
            type="range" min={0} max={1} step={0.05} aria-label="Label opacity"
            value={display.opacity}
            onChange={(e) => onDisplay({ ...display, opacity: Number(e.target.value) })}
          />
        </label>
        <div className="segmented">
          <button className={display.mode === 'fill' ? 'on' : ''} onClick={() => onDisplay({ ...display, mode: 'fill' })}>Fill</button>
          <button className={display.mode === 'outline' ? 'on' : ''} onClick={() => onDisplay({ ...display, mode: 'outline' })}>Outline</button>
        </div>
        <button title="Hide or show all labels (H)" onClick={() => onDisplay({ ...display, allHidden: !display.allHidden })}>
          {display.allHidden ? 'Show all' : 'Hide all'}
        </button>
      </div>
      <div className="label-controls">
        <label>
          Paint
          <select aria-label="Active label" value={activeLabel} onChange={(e) => onActiveLabel(Number(e.target.value))}>
            {allLabelValues().map((v) => (
              <option key={v} value={v}>{`${nameOf(v)} (${v})`}</option>
            ))}
          </select>
        </label>
      </div>
      <table className="label-table">
        <thead>
          <tr><th /><th>Label</th><th>Value</th><th>Voxels</th><th>mm³</th><th title="Locked labels are never overwritten"><LockIcon title="Locked labels are never overwritten" /></th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.value}
              data-label={r.value}
              className={`${display.hidden.has(r.value) || display.allHidden ? 'hidden-label' : ''}${r.value === activeLabel ? ' active-label' : ''}${locked.has(r.value) ? ' locked-label' : ''}`}
              onClick={() => onActiveLabel(r.value)}
            >
              <td onClick={(e) => e.stopPropagation()}>
                <input type="checkbox" aria-label={`Show ${nameOf(r.value)}`} checked={!display.hidden.has(r.value)} onChange={() => toggle(r.value)} />
              </td>
              <td>
                <span className="swatch" style={{ background: colorOf(r.value) }} />
                {nameOf(r.value)}
                {locked.has(r.value) && (
                  <span className="lock-badge"><LockIcon testId="lock-badge" title="Locked: no tool overwrites it (drawn with a solid rim and a dimmed fill)" /></span>
                )}
              </td>
              <td className="num">{r.value}</td>
              <td className="num">{r.voxels.toLocaleString('en-US')}</td>
              <td className="num">{Math.round(r.voxels * voxelVolumeMm3).toLocaleString('en-US')}</td>
              <td onClick={(e) => e.stopPropagation()}>
                <input type="checkbox" aria-label={`Lock ${nameOf(r.value)}`} checked={locked.has(r.value)} onChange={() => onToggleLock(r.value)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
