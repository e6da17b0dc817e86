// The level anchor check (common/levelAnchor.ts) on crafted centroid data: a spine of vertebrae 30 mm apart along a
// tilted axis, discs half-way below each vertebra; siblings named the same, shifted, disagreeing or not pairable.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../common/geometry.js';
import { checkLevelAnchor, ranges, sequenceName, type LevelLabel } from '../../../common/levelAnchor.js';

const STEP = 30;
const AXIS: Vec3 = [0, Math.sin(0.3), Math.cos(0.3)]; // tilted in the sagittal plane
const at = (s: number, jitter = 0): Vec3 => [jitter, 50 + s * AXIS[1] + jitter, -200 + s * AXIS[2]];

/** Vertebrae at true levels 1..n (labelled true + shift) and the disc below each; `partial` labels the top one 100 + n. */
function spine(opts: { n?: number; shift?: number; jitter?: number; partialTop?: boolean; discs?: boolean; along?: number } = {}): LevelLabel[] {
  const { n = 7, shift = 0, jitter = 0, partialTop = false, discs = true, along = 0 } = opts;
  const out: LevelLabel[] = [];
  for (let t = 1; t <= n; t++) {
    const label = t + shift;
    out.push({ value: partialTop && t === n ? 100 + label : label, centroidWorld: at(t * STEP + along, jitter) });
    if (discs) out.push({ value: 200 + label, centroidWorld: at(t * STEP - STEP / 2 + along, jitter) });
  }
  out.push({ value: 100, centroidWorld: at(100) }); // the canal: no level
  return out;
}

const OVERVIEW = { numVertebrae: 7, numDiscs: 7 };
const CSV = [1, 2, 3, 4, 5, 6, 7];

describe('checkLevelAnchor', () => {
  it('says OK in one line when every check agrees', () => {
    const r = checkLevelAnchor({
      seriesId: '12_t2',
      labels: spine(),
      siblings: [{ seriesId: '12_t2_SPACE', labels: spine({ jitter: 2 }) }, { seriesId: '12_t1', labels: spine({ jitter: -3 }) }],
      overview: OVERVIEW,
      csvLevels: [0, ...CSV], // the CSV's IVD label 0 rows are no level
    });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ ok: true, lowest: 1, highest: 7, vertebrae: 7, discs: 7, shift: null, noShift: 'the naming is not off' });
    expect(r.siblings).toEqual([
      { seriesId: '12_t1', name: 'T1', offset: 0 },
      { seriesId: '12_t2_SPACE', name: 'T2 SPACE', offset: 0 },
    ]);
    expect(r.line).toBe('Levels L5–T11: 7 vertebrae, 7 discs, T1 = T2 = T2 SPACE ✓');
  });

  it('finds a series named one level too high against two siblings and offers the certain shift down', () => {
    const r = checkLevelAnchor({
      seriesId: '12_t2',
      labels: spine({ shift: 1 }),
      siblings: [{ seriesId: '12_t1', labels: spine() }, { seriesId: '12_t2_SPACE', labels: spine({ jitter: 4 }) }],
      overview: OVERVIEW,
      csvLevels: CSV,
    });
    expect(r.ok).toBe(false);
    expect(r.lowest).toBe(2);
    expect(r.problems).toEqual([
      'lowest vertebra is 2 (L4), not 1 (L5)',
      'T2 is named 1 level above T1, T2 SPACE',
      'gradings CSV levels 1–7, discs 2–8',
    ]);
    expect(r.shift).toEqual({ from: 2, to: 8, delta: -1, why: 'T1 and T2 SPACE name the same vertebrae 1 level lower' });
    expect(r.line).toBe('⚠ Levels L4–T10: 7 vertebrae, 7 discs: lowest vertebra is 2 (L4), not 1 (L5); T2 is named 1 level above T1, T2 SPACE; gradings CSV levels 1–7, discs 2–8');
  });

  it('with one sibling, shifts only when that sibling counts from 1 and the shift makes this series count from 1', () => {
    const one = checkLevelAnchor({ seriesId: '3_t2', labels: spine({ shift: 2 }), siblings: [{ seriesId: '3_t1', labels: spine() }] });
    expect(one.shift).toMatchObject({ from: 3, to: 9, delta: -2, why: 'T1 counts the same vertebrae from 1 (the lowest above the sacrum)' });
    expect(one.problems).toContain('T2 is named 2 levels above T1');

    // This series counts from 1, the sibling from 2: this one is not the wrong one (no shift up).
    const other = checkLevelAnchor({ seriesId: '3_t2', labels: spine(), siblings: [{ seriesId: '3_t1', labels: spine({ shift: 1 }) }] });
    expect(other.ok).toBe(false);
    expect(other.problems).toEqual(['T2 is named 1 level below T1']);
    expect(other.shift).toBeNull();
    expect(other.noShift).toBe('only T1 to compare with, and the shift would not make T2 count from 1');
  });

  it('offers no shift when the siblings disagree, name the same, cannot be paired, or are absent', () => {
    const disagree = checkLevelAnchor({
      seriesId: '4_t2', labels: spine({ shift: 1 }),
      siblings: [{ seriesId: '4_t1', labels: spine() }, { seriesId: '4_t2_SPACE', labels: spine({ shift: 1 }) }],
    });
    expect(disagree.shift).toBeNull();
    expect(disagree.noShift).toBe('the sibling series disagree with each other');

    const same = checkLevelAnchor({ seriesId: '4_t2', labels: spine({ shift: 1 }), siblings: [{ seriesId: '4_t1', labels: spine({ shift: 1 }) }] });
    expect(same.problems).toEqual(['lowest vertebra is 2 (L4), not 1 (L5)']);
    expect(same.noShift).toBe('the sibling series name the vertebrae the same way');
    expect(same.line).toBe('⚠ Levels L4–T10: 7 vertebrae, 7 discs: lowest vertebra is 2 (L4), not 1 (L5)');

    // Half a step apart along the spine: no vertebra lies within half a step of exactly one sibling vertebra pattern.
    const apart = checkLevelAnchor({ seriesId: '4_t2', labels: spine(), siblings: [{ seriesId: '4_t1', labels: spine({ along: STEP * 0.6, shift: 3 }) }] });
    expect(apart.siblings[0]!.offset).toBeNull();
    expect(apart.problems).toEqual(["T2 vertebrae do not pair with T1's"]);
    expect(apart.noShift).toBe('the vertebrae do not pair with every sibling series');

    const alone = checkLevelAnchor({ seriesId: '4_t2', labels: spine({ shift: 1 }), siblings: [{ seriesId: '4_t1', labels: [] }] });
    expect(alone.siblings).toEqual([]);
    expect(alone.noShift).toBe('no sibling series with labels to compare with');
  });

  it('checks the counts against overview.csv and the disc below the lowest vertebra', () => {
    const r = checkLevelAnchor({ seriesId: '5_t1', labels: spine({ partialTop: true }).filter((l) => l.value !== 201), siblings: [], overview: { numVertebrae: 8, numDiscs: null } });
    expect(r.vertebrae).toBe(7); // the partial top vertebra is a level
    expect(r.highest).toBe(7);
    expect(r.problems).toEqual(['no disc 201 (L5/S1) below the lowest vertebra', 'overview.csv says 8 vertebrae, ? discs']);
    expect(r.line).toBe('⚠ Levels L5–T11: 7 vertebrae, 6 discs: no disc 201 (L5/S1) below the lowest vertebra; overview.csv says 8 vertebrae, ? discs');

    const none = checkLevelAnchor({ seriesId: '5_t1', labels: spine({ n: 0 }), siblings: [] });
    expect(none).toMatchObject({ ok: false, lowest: null, shift: null, line: '⚠ Levels: no vertebra labelled in T1' });
  });

  it('refuses a shift that would leave levels 1–25', () => {
    const r = checkLevelAnchor({
      // Vertebrae 22–24 and the disc above the top one (225): one level up, that disc would be 226.
      seriesId: '6_t2', labels: [...spine({ n: 3, shift: 21 }), { value: 225, centroidWorld: at(3.5 * STEP) }],
      siblings: [{ seriesId: '6_t1', labels: spine({ n: 3, shift: 22 }) }, { seriesId: '6_t2_SPACE', labels: spine({ n: 3, shift: 22 }) }],
    });
    expect(r.siblings.map((s) => s.offset)).toEqual([1, 1]);
    expect(r.shift).toBeNull();
    expect(r.noShift).toBe('the shift would move a level out of 1–25');
  });

  it('names sequences and level ranges', () => {
    expect(sequenceName('12_t2_SPACE')).toBe('T2 SPACE');
    expect(sequenceName('7_t1')).toBe('T1');
    expect(ranges([5, 1, 2, 3, 7, 8])).toBe('1–3, 5, 7–8');
    expect(ranges([])).toBe('');
  });
});
