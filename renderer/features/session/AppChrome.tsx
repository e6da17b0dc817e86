// The app's chrome that only reads the store: the title bar's dataset, annotator and Export button, the dataset
// problems list and the About box.
import { setAskAnnotator, setExportOpen, setShowAbout, useApp } from '../../state/appStore.js';

/** Brand, dataset summary, the annotator (click to change) and the Export button. */
export function AppTitle() {
  const dataset = useApp((s) => s.dataset);
  const annotator = useApp((s) => s.session?.annotator ?? null);
  return (
    <>
      <span className="brand">Spine Workstation</span>
      <span className="muted">{dataset ? `${dataset.name} · ${dataset.patients} patient${dataset.patients === 1 ? '' : 's'} · ${dataset.series} series` : 'Loading dataset …'}</span>
      {annotator && (
        <button className="annotator" data-testid="annotator" title="Who is annotating: carried by every edit and grading (click to change)" onClick={() => setAskAnnotator(true)}>
          {annotator}
        </button>
      )}
      <button data-testid="export-open" title="Export a revised dataset (SPIDER .mha or nnU-Net NIfTI)" onClick={() => setExportOpen(true)}>
        Export…
      </button>
    </>
  );
}

/** Problems of the dataset as a whole (not of one series), from the scan. */
export function DatasetProblems() {
  const problems = useApp((s) => s.dataset?.problems ?? null);
  if (!problems || problems.length === 0) return null;
  return (
    <div className="problems">
      <div className="panel-title">Dataset problems</div>
      {problems.map((p, i) => <div key={i} className={`problem-line ${p.severity}`}>{p.message}</div>)}
    </div>
  );
}

export function AboutDialog() {
  const dataset = useApp((s) => s.dataset);
  const session = useApp((s) => s.session);
  return (
    <div className="overlay-backdrop" role="dialog" aria-label="About" data-testid="about" onClick={() => setShowAbout(false)}>
      <div className="overlay-card pad" onClick={(e) => e.stopPropagation()}>
        <div className="panel-title">Spine Workstation {__APP_VERSION__}</div>
        <p className="pad-x">Offline annotation workstation for SPIDER-layout lumbar-spine MRI: label correction, per-level grading, revised-dataset export.</p>
        <p className="pad-x muted">{dataset ? `Dataset: ${dataset.name}` : ''}{session?.annotator ? ` · Annotator: ${session.annotator}` : ''}</p>
        <div className="pad-x"><button onClick={() => setShowAbout(false)}>Close</button></div>
      </div>
    </div>
  );
}
