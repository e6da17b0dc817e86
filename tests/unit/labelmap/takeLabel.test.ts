// takeLabelDiff (adjudication: "label L := the source's L"): checked against the rule written out voxel by voxel
// (an independent per-voxel expectation), on hand-made grids and on random volumes; locked labels refuse by name.
import { describe, expect, it } from 'vitest';
import { applyDiff } from '../../../common/labelDiff.js';
import { sameLabelRegion, takeLabelDiff } from '../../../renderer/labelmap/index.js';

/** The rule, voxel by voxel: the expected volume after taking `label` from `src`. */
function expected(cur: readonly number[] | Uint8Array, src: readonly number[] | Uint8Array, label: number): number[] {
  return Array.from(cur, (c, i) => (src[i] === label ? label : c === label ? 0 : c));
}

describe('takeLabelDiff', () => {
  it('makes the label exactly the source\'s region; its other voxels become background; nothing else moves', () => {
    // cur: L3 (3) at 1,2; L2 (4) at 3; disc 203 at 4. src: L3 at 2,3,4 (over L4 and the disc), canal at 5.
    const cur = Uint8Array.of(0, 3, 3, 4, 203, 0, 0);
    const src = Uint8Array.of(0, 0, 3, 3, 3, 100, 0);
    const r = takeLabelDiff(cur, src, 3);
    if (!r.ok) throw new Error(r.message);
    expect(Array.from(r.diff.indices)).toEqual([1, 3, 4]);
    expect(Array.from(r.diff.before)).toEqual([3, 4, 203]);
    expect(Array.from(r.diff.after)).toEqual([0, 3, 3]);
    const out = cur.slice();
    applyDiff(out, r.diff, 'forward');
    expect(Array.from(out)).toEqual([0, 0, 3, 3, 3, 0, 0]); // the canal of the source is not taken
    expect(sameLabelRegion(out, src, 3)).toBe(true);
    expect(Array.from(out)).toEqual(expected(cur, src, 3));
  });

  it('is empty when the regions already agree (other labels may differ)', () => {
    const cur = Uint8Array.of(1, 2, 0, 5);
    const src = Uint8Array.of(1, 0, 7, 9);
    const r = takeLabelDiff(cur, src, 1);
    expect(r.ok && r.diff.indices.length).toBe(0);
    expect(sameLabelRegion(cur, src, 1)).toBe(true);
    expect(sameLabelRegion(cur, src, 2)).toBe(false);
  });

  it('a label the source does not have is removed; one only the source has is added', () => {
    expect(Array.from((takeLabelDiff(Uint8Array.of(4, 4, 0), Uint8Array.of(0, 0, 0), 4) as { ok: true; diff: { after: Uint8Array } }).diff.after)).toEqual([0, 0]);
    const r = takeLabelDiff(Uint8Array.of(0, 0, 1), Uint8Array.of(0, 4, 1), 4);
    if (!r.ok) throw new Error(r.message);
    expect(Array.from(r.diff.indices)).toEqual([1]);
  });

  it('follows the rule on random volumes, for every label present', () => {
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const values = [0, 0, 0, 1, 2, 3, 100, 201, 202];
    for (let round = 0; round < 20; round++) {
      const n = 500;
      const cur = Uint8Array.from({ length: n }, () => values[rnd(values.length)]!);
      const src = Uint8Array.from(cur, (c) => (rnd(4) === 0 ? values[rnd(values.length)]! : c));
      for (const label of [1, 2, 3, 100, 201, 202]) {
        const r = takeLabelDiff(cur, src, label);
        if (!r.ok) throw new Error(r.message);
        const out = cur.slice();
        applyDiff(out, r.diff, 'forward');
        expect(Array.from(out)).toEqual(expected(cur, src, label));
        // Minimal: every voxel in the diff changes, indices strictly ascending.
        for (let d = 0; d < r.diff.indices.length; d++) {
          expect(r.diff.before[d]).not.toBe(r.diff.after[d]);
          if (d > 0) expect(r.diff.indices[d]!).toBeGreaterThan(r.diff.indices[d - 1]!);
        }
      }
    }
  });

  it('refuses a locked label, or overwriting another locked label, naming it; an unchanged locked label is fine', () => {
    const cur = Uint8Array.of(3, 4, 0);
    const src = Uint8Array.of(3, 3, 0);
    const lockedSelf = takeLabelDiff(cur, src, 3, new Set([3]));
    expect(lockedSelf).toMatchObject({ ok: false, label: 3 });
    expect(!lockedSelf.ok && lockedSelf.message).toBe('Label 3 (L3) is locked: unlock it to take it from another reader');
    const lockedOther = takeLabelDiff(cur, src, 3, new Set([4]));
    expect(lockedOther).toMatchObject({ ok: false, label: 4 });
    expect(!lockedOther.ok && lockedOther.message).toMatch(/^Label 4 \(L2\) is locked: taking 3 \(L3\) would overwrite 1 of its voxels$/);
    expect(takeLabelDiff(Uint8Array.of(3, 0), Uint8Array.of(3, 0), 3, new Set([3])).ok).toBe(true);
  });

  it('throws on volumes of different lengths or a label outside 1–255', () => {
    expect(() => takeLabelDiff(new Uint8Array(3), new Uint8Array(4), 1)).toThrow(RangeError);
    expect(() => takeLabelDiff(new Uint8Array(3), new Uint8Array(3), 0)).toThrow(RangeError);
  });
});
