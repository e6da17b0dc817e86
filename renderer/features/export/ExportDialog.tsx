// Export a revised dataset (issue 6): output folder (typed, or picked with the native dialog in the desktop app),
// format, changed-only, force; then a progress bar with remaining time and cancel, and the result or a typed error.
import { useState } from 'react';
import type { ExportFormat } from '../../../common/contract.js';
import type { SourceRef } from '../../../common/contractReaders.js';
import { NOT_EXPORTED_INCOMPLETE as NOT_EXPORTED } from '../../../common/gradings.js';
import { desktopBridge } from '../../platform/api.js';
import { ExportSource } from './ExportSource.js';
import { formatBytes, formatEta, useExportJob } from './useExportJob.js';

export interface ExportDialogProps {
  onClose: () => void;
}

const ERROR_HINT: Record<string, string> = {
  invalid_request: 'Check the output folder.',
  conflict: 'Choose another folder, or tick “Replace a previous export”.',
  not_found: 'The folder that should hold the export does not exist.',
  io: 'The disk refused the write (full, or not writable?).',
};

export function ExportDialog({ onClose }: ExportDialogProps) {
  const [outDir, setOutDir] = useState('');
  const [format, setFormat] = useState<ExportFormat>('mha');
  const [changedOnly, setChangedOnly] = useState(false);
  const [force, setForce] = useState(false);
  const [source, setSource] = useState<SourceRef>('local');
  const job = useExportJob();
  const bridge = desktopBridge();
  const st = job.status;
  const running = job.starting || st?.state === 'running';
  const pct = st && st.bytesTotal > 0 ? Math.min(100, Math.floor((100 * st.bytesDone) / st.bytesTotal)) : 0;

  const browse = (): void => {
    if (!bridge) return;
    void bridge.pickDirectory({ title: 'Export the revised dataset into…' }).then((dir) => {
      if (dir) setOutDir(dir);
    });
  };

  return (
    <div className="overlay-backdrop" role="dialog" aria-modal="true" aria-label="Export dataset" data-testid="export-dialog">
      <form
        className="overlay-card export-card"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running) job.start({ outDir: outDir.trim(), format, changedOnly, force, ...(source === 'local' ? {} : { source }) });
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !running) onClose();
          e.stopPropagation();
        }}
      >
        <div className="panel-title">Export revised dataset</div>
        <p className="pad-x muted small">
          Writes images, masks (original + your edits), the CSVs (with your gradings) and a change manifest into a new folder. The source dataset is never written.
        </p>
        <div className="pad-x export-row">
          <label htmlFor="export-out">Output folder</label>
          <input
            id="export-out"
            autoFocus
            className="text-input export-path"
            data-testid="export-out"
            value={outDir}
            disabled={running}
            onChange={(e) => setOutDir(e.target.value)}
            placeholder="/absolute/path/to/new-folder"
          />
          {bridge && (
            <button type="button" onClick={browse} disabled={running}>
              Browse…
            </button>
          )}
        </div>
        <div className="pad-x export-row">
          <span>Format</span>
          <label>
            <input type="radio" name="export-format" checked={format === 'mha'} disabled={running} onChange={() => setFormat('mha')} /> SPIDER (.mha)
          </label>
          <label>
            <input type="radio" name="export-format" checked={format === 'nifti'} disabled={running} onChange={() => setFormat('nifti')} /> nnU-Net v2 (.nii.gz)
          </label>
        </div>
        <ExportSource value={source} onChange={setSource} disabled={running} />
        <div className="pad-x export-row">
          <label title="Only series with changed labels and series of patients with changed gradings; the CSVs stay complete">
            <input type="checkbox" checked={changedOnly} disabled={running} onChange={(e) => setChangedOnly(e.target.checked)} /> Changed series only
          </label>
          <label title="Replace the folder if it holds a previous export (never any other folder)">
            <input type="checkbox" checked={force} disabled={running} onChange={(e) => setForce(e.target.checked)} /> Replace a previous export
          </label>
        </div>

        {st && (
          <div className="pad-x export-progress" data-testid="export-progress" data-state={st.state}>
            <progress max={100} value={pct} aria-label="Export progress" />
            <div className="small">
              {st.state === 'running' && (
                <span data-testid="export-running">
                  {pct}% · {st.filesDone}/{st.filesTotal} files · {st.phase}
                  {st.current ? ` · ${st.current}` : ''} · remaining {formatEta(st.etaSeconds)}
                </span>
              )}
              {st.state === 'cancelled' && <span data-testid="export-cancelled">Export cancelled; nothing was written.</span>}
            </div>
          </div>
        )}
        {st?.state === 'done' && st.result && (
          <div className="pad-x export-result" data-testid="export-result" role="status">
            <div>
              Exported {st.result.seriesExported} series ({st.result.seriesChanged} with changed labels) and {st.result.gradingChanges} grading change
              {st.result.gradingChanges === 1 ? '' : 's'}: {st.result.filesWritten} files, {formatBytes(st.result.bytesWritten)}.
            </div>
            <div className="small">
              Folder: <code data-testid="export-result-dir">{st.result.outDir}</code>
            </div>
            <div className="small">
              Manifest: <code>{st.result.manifestFile}</code> (and <code>CHANGES.md</code>)
            </div>
            {st.result.warnings.some((w) => w.includes(NOT_EXPORTED)) && (
              <div className="small problem-line warning" data-testid="export-levels-left-out">
                ⚠ {st.result.warnings.filter((w) => w.includes(NOT_EXPORTED)).length} new disc level(s) were not exported because not every grading
                field has a value (listed below and in CHANGES.md). Grade them completely and export again to include them.
              </div>
            )}
            {st.result.warnings.length > 0 && (
              <ul className="small export-warnings">
                {st.result.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {(job.error ?? st?.error) && (
          <div className="pad-x problem-line error" role="alert" data-testid="export-error">
            <strong>{(job.error ?? st?.error)!.code}</strong>: {(job.error ?? st?.error)!.message} {ERROR_HINT[(job.error ?? st?.error)!.code] ?? ''}
          </div>
        )}

        <div className="pad-x export-actions">
          {running ? (
            <button type="button" data-testid="export-cancel" onClick={job.cancel} disabled={!st}>
              Cancel export
            </button>
          ) : (
            <button type="submit" data-testid="export-start" disabled={outDir.trim() === ''}>
              Export
            </button>
          )}
          <button type="button" onClick={onClose} disabled={running}>
            Close
          </button>
        </div>
      </form>
    </div>
  );
}
