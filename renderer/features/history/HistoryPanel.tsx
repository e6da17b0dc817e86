// Edit history of the open series, from the journal: labelled entries, newest first; undone entries greyed,
// discarded ones (undone, then overwritten by a new edit) struck through. Read-only labels: no undo/redo.
import type { EditInfo } from '../../../common/contract.js';

export interface HistoryPanelProps {
  edits: EditInfo[];
  onUndo: () => void;
  onRedo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  /** Why the labels cannot be edited (undo and redo disabled), or null. */
  readOnly?: string | null;
}

export function HistoryPanel({ edits, onUndo, onRedo, canUndo, canRedo, readOnly = null }: HistoryPanelProps) {
  const off = readOnly !== null;
  const shown = [...edits].reverse();
  return (
    <div className="history-panel" data-testid="history">
      <div className="panel-title">
        History
        <span className="spacer" />
        <button onClick={onUndo} disabled={off || !canUndo} title={off ? `Labels read-only: ${readOnly}` : 'Undo (Ctrl+Z)'}>Undo</button>
        <button onClick={onRedo} disabled={off || !canRedo} title={off ? `Labels read-only: ${readOnly}` : 'Redo (Ctrl+Shift+Z)'}>Redo</button>
      </div>
      {shown.length === 0 && <div className="muted pad small">No edits yet.</div>}
      <ol className="history-list">
        {shown.map((e) => (
          <li key={e.seq} className={`history-${e.state}`} data-seq={e.seq} title={`${e.annotator}, ${new Date(e.createdAt).toLocaleString()}`}>
            <span className="history-desc">{e.description}</span>
            <span className="muted small">{new Date(e.createdAt).toLocaleTimeString()}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
