// Label operations on the whole volume: relabel, swap, shift every level up or down (the usual numbering fix),
// remove small islands. Each is one journal entry, undoable like a stroke. Disabled while labels are read-only.
import { useState } from 'react';
import { allLabelValues, isKnownLabel, labelInfo } from '../../../common/labels.js';
import type { LabelOperation } from '../../editing/useEditing.js';

const nameOf = (v: number): string => (isKnownLabel(v) ? `${labelInfo(v).name} (${v})` : String(v));

function LabelSelect({ value, onChange, label, values, disabled }: { value: number; onChange: (v: number) => void; label: string; values: number[]; disabled: boolean }) {
  return (
    <select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(Number(e.target.value))}>
      {values.map((v) => <option key={v} value={v}>{nameOf(v)}</option>)}
    </select>
  );
}

/** `readOnly`: why the labels cannot be edited (every control disabled), or null. */
export function LabelOps({ present, onRun, readOnly = null }: { present: number[]; onRun: (op: LabelOperation) => void; readOnly?: string | null }) {
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
    </div>
  );
}
