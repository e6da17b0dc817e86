// Pure tables behind the label overlay: colour and opacity per mask value (0..255) as transfer-function nodes,
// and the per-label outline opacities vtkImageProperty takes. No vtk.js import: viewer.ts feeds these to vtk.
import { isKnownLabel, labelInfo } from '../../common/labels.js';

/** Mask values are bytes. */
export const LABEL_VALUE_COUNT = 256;

/**
 * Half width of the flat step around each integer value. vtkImageMapper samples the transfer functions into a
 * 1024-texel table over [-STEP, 255 + STEP]; a texel lands at most 0.15 from the integer it serves, so every
 * value reads exactly its own colour and opacity and never a blend with its neighbour.
 */
const STEP = 0.4;

/** Colour of values outside the SPIDER convention (still visible, clearly not a known structure). */
const UNKNOWN_COLOR: [number, number, number] = [255, 255, 255];

export interface ColorNode {
  x: number;
  r: number;
  g: number;
  b: number;
  midpoint: number;
  sharpness: number;
}
export interface OpacityNode {
  x: number;
  y: number;
  midpoint: number;
  sharpness: number;
}

/** RGB (0..255) drawn for a mask value. */
export function labelColor(value: number): [number, number, number] {
  if (value === 0) return [0, 0, 0];
  return isKnownLabel(value) ? labelInfo(value).color : UNKNOWN_COLOR;
}

/** vtkColorTransferFunction nodes: a flat step of each value's colour around every integer 0..255. */
export function labelColorNodes(): ColorNode[] {
  const nodes: ColorNode[] = [];
  for (let v = 0; v < LABEL_VALUE_COUNT; v++) {
    const [r, g, b] = labelColor(v);
    for (const x of [v - STEP, v + STEP]) nodes.push({ x, r: r / 255, g: g / 255, b: b / 255, midpoint: 0.5, sharpness: 0 });
  }
  return nodes;
}

/** vtkPiecewiseFunction nodes: opacity 1 for shown labels, 0 for background and hidden labels. */
export function labelOpacityNodes(hidden: ReadonlySet<number>): OpacityNode[] {
  return opacityNodesOf((v) => (v === 0 || hidden.has(v) ? 0 : 1));
}

/** vtkPiecewiseFunction nodes: a flat step of `y(v)` around every integer 0..255. */
function opacityNodesOf(y: (v: number) => number): OpacityNode[] {
  const nodes: OpacityNode[] = [];
  for (let v = 0; v < LABEL_VALUE_COUNT; v++) {
    const yv = y(v);
    for (const x of [v - STEP, v + STEP]) nodes.push({ x, y: yv, midpoint: 0.5, sharpness: 0 });
  }
  return nodes;
}

/**
 * Per-label outline opacity as vtkImageProperty.setLabelOutlineOpacity wants it: entry v-1 is label v.
 * The outline shader ignores the opacity transfer function, so hidden labels must be zeroed here too.
 */
export function outlineOpacities(hidden: ReadonlySet<number>, opacity: number): number[] {
  const out: number[] = [];
  for (let v = 1; v < LABEL_VALUE_COUNT; v++) out.push(hidden.has(v) ? 0 : opacity);
  return out;
}

/** True when two hidden sets hold the same values. */
export function sameHidden(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}

/** What the overlay shows, as labelTables reads it (the viewer's LabelDisplay). */
export interface LabelTablesInput {
  opacity: number;
  mode: 'fill' | 'outline';
  hidden: ReadonlySet<number>;
  /** Labels no tool may overwrite: drawn set apart (see labelTables). */
  locked?: ReadonlySet<number>;
}

/** Share of the fill opacity a locked label's interior keeps in 'fill' mode (its rim is drawn solid). */
export const LOCKED_INTERIOR = 0.4;
/** Share of the outline opacity a locked label's interior is tinted with in 'outline' mode. */
export const LOCKED_TINT = 0.35;

/** The label image property and tables for a display: what viewer.ts hands vtk. */
export interface LabelTables {
  /** vtkImageProperty.setUseLabelOutline. */
  useOutline: boolean;
  /** vtkImageProperty.setOpacity (multiplies the opacity nodes inside labels). */
  opacity: number;
  opacityNodes: OpacityNode[];
  /** vtkImageProperty.setLabelOutlineOpacity (only when useOutline). */
  outline: number[];
}

/**
 * The label layer of a display. Without locked labels it is the plain fill (one opacity for all) or outline
 * (rims only). A shown locked label looks locked in both modes while staying readable: in 'fill' mode its rim is
 * solid and its interior dimmed to LOCKED_INTERIOR of the fill; in 'outline' mode its interior gets a faint tint
 * (LOCKED_TINT of the outline opacity) inside the usual rim. Both need vtk's outline shader, whose interior
 * opacity is per label (opacity nodes × property opacity) and whose rim opacity is per label.
 */
export function labelTables(d: LabelTablesInput): LabelTables {
  const shownLocked = [...(d.locked ?? [])].filter((v) => v > 0 && v < LABEL_VALUE_COUNT && !d.hidden.has(v));
  const outlineMode = d.mode === 'outline';
  if (shownLocked.length === 0) {
    return {
      useOutline: outlineMode,
      opacity: outlineMode ? 0 : d.opacity,
      opacityNodes: labelOpacityNodes(d.hidden),
      outline: outlineMode ? outlineOpacities(d.hidden, d.opacity) : [],
    };
  }
  const locked = new Set(shownLocked);
  const off = (v: number): boolean => v === 0 || d.hidden.has(v);
  const interior = (v: number): number => {
    if (off(v)) return 0;
    if (outlineMode) return locked.has(v) ? LOCKED_TINT * d.opacity : 0;
    return locked.has(v) ? LOCKED_INTERIOR * d.opacity : d.opacity;
  };
  const outline: number[] = [];
  for (let v = 1; v < LABEL_VALUE_COUNT; v++) outline.push(off(v) ? 0 : !outlineMode && locked.has(v) ? 1 : d.opacity);
  return { useOutline: true, opacity: 1, opacityNodes: opacityNodesOf(interior), outline };
}
