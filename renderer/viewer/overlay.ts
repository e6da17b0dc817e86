// HTML/SVG overlay of one slice view: crosshair lines, orientation letters at the edges, the slice caption, the
// brush outline, rulers and angles, the scale bar, the window/level + zoom readout and the slice slider. Plain DOM,
// no vtk.js (moving any of it never re-renders the view). Only the slice slider takes pointer events (and keeps
// them from the view); everything else lets them through to the view cell below (interaction.ts).
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
  /** Hides the crosshair lines whatever setCrosshair says (the crosshair itself still moves). */
  setCrosshairVisible(visible: boolean): void;
  /** Window/level and zoom (relative to fit) readout; null hides it. */
  setReadout(readout: { window: number; level: number; zoom: number } | null): void;
  /** Scale bar for the view's current CSS px per mm; null hides it. */
  setScale(pxPerMm: number | null): void;
  /** Rulers and angles lying in the displayed slice, in display positions (CSS px); replaces what was drawn. */
  setMeasurements(shapes: readonly DrawnMeasurement[]): void;
  /**
   * Index change of one +1 slice step (the frame's sliceStep): the slider's top end is always the +1 side (L / P /
   * S for sagittal / coronal / axial), whichever way the file's index runs.
   */
  setSliceStep(step: 1 | -1): void;
  /** The slice slider was moved to a slice index (file index order). */
  onSliceInput(cb: (index: number) => void): void;
  dispose(): void;
}

/** A measurement as the overlay draws it: display points (2 = ruler, 3 = angle with the vertex in the middle). */
export interface DrawnMeasurement {
  key: string;
  xy: ReadonlyArray<readonly [number, number]>;
  label: string;
  draft: boolean;
  highlighted: boolean;
}

/** Colour of rulers and angles (a highlighted one is drawn brighter and thicker). */
const MEASURE_COLOR = '#4fd8ff';
const MEASURE_HIGHLIGHT = '#fffb8f';

/**
 * The scale bar's length in mm: the longest 1, 2 or 5 × 10^n mm that fits in `maxPx` CSS px (at least 0.1 mm).
 * Exported for tests.
 */
export function scaleBarMm(pxPerMm: number, maxPx = 120): number {
  const limit = maxPx / pxPerMm;
  let best = 0.1;
  for (let exp = -1; exp <= 4; exp++) {
    for (const m of [1, 2, 5]) {
      const mm = m * 10 ** exp;
      if (mm <= limit) best = mm;
    }
  }
  return best;
}

/** A window or level figure: whole numbers for MR intensities, three significant digits below 10. */
function readoutNumber(v: number): string {
  return Math.abs(v) >= 10 ? Math.round(v).toString() : v.toPrecision(3);
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

  // Rulers and angles: one SVG group per measurement (halo line under a coloured line, end marks, label).
  const measureSvg = document.createElementNS(SVG_NS, 'svg');
  measureSvg.setAttribute('style', 'position:absolute;inset:0;width:100%;height:100%;overflow:visible;');
  measureSvg.dataset['measurements'] = view;
  root.appendChild(measureSvg);

  // Window/level + zoom readout, top left (the layout's corner buttons are top right).
  const readout = styled(
    'div',
    'position:absolute;left:6px;top:5px;font:11px/1.35 system-ui,sans-serif;color:#e8e8e8;text-shadow:0 0 3px #000,0 0 2px #000;' +
      'white-space:pre;display:none;',
  );
  readout.dataset['readout'] = view;
  root.appendChild(readout);

  // Scale bar, bottom right (left of the slice slider): a bar with end ticks and its length.
  const scale = styled('div', 'position:absolute;right:30px;bottom:6px;display:none;text-align:center;');
  scale.dataset['scaleBar'] = view;
  const scaleText = styled('div', 'font:11px/1 system-ui,sans-serif;color:#fff;text-shadow:0 0 3px #000,0 0 2px #000;margin-bottom:2px;');
  const scaleBar = styled('div', 'height:4px;border:1.5px solid #fff;border-top:none;box-shadow:0 1px 2px #000;');
  scale.append(scaleText, scaleBar);
  root.appendChild(scale);

  // Slice slider along the right edge (top = the +1 side: L / P / S), below the corner buttons. The only element of the
  // overlay that takes pointer events; a press on it never reaches the view (no crosshair move, no tool stroke).
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.min = '0';
  slider.step = '1';
  slider.title = 'Slice (drag; the wheel over the view scrolls too)';
  slider.setAttribute('aria-label', `${VIEW_TITLES[view]} slice`);
  slider.dataset['sliceSlider'] = view;
  slider.style.cssText =
    'position:absolute;right:3px;top:34px;bottom:26px;width:16px;margin:0;pointer-events:auto;display:none;' +
    'writing-mode:vertical-lr;direction:rtl;accent-color:' + VIEW_COLORS[view] + ';opacity:0.75;cursor:ns-resize;';
  for (const type of ['pointerdown', 'mousedown', 'click', 'dblclick']) slider.addEventListener(type, (e) => e.stopPropagation());
  let sliceInput: ((index: number) => void) | null = null;
  let sliceStep: 1 | -1 = 1;
  let sliceCount = 0;
  /** What the scale bar and the measurement layer show now: slice scrolling and panning redraw only on change. */
  let scaleShown = '';
  let measurementsShown = 0;
  // Slider position <-> file slice index (the same map both ways).
  const flip = (v: number): number => (sliceStep > 0 ? v : sliceCount - 1 - v);
  slider.addEventListener('input', () => sliceInput?.(flip(Number(slider.value))));
  root.appendChild(slider);
  // The right-edge letter moves left of the slider.
  letters.right.style.right = '24px';
  cell.appendChild(root);

  let crosshairVisible = true;
  let crosshairShown = false;

  return {
    setCrosshair(xy, verticalColor, horizontalColor) {
      crosshairShown = xy !== null;
      svg.style.display = xy && crosshairVisible ? '' : 'none';
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
      slider.style.display = slice && slice.count > 1 ? '' : 'none';
      if (!slice) return;
      sliceCount = slice.count;
      slider.max = `${slice.count - 1}`;
      const position = `${flip(slice.index)}`;
      // Not while it is being dragged to the same value (keeps the thumb under the pointer).
      if (slider.value !== position) slider.value = position;
    },
    setSliceStep(step) {
      sliceStep = step;
    },
    setCrosshairVisible(visible) {
      crosshairVisible = visible;
      root.dataset['crosshair'] = visible ? 'shown' : 'hidden';
      svg.style.display = crosshairShown && crosshairVisible ? '' : 'none';
    },
    setReadout(r) {
      readout.style.display = r ? '' : 'none';
      if (!r) return;
      const text = `W ${readoutNumber(r.window)}  L ${readoutNumber(r.level)}\nZoom ${r.zoom.toFixed(2)}×`;
      if (readout.textContent !== text) readout.textContent = text;
    },
    setScale(pxPerMm) {
      if (!pxPerMm || !Number.isFinite(pxPerMm) || pxPerMm <= 0) {
        if (scaleShown !== 'none') scale.style.display = 'none';
        scaleShown = 'none';
        return;
      }
      const mm = scaleBarMm(pxPerMm);
      const width = `${(mm * pxPerMm).toFixed(1)}px`;
      if (scaleShown === `${mm}:${width}`) return;
      scaleShown = `${mm}:${width}`;
      scale.style.display = '';
      scale.dataset['mm'] = `${mm}`;
      scaleBar.style.width = width;
      scaleText.textContent = mm >= 1 ? `${mm} mm` : `${mm.toFixed(1)} mm`;
    },
    setMeasurements(shapes) {
      if (shapes.length === 0 && measurementsShown === 0) return;
      measurementsShown = shapes.length;
      drawMeasurements(measureSvg, shapes);
    },
    onSliceInput(cb) {
      sliceInput = cb;
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

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, `${v}`);
  return el;
}

/** Redraws every measurement group (a handful at most: cheap enough to rebuild on each change). */
function drawMeasurements(svg: SVGSVGElement, shapes: readonly DrawnMeasurement[]): void {
  svg.replaceChildren();
  for (const m of shapes) {
    if (m.xy.length < 2) continue;
    const g = svgEl('g', {});
    g.dataset['measurement'] = m.key;
    if (m.draft) g.dataset['draft'] = '';
    const color = m.highlighted ? MEASURE_HIGHLIGHT : MEASURE_COLOR;
    const points = m.xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    g.appendChild(svgEl('polyline', { points, fill: 'none', stroke: '#000', 'stroke-opacity': 0.6, 'stroke-width': m.highlighted ? 4 : 3, 'stroke-linejoin': 'round' }));
    const line = svgEl('polyline', { points, fill: 'none', stroke: color, 'stroke-width': m.highlighted ? 2 : 1.5, 'stroke-linejoin': 'round' });
    if (m.draft) line.setAttribute('stroke-dasharray', '5 3');
    g.appendChild(line);
    for (const [x, y] of m.xy) g.appendChild(svgEl('circle', { cx: x, cy: y, r: 2.5, fill: color, stroke: '#000', 'stroke-width': 1 }));
    if (m.xy.length === 3) {
      // The angle's arc at the vertex, between the two arms.
      const arc = angleArc(m.xy[0]!, m.xy[1]!, m.xy[2]!, 14);
      if (arc) g.appendChild(svgEl('path', { d: arc, fill: 'none', stroke: color, 'stroke-width': 1 }));
    }
    if (m.label) {
      // Label beside the ruler's far end, or beside the angle's vertex.
      const anchor = m.xy.length === 3 ? m.xy[1]! : m.xy[m.xy.length - 1]!;
      const text = svgEl('text', {
        x: anchor[0] + 8,
        y: anchor[1] - 8,
        fill: color,
        stroke: '#000',
        'stroke-width': 3,
        'stroke-opacity': 0.8,
        'paint-order': 'stroke',
        'font-family': 'system-ui, sans-serif',
        'font-size': 12,
        'font-weight': 600,
      });
      text.dataset['measurementLabel'] = m.key;
      text.textContent = m.label;
      g.appendChild(text);
    }
    svg.appendChild(g);
  }
}

/** SVG path of a circular arc of radius r at vertex b from arm b→a to arm b→c (the smaller angle); null if degenerate. */
function angleArc(a: readonly [number, number], b: readonly [number, number], c: readonly [number, number], r: number): string | null {
  const u = [a[0] - b[0], a[1] - b[1]];
  const v = [c[0] - b[0], c[1] - b[1]];
  const lu = Math.hypot(u[0]!, u[1]!);
  const lv = Math.hypot(v[0]!, v[1]!);
  if (lu < 1 || lv < 1) return null;
  const rr = Math.min(r, lu, lv);
  const p = [b[0] + (u[0]! / lu) * rr, b[1] + (u[1]! / lu) * rr];
  const q = [b[0] + (v[0]! / lv) * rr, b[1] + (v[1]! / lv) * rr];
  const sweep = u[0]! * v[1]! - u[1]! * v[0]! > 0 ? 1 : 0;
  return `M ${p[0]!.toFixed(1)} ${p[1]!.toFixed(1)} A ${rr} ${rr} 0 0 ${sweep} ${q[0]!.toFixed(1)} ${q[1]!.toFixed(1)}`;
}
