// Who is annotating (issue 5, item 6): asked once when the store has no remembered annotator, changeable from
// the header. The name is stored by the service (getSession/setAnnotator) and carried by every journal and
// grading row; until one is chosen the service refuses writes, so this dialog blocks the window.
import { useState } from 'react';
import type { SessionInfo } from '../../../common/contract.js';
import { call } from '../../platform/api.js';

export interface AnnotatorDialogProps {
  session: SessionInfo;
  onDone: (session: SessionInfo) => void;
  /** Absent while no annotator has been chosen yet: the dialog cannot be dismissed then. */
  onCancel?: () => void;
}

export function AnnotatorDialog({ session, onDone, onCancel }: AnnotatorDialogProps) {
  const [name, setName] = useState(session.annotator ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (value: string): void => {
    const trimmed = value.trim();
    if (!trimmed) return setError('Enter a name.');
    setBusy(true);
    call('setAnnotator', { name: trimmed })
      .then(onDone)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setBusy(false));
  };
  return (
    <div className="overlay-backdrop" role="dialog" aria-modal="true" aria-label="Annotator" data-testid="annotator-dialog">
      <form
        className="overlay-card annotator-card"
        onSubmit={(e) => {
          e.preventDefault();
          submit(name);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && onCancel) onCancel();
          e.stopPropagation();
        }}
      >
        <div className="panel-title">Who is annotating?</div>
        <p className="pad-x muted">Your name goes with every label edit and grading you make. It is remembered on this computer.</p>
        <div className="pad-x">
          <input
            autoFocus
            aria-label="Annotator name"
            className="text-input"
            value={name}
            maxLength={80}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. J. Smith"
          />{' '}
          <button type="submit" disabled={busy}>Continue</button>
          {onCancel && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
        {session.annotators.length > 0 && (
          <div className="pad-x annotator-known">
            <span className="muted small">Known in this store:</span>
            {session.annotators.map((a) => (
              <button type="button" key={a} onClick={() => submit(a)} disabled={busy}>
                {a}
              </button>
            ))}
          </div>
        )}
        {error && <div className="pad-x problem-line error" role="alert">{error}</div>}
      </form>
    </div>
  );
}
