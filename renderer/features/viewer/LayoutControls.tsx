// The view layout in the app: the toolbar's layout buttons, the store ↔ viewer sync with per-annotator memory, and
// the actions of the layout and panel commands (App.tsx binds them to the registry).
import { useEffect } from 'react';
import { commandById, keyHint, type AppCommandId } from '../../commands.js';
import { appStore, setLayout, useApp } from '../../state/appStore.js';
import { LAYOUT_KINDS, VIEW_IDS, type LayoutKind, type Viewer } from '../../viewer/index.js';
import { rememberLayout, toggleLeftPanel, toggleRightPanel, usePanels, type Panels } from './layoutPrefs.js';

const LAYOUT_NAMES: Record<LayoutKind, string> = { '1+2': '1+2', '2x2': '2×2', '1x3': '1×3' };
const LAYOUT_COMMANDS: Record<LayoutKind, AppCommandId> = { '1+2': 'layout-large', '2x2': 'layout-grid', '1x3': 'layout-three' };

type LayoutCommandId = 'layout-large' | 'layout-grid' | 'layout-three' | 'layout-large-view' | 'layout-maximise' | 'panel-left' | 'panel-right';

/** What the layout and panel commands do ('the view under the pointer' = the store's hoverView). */
export const layoutActions: Record<LayoutCommandId, () => void> = {
  'layout-large': () => setLayout((l) => ({ ...l, kind: '1+2', maximised: null })),
  'layout-grid': () => setLayout((l) => ({ ...l, kind: '2x2', maximised: null })),
  'layout-three': () => setLayout((l) => ({ ...l, kind: '1x3', maximised: null })),
  'layout-large-view': () => setLayout({ kind: '1+2', large: appStore.get().hoverView, maximised: null }),
  'layout-maximise': () => setLayout((l) => ({ ...l, maximised: l.maximised ? null : appStore.get().hoverView })),
  'panel-left': toggleLeftPanel,
  'panel-right': toggleRightPanel,
};

/**
 * Keeps the viewer on the store's layout (and the store on layout changes made by the views' corner buttons),
 * restores the annotator's layout and panels and remembers their changes. Returns the panels' state.
 */
export function useViewerLayout(viewer: Viewer | null, annotator: string | null): Panels {
  const layout = useApp((s) => s.layout);
  useEffect(() => viewer?.setLayout(layout), [viewer, layout]);
  useEffect(() => viewer?.onLayout((l) => setLayout(l)), [viewer]);
  useEffect(() => rememberLayout(annotator), [annotator]);
  return usePanels();
}

/** The toolbar's layout buttons, the large-view chooser of 1+2, and the way back from a maximised view. */
export function LayoutControls() {
  const layout = useApp((s) => s.layout);
  return (
    <>
      <span className="segmented" aria-label="Layout">
        {LAYOUT_KINDS.map((k) => (
          <button key={k} data-layout={k} className={layout.kind === k && !layout.maximised ? 'on' : ''} onClick={() => setLayout((l) => ({ ...l, kind: k, maximised: null }))} title={`${commandById(LAYOUT_COMMANDS[k]).label}${keyHint(LAYOUT_COMMANDS[k])}`}>
            {LAYOUT_NAMES[k]}
          </button>
        ))}
      </span>
      {layout.kind === '1+2' && !layout.maximised && (
        <select aria-label="Large view" title={`The large view of layout 1+2${keyHint('layout-large-view')}: over a view`} value={layout.large} onChange={(e) => setLayout((l) => ({ ...l, large: e.target.value as typeof l.large }))}>
          {VIEW_IDS.map((v) => <option key={v} value={v}>{v} large</option>)}
        </select>
      )}
      {layout.maximised && (
        <button className="on" data-testid="restore-layout" onClick={() => setLayout((l) => ({ ...l, maximised: null }))} title={`Restore the layout${keyHint('layout-maximise')}`}>
          {layout.maximised} maximised ×
        </button>
      )}
    </>
  );
}
