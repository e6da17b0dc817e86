// HTML/SVG overlay of one slice view: crosshair lines, orientation letters at the edges, the slice caption and the
// brush outline. Plain DOM, no vtk.js (moving any of it never re-renders the view); it never takes pointer events (interaction.ts listens on the view cell below it).
import type { ViewId } from './types.js';

/** Colour of each view's plane wherever it is drawn (caption, and its line in the other views). */
export const VIEW_COLORS: Record<ViewId, string> = {
  sagittal: '#f7d02c',
  coronal: '#3ddc84',
  axial: '#ff5a5a',
};

const VIEW_TITLES: Record<ViewId, string> = { sagittal: 'Sagittal', coronal: 'Coronal', axial: 'Axial' };

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface Overlay {
  /** Crosshair at a display position (CSS px) or hidden (null); line colours name the planes they show. */
  setCrosshair(xy: readonly [number, number] | null, verticalColor: string, horizontalColor: string): void;
  setLetters(letters: { left: string; right: string; top: string; bottom: string }): void;
  /** Slice caption, e.g. "Sagittal 5 / 12"; null when no volume is shown. */
  setSlice(slice: { index: number; count: number } | null): void;
  /** Brush outline centred at a display position (CSS px), radii in CSS px along screen x / y; null hides it. */
  setBrush(brush: { xy: readonly [number, number]; rx: number; ry: number; dashed: boolean } | null): void;
  dispose(): void;
}

function styled<K extends keyof HTMLElementTagNameMap>(tag: K, css: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.style.cssText = css;
  return el;
}

export function createOverlay(cell: HTMLElement, view: ViewId): Overlay {
  const root = styled('div', 'position:absolute;inset:0;pointer-events:none;overflow:hidden;');
  root.dataset['viewerOverlay'] = view;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('style', 'position:absolute;inset:0;width:100%;height:100%;');
  const vertical = document.createElementNS(SVG_NS, 'line');
  const horizontal = document.createElementNS(SVG_NS, 'line');
  for (const line of [vertical, horizontal]) {
    line.setAttribute('stroke-width', '1');
    line.setAttribute('shape-rendering', 'crispEdges');
    line.setAttribute('stroke-opacity', '0.8');
    svg.appendChild(line);
  }
  root.appendChild(svg);

  // Brush outline: a dark halo under a light line, visible on any grey value and label colour.
  const brushSvg = document.createElementNS(SVG_NS, 'svg');
  brushSvg.setAttribute('style', 'position:absolute;inset:0;width:100%;height:100%;display:none;');
  brushSvg.dataset['brushCursor'] = view;
  const brushHalo = document.createElementNS(SVG_NS, 'ellipse');
  const brushLine = document.createElementNS(SVG_NS, 'ellipse');
  brushHalo.setAttribute('stroke', '#000');
  brushHalo.setAttribute('stroke-opacity', '0.6');
  brushHalo.setAttribute('stroke-width', '3');
  brushLine.setAttribute('stroke', '#fff');
  brushLine.setAttribute('stroke-width', '1');
  for (const el of [brushHalo, brushLine]) {
    el.setAttribute('fill', 'none');
    brushSvg.appendChild(el);
  }
  root.appendChild(brushSvg);
  let brushShown = false;

  const letterCss =
    'position:absolute;font:600 13px/1 system-ui,sans-serif;color:#fff;text-shadow:0 0 3px #000,0 0 2px #000;';
  const letters = {
    left: styled('div', `${letterCss}left:4px;top:50%;transform:translateY(-50%);`),
    right: styled('div', `${letterCss}right:4px;top:50%;transform:translateY(-50%);`),
    top: styled('div', `${letterCss}top:4px;left:50%;transform:translateX(-50%);`),
    bottom: styled('div', `${letterCss}bottom:4px;left:50%;transform:translateX(-50%);`),
  };
  for (const [edge, el] of Object.entries(letters)) {
    el.dataset['edge'] = edge;
    root.appendChild(el);
  }
  const caption = styled(
    'div',
    `position:absolute;left:6px;bottom:4px;font:12px/1 system-ui,sans-serif;color:${VIEW_COLORS[view]};` +
      'text-shadow:0 0 3px #000;',
  );
  caption.dataset['caption'] = view;
  root.appendChild(caption);
  cell.appendChild(root);

  return {
    setCrosshair(xy, verticalColor, horizontalColor) {
      svg.style.display = xy ? '' : 'none';
      if (!xy) return;
      // Lines centred on pixel centres so a 1-px stroke stays one pixel wide.
      const x = Math.floor(xy[0]) + 0.5;
      const y = Math.floor(xy[1]) + 0.5;
      vertical.setAttribute('x1', `${x}`);
      vertical.setAttribute('x2', `${x}`);
      vertical.setAttribute('y1', '0');
      vertical.setAttribute('y2', '100%');
      vertical.setAttribute('stroke', verticalColor);
      horizontal.setAttribute('y1', `${y}`);
      horizontal.setAttribute('y2', `${y}`);
      horizontal.setAttribute('x1', '0');
      horizontal.setAttribute('x2', '100%');
      horizontal.setAttribute('stroke', horizontalColor);
    },
    setLetters(l) {
      letters.left.textContent = l.left;
      letters.right.textContent = l.right;
      letters.top.textContent = l.top;
      letters.bottom.textContent = l.bottom;
    },
    setSlice(slice) {
      caption.textContent = slice ? `${VIEW_TITLES[view]} ${slice.index + 1} / ${slice.count}` : VIEW_TITLES[view];
    },
    setBrush(brush) {
      if (!brush) {
        if (brushShown) brushSvg.style.display = 'none';
        brushShown = false;
        return;
      }
      for (const el of [brushHalo, brushLine]) {
        el.setAttribute('cx', `${brush.xy[0]}`);
        el.setAttribute('cy', `${brush.xy[1]}`);
        el.setAttribute('rx', `${brush.rx}`);
        el.setAttribute('ry', `${brush.ry}`);
      }
      brushLine.setAttribute('stroke-dasharray', brush.dashed ? '4 3' : 'none');
      if (!brushShown) brushSvg.style.display = '';
      brushShown = true;
    },
    dispose() {
      root.remove();
    },
  };
}
