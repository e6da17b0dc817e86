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
  const nodes: OpacityNode[] = [];
  for (let v = 0; v < LABEL_VALUE_COUNT; v++) {
    const y = v === 0 || hidden.has(v) ? 0 : 1;
    for (const x of [v - STEP, v + STEP]) nodes.push({ x, y, midpoint: 0.5, sharpness: 0 });
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
