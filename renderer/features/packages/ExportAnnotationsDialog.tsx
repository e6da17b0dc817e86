// File ▸ Export annotations… (issue 16 item 1): one annotator's label edits and gradings of this dataset as a
// package file (exportAnnotations, the same bytes `spine-ws pack` writes), saved as a download under the name main
// chose (<dataset>-<annotator>-<date>.spinepkg). The annotator defaults to the current one; any annotator known to
// the store may be packed.
import { useEffect, useRef, useState } from 'react';
import type { Responses } from '../../../common/contract.js';
import { ApiError, call } from '../../platform/api.js';
import { useApp } from '../../state/appStore.js';
import { downloadPackage } from './packageFiles.js';
import { useKeepFocus } from './useKeepFocus.js';
import './packages.css';

type Phase =
  | { kind: 'idle' }
  | { kind: 'packing' }
  | { kind: 'done'; result: Responses['exportAnnotations'] }
  | { kind: 'error'; code: string; message: string };

export function ExportAnnotationsDialog({ onClose }: { onClose: () => void }) {
  const session = useApp((s) => s.session);
  const [annotator, setAnnotator] = useState(session?.annotator ?? session?.annotators[0] ?? '');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);
  const packing = phase.kind === 'packing';
  const form = useRef<HTMLFormElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  useKeepFocus(packing, form, closeButton);
  const names = session?.annotators ?? [];

  const pack = (): void => {
    if (!annotator || packing) return;
    setPhase({ kind: 'packing' });
    call('exportAnnotations', { annotator })
      .then((result) => {
        downloadPackage(result.fileName, result.data);
        if (alive.current) setPhase({ kind: 'done', result });
      })
      .catch((e: unknown) => {
        if (!alive.current) return;
        setPhase(e instanceof ApiError ? { kind: 'error', code: e.code, message: e.message } : { kind: 'error', code: 'internal', message: e instanceof Error ? e.message : String(e) });
      });
  };

  return (
    <div className="overlay-backdrop" role="dialog" aria-modal="true" aria-label="Export annotations" data-testid="export-annotations">
      <form
        ref={form}
        className="overlay-card packages-card"
        onSubmit={(e) => {
          e.preventDefault();
          pack();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !packing) onClose();
          e.stopPropagation();
        }}
      >
        <div className="panel-title">Export annotations</div>
        <p className="pad-x muted small">
          Writes one annotator&apos;s label edits and gradings of this dataset into a package file another workstation can import (File ▸ Import
          annotations…) to compare readers. The dataset itself is not included.
        </p>
        <div className="pad-x packages-row">
          <label htmlFor="pkg-annotator">Annotator</label>
          <select id="pkg-annotator" data-testid="export-annotator" value={annotator} disabled={packing} onChange={(e) => setAnnotator(e.target.value)}>
            {(names.includes(annotator) || !annotator ? names : [annotator, ...names]).map((n) => (
              <option key={n} value={n}>
                {n}
                {n === session?.annotator ? ' (you)' : ''}
              </option>
            ))}
          </select>
        </div>
        {phase.kind === 'packing' && (
          <div className="pad-x packages-status" role="status">
            <span className="spinner" /> Packing {annotator}&apos;s annotations …
          </div>
        )}
        {phase.kind === 'done' && (
          <div className="pad-x packages-result" role="status" data-testid="export-annotations-result" data-file={phase.result.fileName}>
            <div>
              Saved <code>{phase.result.fileName}</code>: labels of {phase.result.series} series, {phase.result.grades} grade
              {phase.result.grades === 1 ? '' : 's'}.
            </div>
            {phase.result.warnings.length > 0 && (
              <ul className="small packages-warnings">
                {phase.result.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {phase.kind === 'error' && (
          <div className="pad-x problem-line error packages-error" role="alert" data-testid="export-annotations-error" data-code={phase.code}>
            <strong>{phase.code}</strong>: {phase.message}
          </div>
        )}
        <div className="pad-x packages-actions">
          <button type="submit" data-testid="export-annotations-start" disabled={!annotator || packing} autoFocus>
            {phase.kind === 'done' ? 'Save again' : 'Export'}
          </button>
          <button type="button" ref={closeButton} onClick={onClose} disabled={packing} data-testid="export-annotations-close">
            {phase.kind === 'done' ? 'Done' : 'Close'}
          </button>
        </div>
      </form>
    </div>
  );
}
