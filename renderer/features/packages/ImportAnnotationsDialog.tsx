// File ▸ Import annotations… (issue 16 item 1): pick a .spinepkg written by `spine-ws pack` or File ▸ Export
// annotations… on another workstation; it is sent as base64 to importAnnotations and becomes a read-only reader
// layer. The result names the reader, its series and grades, or says it was already imported; a refusal shows its
// typed error (another dataset, corrupted file …); a conflict (another package of the same reader) offers Replace.
import { useEffect, useRef, useState } from 'react';
import type { ReaderInfo } from '../../../common/contractReaders.js';
import { ApiError, call } from '../../platform/api.js';
import { PACKAGE_EXTENSION, PackageFileError, formatSize, readPackageFile } from './packageFiles.js';
import { readersChanged } from './packagesState.js';
import { useKeepFocus } from './useKeepFocus.js';
import './packages.css';

type Phase =
  | { kind: 'idle' }
  | { kind: 'sending'; fileName: string }
  | { kind: 'done'; reader: ReaderInfo; alreadyImported: boolean; replaced: boolean }
  | { kind: 'error'; code: string; message: string };

/** What an error code means for the person importing. */
const HINT: Record<string, string> = {
  invalid_file: 'The file is not a readable annotation package (damaged, truncated or not a package).',
  invalid_request: 'The package does not fit this dataset.',
  conflict: 'Replace swaps that reader’s layer for this package.',
  too_large: 'The file is larger than an annotation package may be.',
  db_locked: 'The store is busy (another program holds it); try again.',
};

function toError(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  if (e instanceof PackageFileError) return { code: 'invalid_file', message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** A reader's summary line. */
export function readerSummary(r: ReaderInfo): string {
  return `${r.seriesWithLabels} series with labels, ${r.grades} grade${r.grades === 1 ? '' : 's'} on ${r.gradedLevels} level${r.gradedLevels === 1 ? '' : 's'}`;
}

export function ImportAnnotationsDialog({ onClose }: { onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);
  const sending = phase.kind === 'sending';
  const form = useRef<HTMLFormElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  useKeepFocus(sending, form, closeButton);

  const send = (replace: boolean): void => {
    if (!file || sending) return;
    setPhase({ kind: 'sending', fileName: file.name });
    readPackageFile(file)
      .then((data) => call('importAnnotations', { fileName: file.name, data, ...(replace ? { replace: true } : {}) }))
      .then((r) => {
        if (!r.alreadyImported) readersChanged();
        if (alive.current) setPhase({ kind: 'done', reader: r.reader, alreadyImported: r.alreadyImported, replaced: replace });
      })
      .catch((e: unknown) => alive.current && setPhase({ kind: 'error', ...toError(e) }));
  };

  return (
    <div className="overlay-backdrop" role="dialog" aria-modal="true" aria-label="Import annotations" data-testid="import-annotations">
      <form
        ref={form}
        className="overlay-card packages-card"
        onSubmit={(e) => {
          e.preventDefault();
          send(false);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !sending) onClose();
          e.stopPropagation();
        }}
      >
        <div className="panel-title">Import annotations</div>
        <p className="pad-x muted small">
          Adds another reader&apos;s label edits and gradings of this dataset (a {PACKAGE_EXTENSION} file from File ▸ Export annotations… or{' '}
          <code>spine-ws pack</code>) as a read-only layer, for comparing and adjudicating. Your own labels and grades are not changed.
        </p>
        <div className="pad-x packages-row">
          <input
            type="file"
            accept={PACKAGE_EXTENSION}
            data-testid="import-file"
            disabled={sending}
            autoFocus
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setPhase({ kind: 'idle' });
            }}
          />
          {file && <span className="muted small">{formatSize(file.size)}</span>}
        </div>
        {phase.kind === 'sending' && (
          <div className="pad-x packages-status" role="status" data-testid="import-sending">
            <span className="spinner" /> Checking and importing {phase.fileName} …
          </div>
        )}
        {phase.kind === 'done' && (
          <div className="pad-x packages-result" role="status" data-testid="import-result" data-reader={phase.reader.name} data-already={String(phase.alreadyImported)}>
            {phase.alreadyImported ? (
              <div>
                <b>{phase.reader.name}</b> was already imported from this very file (on {phase.reader.importedAt.slice(0, 10)} by {phase.reader.importedBy}); nothing changed.
              </div>
            ) : (
              <div>
                {phase.replaced ? 'Replaced' : 'Imported'} reader <b>{phase.reader.name}</b>: {readerSummary(phase.reader)}.
              </div>
            )}
            <div className="small muted">
              Package written {phase.reader.packageCreatedAt.slice(0, 16).replace('T', ' ')} by version {phase.reader.appVersion}.
            </div>
          </div>
        )}
        {phase.kind === 'error' && (
          <div className="pad-x problem-line error packages-error" role="alert" data-testid="import-error" data-code={phase.code}>
            <div>
              <strong>{phase.code}</strong>: {phase.message}
            </div>
            {HINT[phase.code] && <div className="small">{HINT[phase.code]}</div>}
          </div>
        )}
        <div className="pad-x packages-actions">
          {phase.kind === 'error' && phase.code === 'conflict' ? (
            <button type="button" data-testid="import-replace" onClick={() => send(true)}>
              Replace
            </button>
          ) : (
            <button type="submit" data-testid="import-start" disabled={!file || sending || phase.kind === 'done'}>
              Import
            </button>
          )}
          <button type="button" ref={closeButton} onClick={onClose} disabled={sending} data-testid="import-close">
            {phase.kind === 'done' ? 'Done' : 'Close'}
          </button>
        </div>
      </form>
    </div>
  );
}
