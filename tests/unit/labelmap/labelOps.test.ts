import { describe, expect, it } from 'vitest';
import { applyDiff } from '../../../common/labelDiff.js';
import { relabel, shiftLevels, swapLabels } from '../../../renderer/labelmap/index.js';
import { volume } from './grid.js';

// A 4×2×1 "spine": L5 (1), L4 (2), disc L5/S1 (201), disc L4/L5 (202), canal (100), partial L3 (103), background.
// prettier-ignore
const SPINE = [
  1, 201,   2, 202,
  0, 100, 103,   0,
];

describe('relabel and swapLabels', () => {
  it('relabel moves every voxel of one label to another and reports the diff', () => {
    const vol = volume([4, 2, 1], { labels: SPINE });
    const result = relabel(vol, 2, 3);
    expect(Array.from(vol.labels)).toEqual([1, 201, 3, 202, 0, 100, 103, 0]);
    expect(result).toEqual({ ok: true, diff: { indices: Uint32Array.of(2), before: Uint8Array.of(2), after: Uint8Array.of(3) } });
  });

  it('swapLabels exchanges two labels, and undoes through the diff', () => {
    const vol = volume([4, 2, 1], { labels: SPINE });
    const result = swapLabels(vol, 1, 2);
    expect(Array.from(vol.labels)).toEqual([2, 201, 1, 202, 0, 100, 103, 0]);
    if (!result.ok) throw new Error(result.message);
    applyDiff(vol.labels, result.diff, 'backward');
    expect(Array.from(vol.labels)).toEqual(SPINE);
  });

  it('refuses to change a locked label and writes nothing; an absent label is no change', () => {
    const vol = volume([4, 2, 1], { labels: SPINE });
    expect(relabel(vol, 2, 3, { locked: new Set([2]) })).toMatchObject({ ok: false, reason: 'locked', label: 2, message: 'Label 2 (L4) is locked' });
    expect(swapLabels(vol, 1, 2, { locked: new Set([1]) })).toMatchObject({ ok: false, reason: 'locked', label: 1 });
    expect(Array.from(vol.labels)).toEqual(SPINE);
    expect(relabel(vol, 2, 3, { locked: new Set([3]) }).ok).toBe(true); // writing into a locked value is allowed
    expect(relabel(vol, 9, 3)).toMatchObject({ ok: true, diff: { indices: new Uint32Array(0) } });
  });
});

describe('shiftLevels', () => {
  it('moves every vertebra, partial vertebra and disc one level up; canal and background stay', () => {
    const vol = volume([4, 2, 1], { labels: SPINE });
    const result = shiftLevels(vol, 1);
    // prettier-ignore
    expect(Array.from(vol.labels)).toEqual([
      2, 202,   3, 203,
      0, 100, 104,   0,
    ]);
    if (!result.ok) throw new Error(result.message);
    expect(Array.from(result.diff.indices)).toEqual([0, 1, 2, 3, 6]);
    applyDiff(vol.labels, result.diff, 'backward');
    expect(Array.from(vol.labels)).toEqual(SPINE);
  });

  it('moves levels down when there is room', () => {
    const vol = volume([4, 1, 1], { labels: [2, 202, 3, 100] });
    expect(shiftLevels(vol, -1).ok).toBe(true);
    expect(Array.from(vol.labels)).toEqual([1, 201, 2, 100]);
  });

  it('refuses a shift that would push a label out of its range, writing nothing', () => {
    const vol = volume([4, 2, 1], { labels: SPINE });
    expect(shiftLevels(vol, -1)).toMatchObject({ ok: false, reason: 'out-of-range', label: 1 });
    expect(Array.from(vol.labels)).toEqual(SPINE);
    const cases: Array<[labels: number[], delta: 1 | -1, refused: number]> = [
      [[25, 0], 1, 25], // C0 has no level above
      [[3, 225], 1, 225],
      [[3, 125], 1, 125],
      [[101, 3], -1, 101], // partial L5 would become the canal (100)
      [[201, 3], -1, 201],
    ];
    for (const [labels, delta, label] of cases) {
      const top = volume([2, 1, 1], { labels });
      expect(shiftLevels(top, delta)).toMatchObject({ ok: false, reason: 'out-of-range', label });
      expect(Array.from(top.labels)).toEqual(labels);
    }
  });

  it('refuses when a label that would move is locked; a locked canal does not matter', () => {
    const vol = volume([4, 2, 1], { labels: SPINE });
    expect(shiftLevels(vol, 1, { locked: new Set([202]) })).toMatchObject({ ok: false, reason: 'locked', label: 202 });
    expect(Array.from(vol.labels)).toEqual(SPINE);
    expect(shiftLevels(vol, 1, { locked: new Set([100]) }).ok).toBe(true);
  });
});
