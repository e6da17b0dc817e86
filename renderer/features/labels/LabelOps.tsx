// Label operations on the whole volume: relabel, swap, shift every level up or down (the usual numbering fix),
// remove small islands. Each is one journal entry, undoable like a stroke. Disabled while labels are read-only.
// Below them, the active label's shape operations (fill between slices, grow / shrink / smooth), which show a
// preview first (PreviewBar: Accept / Cancel).
import { memo, useState } from 'react';
import { allLabelValues, isKnownLabel, labelInfo } from '../../../common/labels.js';
import type { Axis } from '../../../common/geometry.js';
import type { LabelOperation } from '../../editing/useEditing.js';
import type { MorphologyKind } from '../../labelmap/index.js';
import type { PreviewRequest } from '../../ops/usePreviewOperation.js';
import type { ViewId } from '../../viewer/index.js';

const nameOf = (v: number): string => (isKnownLabel(v) ? `${labelInfo(v).name} (${v})` : String(v));

function LabelSelect({ value, onChange, label, values, disabled }: { value: number; onChange: (v: number) => void; label: string; values: number[]; disabled: boolean }) {
  return (
    <select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(Number(e.target.value))}>
      {values.map((v) => <option key={v} value={v}>{nameOf(v)}</option>)}
    </select>
  );
}

const MORPHOLOGY: { kind: MorphologyKind; text: string; title: string }[] = [
  { kind: 'grow', text: 'Grow', title: 'Add every voxel within the distance of the label (3-D, in mm)' },
  { kind: 'shrink', text: 'Shrink', title: 'Remove every voxel of the label within the distance of its border' },
  { kind: 'open', text: 'Smooth: opening', title: 'Shrink then grow: removes spurs and bridges thinner than the ball' },
  { kind: 'close', text: 'Smooth: closing', title: 'Grow then shrink: fills holes and gaps smaller than the ball' },
  { kind: 'median', text: 'Smooth: median', title: 'Each voxel takes the majority of the ball around it' },
];

/** Operations on the active label's shape, previewed before they are kept (see usePreviewOperation). */
export interface ShapeOps {
  activeLabel: number;
  /** Index axis each view slices (null: no series). */
  axes: Record<ViewId, Axis> | null;
  /** An operation is running or previewed: the buttons wait for Accept / Cancel. */
  busy: boolean;
  onPreview(req: PreviewRequest): void;
}

/** `readOnly`: why the labels cannot be edited (every control disabled), or null. */
interface LabelOpsProps {
  present: number[];
  onRun: (op: LabelOperation) => void;
  readOnly?: string | null;
  shape?: ShapeOps;
}

const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const sameAxes = (a: ShapeOps['axes'], b: ShapeOps['axes']): boolean =>
  a === b || (!!a && !!b && a.sagittal === b.sagittal && a.coronal === b.coronal && a.axial === b.axial);

/**
 * The app re-renders on every change of its state; these controls (three selects of every label value) only when
 * what they show changed. The callbacks' identities are not compared: the app passes new closures over the same
 * stable actions each time, and a click runs the ones of the last render.
 */
export const LabelOps = memo(LabelOpsView, (a, b) =>
  a.readOnly === b.readOnly && sameList(a.present, b.present) &&
  (a.shape === b.shape || (!!a.shape && !!b.shape && a.shape.activeLabel === b.shape.activeLabel && a.shape.busy === b.shape.busy && sameAxes(a.shape.axes, b.shape.axes))));

function LabelOpsView({ present, onRun, readOnly = null, shape }: LabelOpsProps) {
  const all = [0, ...allLabelValues()];
  const first = present[0] ?? 1;
  const [from, setFrom] = useState(first);
  const [to, setTo] = useState(present[1] ?? 2);
  const [island, setIsland] = useState(first);
  const [minVoxels, setMinVoxels] = useState(50);
  const off = readOnly !== null;
  const why = (title: string | undefined): string | undefined => (off ? `Labels read-only: ${readOnly}` : title);
  return (
    <div className="label-ops" data-testid="label-ops">
      <div className="panel-title">Label operations</div>
      <div className="label-controls">
        <LabelSelect label="Operation label A" value={from} onChange={setFrom} values={present.length ? present : all} disabled={off} />
        <LabelSelect label="Operation label B" value={to} onChange={setTo} values={all} disabled={off} />
      </div>
      <div className="label-controls">
        <button disabled={off} onClick={() => onRun({ kind: 'relabel', from, to })} title={why('Every voxel of A becomes B')}>Relabel A → B</button>
        <button disabled={off} onClick={() => onRun({ kind: 'swap', a: from, b: to })} title={why(undefined)}>Swap A ↔ B</button>
      </div>
      <div className="label-controls">
        <button disabled={off} onClick={() => onRun({ kind: 'shift', delta: 1 })} title={why('Every vertebra n → n+1 and disc 200+n → 201+n')}>Shift levels up</button>
        <button disabled={off} onClick={() => onRun({ kind: 'shift', delta: -1 })} title={why('Every vertebra n → n−1 and disc 200+n → 199+n')}>Shift levels down</button>
      </div>
      <div className="label-controls">
        <LabelSelect label="Islands label" value={island} onChange={setIsland} values={present.length ? present : all} disabled={off} />
        <button disabled={off} onClick={() => onRun({ kind: 'islands', label: island, keepLargest: true, minVoxels })} title={why(undefined)}>Keep largest</button>
        <label>
          or drop &lt;
          <input type="number" min={1} value={minVoxels} disabled={off} aria-label="Minimum island size" style={{ width: 60 }} onChange={(e) => setMinVoxels(Math.max(1, Number(e.target.value) || 1))} />
        </label>
        <button disabled={off} onClick={() => onRun({ kind: 'islands', label: island, keepLargest: false, minVoxels })} title={why(undefined)}>Drop small</button>
      </div>
      {shape && <ShapeControls shape={shape} off={off} why={why} />}
    </div>
  );
}

function ShapeControls({ shape, off, why }: { shape: ShapeOps; off: boolean; why: (title: string | undefined) => string | undefined }) {
  const [view, setView] = useState<ViewId>('sagittal');
  const [kind, setKind] = useState<MorphologyKind>('grow');
  const [radiusMm, setRadiusMm] = useState(2);
  const disabled = off || shape.busy || shape.axes === null;
  const name = nameOf(shape.activeLabel);
  const chosen = MORPHOLOGY.find((m) => m.kind === kind)!;
  return (
    <>
      <div className="panel-title">Active label: {name}</div>
      <div className="label-controls">
        <select aria-label="Fill between slices axis" value={view} disabled={disabled} onChange={(e) => setView(e.target.value as ViewId)}>
          <option value="sagittal">sagittal slices</option>
          <option value="coronal">coronal slices</option>
          <option value="axial">axial slices</option>
        </select>
        <button
          data-testid="fill-between"
          disabled={disabled || shape.activeLabel === 0}
          title={why(`Interpolate ${name} on the ${view} slices between the ones you drew; preview first`)}
          onClick={() => shape.axes && shape.onPreview({ kind: 'fillBetween', label: shape.activeLabel, axis: shape.axes[view], axisName: view })}
        >
          Fill between slices
        </button>
      </div>
      <div className="label-controls">
        <select aria-label="Shape operation" value={kind} disabled={disabled} onChange={(e) => setKind(e.target.value as MorphologyKind)}>
          {MORPHOLOGY.map((m) => <option key={m.kind} value={m.kind} title={m.title}>{m.text}</option>)}
        </select>
        <label>
          <input
            type="number" min={0.5} max={20} step={0.5} value={radiusMm} disabled={disabled} aria-label="Shape radius (mm)" style={{ width: 52 }}
            onChange={(e) => setRadiusMm(Math.min(20, Math.max(0.5, Number(e.target.value) || 0.5)))}
          />
          {' '}mm
        </label>
        <button
          data-testid="shape-preview"
          disabled={disabled || shape.activeLabel === 0}
          title={why(`${chosen.title}; preview first`)}
          onClick={() => shape.onPreview({ kind: 'morphology', label: shape.activeLabel, op: { kind, radiusMm } })}
        >
          Preview
        </button>
      </div>
    </>
  );
}
