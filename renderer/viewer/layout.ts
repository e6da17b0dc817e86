// Where the viewer's cells sit: the root grid's areas for each Layout ('1x3', '1+2' with a selectable large view,
// '2x2' with the 3-D cell, or one view maximised), the 3-D cell itself (an empty host the 3-D view mounts into), and
// the small corner buttons of each slice view (maximise / restore, make this the large view). Plain DOM, no vtk.js.
import { VIEW_IDS, type Layout, type ViewId } from './types.js';

export interface LayoutGrid {
  /** The fourth cell's host for the 3-D view (see Viewer.threeDHost). */
  readonly threeDHost: HTMLDivElement;
  current(): Layout;
  /** Arranges the cells for `next`; false when it equals the current layout (nothing done). */
  set(next: Layout): boolean;
  isVisible(id: ViewId): boolean;
  dispose(): void;
}

const THREE_D = 'threed';
const FR = 'minmax(0, 1fr)';

/** Grid template of a layout: areas (rows of area names) and column widths. */
function template(l: Layout): { areas: string[][]; columns: string } {
  if (l.maximised) return { areas: [[l.maximised]], columns: FR };
  if (l.kind === '1+2') {
    const [a, b] = VIEW_IDS.filter((v) => v !== l.large) as [ViewId, ViewId];
    return { areas: [[l.large, a], [l.large, b]], columns: `minmax(0, 2fr) ${FR}` };
  }
  if (l.kind === '2x2') return { areas: [['sagittal', 'coronal'], ['axial', THREE_D]], columns: `${FR} ${FR}` };
  return { areas: [[...VIEW_IDS]], columns: `${FR} ${FR} ${FR}` };
}

const BUTTON_CSS =
  'pointer-events:auto;min-width:20px;height:20px;padding:0 4px;font:13px/1 system-ui,sans-serif;color:#ddd;' +
  'background:rgba(20,22,26,0.7);border:1px solid #555;border-radius:3px;cursor:pointer;';

export function createLayoutGrid(
  root: HTMLElement,
  cells: Record<ViewId, HTMLElement>,
  initial: Layout,
  /** A corner button asks for a layout change (the viewer applies it and tells its listeners). */
  request: (patch: Partial<Layout>) => void,
): LayoutGrid {
  // --- the 3-D cell: a placeholder note under an empty host --- //
  const threeDCell = document.createElement('div');
  threeDCell.dataset['view'] = '3d';
  threeDCell.style.cssText = `position:relative;overflow:hidden;min-width:0;min-height:0;background:#000;grid-area:${THREE_D};`;
  const note = document.createElement('div');
  note.textContent = '3-D view';
  note.dataset['threeDPlaceholder'] = '';
  note.style.cssText = 'position:absolute;inset:0;display:grid;place-items:center;color:#666;font:13px system-ui,sans-serif;';
  const threeDHost = document.createElement('div');
  threeDHost.dataset['threeDHost'] = '';
  threeDHost.style.cssText = 'position:absolute;inset:0;';
  threeDCell.append(note, threeDHost);
  root.appendChild(threeDCell);

  // --- corner buttons of each slice view --- //
  const controls = {} as Record<ViewId, { bar: HTMLDivElement; large: HTMLButtonElement; max: HTMLButtonElement }>;
  let layout: Layout = { ...initial };
  for (const id of VIEW_IDS) {
    cells[id].style.gridArea = id;
    const bar = document.createElement('div');
    bar.dataset['viewControls'] = id;
    bar.style.cssText = 'position:absolute;top:4px;right:4px;display:flex;gap:3px;z-index:1;';
    const large = document.createElement('button');
    large.textContent = '⇱';
    large.dataset['action'] = 'make-large';
    large.setAttribute('aria-label', `Show ${id} large`);
    large.title = `Show ${id} as the large view (layout 1+2; Shift+L over a view)`;
    const max = document.createElement('button');
    max.dataset['action'] = 'maximise';
    for (const b of [large, max]) {
      b.type = 'button';
      b.style.cssText = BUTTON_CSS;
      bar.appendChild(b);
    }
    // The buttons are not part of the view: no crosshair move, tool stroke or grading pick under them.
    for (const type of ['pointerdown', 'mousedown', 'click', 'dblclick']) bar.addEventListener(type, (e) => e.stopPropagation());
    large.addEventListener('click', () => request({ kind: '1+2', large: id, maximised: null }));
    max.addEventListener('click', () => request({ maximised: layout.maximised ? null : id }));
    cells[id].appendChild(bar);
    controls[id] = { bar, large, max };
  }

  const isVisible = (id: ViewId): boolean => (layout.maximised ? layout.maximised === id : true);

  const apply = (): void => {
    const t = template(layout);
    root.style.gridTemplateAreas = t.areas.map((row) => `"${row.join(' ')}"`).join(' ');
    root.style.gridTemplateColumns = t.columns;
    root.style.gridTemplateRows = `repeat(${t.areas.length}, ${FR})`;
    root.dataset['layout'] = layout.kind;
    root.dataset['large'] = layout.large;
    if (layout.maximised) root.dataset['maximised'] = layout.maximised;
    else delete root.dataset['maximised'];
    const shown = new Set(t.areas.flat());
    for (const id of VIEW_IDS) {
      cells[id].style.display = shown.has(id) ? '' : 'none';
      const c = controls[id];
      c.large.style.display = layout.maximised || (layout.kind === '1+2' && layout.large === id) ? 'none' : '';
      c.max.textContent = layout.maximised ? '⤡' : '⤢';
      const what = layout.maximised ? 'Restore the layout' : `Maximise ${id}`;
      c.max.setAttribute('aria-label', what);
      c.max.title = `${what} (M over a view)`;
    }
    threeDCell.style.display = shown.has(THREE_D) ? '' : 'none';
  };
  apply();

  return {
    threeDHost,
    current: () => ({ ...layout }),
    set(next) {
      if (next.kind === layout.kind && next.large === layout.large && next.maximised === layout.maximised) return false;
      layout = { ...next };
      apply();
      return true;
    },
    isVisible,
    dispose() {
      for (const id of VIEW_IDS) controls[id].bar.remove();
      threeDCell.remove();
    },
  };
}
