// How locked labels are set apart in the slice views: the label property and tables labelTables hands vtk.
import { describe, expect, it } from 'vitest';
import { LOCKED_INTERIOR, LOCKED_TINT, labelTables, type OpacityNode } from '../../../renderer/viewer/labelAppearance.js';

/** The opacity node value at integer `v` (the flat step's left node). */
const at = (nodes: OpacityNode[], v: number): number => nodes.find((n) => Math.abs(n.x - (v - 0.4)) < 1e-9)!.y;

describe('labelTables', () => {
  it('without locked labels: plain fill (no outline shader) and plain outline, as before', () => {
    const fill = labelTables({ opacity: 0.6, mode: 'fill', hidden: new Set([3]), locked: new Set() });
    expect(fill).toMatchObject({ useOutline: false, opacity: 0.6, outline: [] });
    expect([at(fill.opacityNodes, 0), at(fill.opacityNodes, 1), at(fill.opacityNodes, 3)]).toEqual([0, 1, 0]);
    const outline = labelTables({ opacity: 0.6, mode: 'outline', hidden: new Set([3]) });
    expect(outline).toMatchObject({ useOutline: true, opacity: 0 });
    expect([outline.outline[0], outline.outline[2]]).toEqual([0.6, 0]);
  });

  it('fill: a locked label keeps a solid rim and a dimmed interior; the others look as before', () => {
    const t = labelTables({ opacity: 0.6, mode: 'fill', hidden: new Set(), locked: new Set([1]) });
    expect(t).toMatchObject({ useOutline: true, opacity: 1 });
    expect(at(t.opacityNodes, 1)).toBeCloseTo(LOCKED_INTERIOR * 0.6);
    expect(at(t.opacityNodes, 2)).toBeCloseTo(0.6); // interior = rim = the fill opacity: unchanged look
    expect(t.outline[1 - 1]).toBe(1);
    expect(t.outline[2 - 1]).toBe(0.6);
    expect(at(t.opacityNodes, 0)).toBe(0);
  });

  it('outline: a locked label gets a faint tint inside its rim; hidden locked labels stay hidden', () => {
    const t = labelTables({ opacity: 0.8, mode: 'outline', hidden: new Set([2]), locked: new Set([1, 2]) });
    expect(at(t.opacityNodes, 1)).toBeCloseTo(LOCKED_TINT * 0.8);
    expect(at(t.opacityNodes, 3)).toBe(0);
    expect(at(t.opacityNodes, 2)).toBe(0);
    expect([t.outline[0], t.outline[1], t.outline[2]]).toEqual([0.8, 0, 0.8]);
    // Only hidden labels locked: nothing to set apart, the plain outline.
    expect(labelTables({ opacity: 0.8, mode: 'outline', hidden: new Set([2]), locked: new Set([2]) }).opacity).toBe(0);
  });
});
