// Header controls of the open series: sibling series (T1/T2/…), window presets, layouts, view reset.
import type { OpenedSeries } from '../../state/loadSeries.js';
import type { Viewer } from '../../viewer/index.js';
import { LayoutControls } from '../viewer/LayoutControls.js';

export function autoWindow(viewer: Viewer | null, opened: OpenedSeries | null): void {
  if (!opened || !viewer) return;
  const [lo, hi] = opened.info.image.autoWindow;
  viewer.setWindowLevel(hi - lo, (hi + lo) / 2);
}

function fullRange(viewer: Viewer | null, opened: OpenedSeries | null): void {
  if (!opened || !viewer) return;
  const [lo, hi] = opened.info.image.range;
  viewer.setWindowLevel(Math.max(hi - lo, 1e-6), (hi + lo) / 2);
}

export function SeriesControls(props: { viewer: Viewer | null; opened: OpenedSeries; onSibling: (id: string) => void }) {
  const { viewer, opened } = props;
  return (
    <>
      <span className="series-title" data-testid="open-series">{opened.info.seriesId}</span>
      <span className="segmented" aria-label="Sibling series">
        {opened.info.siblings.map((id) => (
          <button key={id} className={id === opened.info.seriesId ? 'on' : ''} title="Switch series (S)" onClick={() => props.onSibling(id)}>
            {id.slice(id.indexOf('_') + 1)}
          </button>
        ))}
      </span>
      <span className="segmented" aria-label="Window presets">
        <button title="Automatic window from intensity percentiles (W)" onClick={() => autoWindow(viewer, opened)}>Auto W/L</button>
        <button title="Full intensity range" onClick={() => fullRange(viewer, opened)}>Full range</button>
      </span>
      <LayoutControls />
      <button onClick={() => viewer?.resetViews()} title="Reset zoom and pan (R)">Reset view</button>
    </>
  );
}
