// Edit history of the open series, from the journal: labelled entries, newest first; undone entries greyed,
// discarded ones (undone, then overwritten by a new edit) struck through.
import type { EditInfo } from '../../../common/contract.js';

export function HistoryPanel({ edits, onUndo, onRedo, canUndo, canRedo }: { edits: EditInfo[]; onUndo(): void; onRedo(): void; canUndo: boolean; canRedo: boolean }) {
  const shown = [...edits].reverse();
  return (
    <div className="history-panel" data-testid="history">
      <div className="panel-title">
        History
        <span className="spacer" />
        <button onClick={onUndo} disabled={!canUndo} title="Undo (Ctrl+Z)">Undo</button>
        <button onClick={onRedo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
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
