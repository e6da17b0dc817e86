// Pure colours of the compare layer (compareLayer.ts): each label's own colour lightened towards white, so another
// reader's rim reads apart from the same label's fill beneath it (dark labels — the blue discs — most of all) while
// keeping the label's hue. No vtk.js import.
import { LABEL_VALUE_COUNT, labelColor, type ColorNode } from './labelAppearance.js';

/** Share of white mixed into a label's colour for its compare outline. */
export const COMPARE_LIGHTEN = 0.4;

/** RGB (0..255, rounded) of the compare outline of a label value. */
export function compareColor(value: number): [number, number, number] {
  const [r, g, b] = labelColor(value);
  const lift = (c: number): number => Math.round(c + (255 - c) * COMPARE_LIGHTEN);
  return value === 0 ? [0, 0, 0] : [lift(r), lift(g), lift(b)];
}

/** vtkColorTransferFunction nodes of the compare layer: a flat step of each value's compare colour (as labelColorNodes). */
export function compareColorNodes(): ColorNode[] {
  const nodes: ColorNode[] = [];
  for (let v = 0; v < LABEL_VALUE_COUNT; v++) {
    const [r, g, b] = compareColor(v);
    for (const x of [v - 0.4, v + 0.4]) nodes.push({ x, r: r / 255, g: g / 255, b: b / 255, midpoint: 0.5, sharpness: 0 });
  }
  return nodes;
}
