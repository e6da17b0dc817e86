// The bar over the views while a previewed label operation runs (busy, Cancel) or waits for a decision (what it
// would change, Accept / Cancel). Nothing is written before Accept.
import type { PreviewState } from '../../ops/usePreviewOperation.js';
import { voxelCount } from '../../tools/describe.js';

const count = voxelCount;

export function PreviewBar({ state, onAccept, onCancel }: { state: PreviewState; onAccept: () => void; onCancel: () => void }) {
  if (state.phase === 'idle') return null;
  if (state.phase === 'busy') {
    return (
      <div className="banner banner-info preview-bar" role="status" aria-busy="true" data-testid="op-busy">
        <i className="spinner" aria-hidden="true" />
        <span>{state.title}: computing…</span>
        <button onClick={onCancel} data-testid="op-cancel">Cancel</button>
      </div>
    );
  }
  const parts = [state.added > 0 ? `+${count(state.added)}` : '', state.removed > 0 ? `−${count(state.removed)}` : ''].filter(Boolean);
  return (
    <div className="banner banner-info preview-bar" role="status" data-testid="op-preview">
      <span>
        Preview: {state.title} ({parts.join(', ')}; {state.removed === 0 ? 'green' : state.added === 0 ? 'red' : 'yellow'} in the views)
      </span>
      <button className="primary" onClick={onAccept} data-testid="op-accept">Accept</button>
      <button onClick={onCancel} data-testid="op-cancel">Cancel</button>
    </div>
  );
}
