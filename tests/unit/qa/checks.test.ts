// Per-series label checks on crafted volumes, each check with a case that must find it and one that must not,
// in both on-disk conventions (identity/LPS and PIR): the spine axis comes from the vertebra centroids in world
// space, so the same anatomy gives the same findings however the array axes are stored.
import { describe, expect, it } from 'vitest';
import { checkSeries, principalAxis, type QaFinding } from '../../../main/core/qa/index.js';
import { canalBox, discBox, rasterise, relabel, spine, vertebraBox, type Box, type Convention } from './craft.js';

const run = (c: Convention, boxes: Box[]): QaFinding[] => checkSeries({ seriesId: 's', ...rasterise(c, boxes) }).findings;
const codes = (fs: QaFinding[]): string[] => fs.map((f) => `${f.code}:${f.labels.join(',')}`).sort();
const without = (boxes: Box[], label: number): Box[] => boxes.filter((b) => b.label !== label);
const box = (label: number, min: Box['min'], max: Box['max']): Box => ({ label, min, max });

describe.each(['A', 'B'] as const)('per-series checks, convention %s', (c) => {
  it('a clean spine has no findings, and its axis points superior', () => {
    expect(run(c, spine())).toEqual([]);
    const r = checkSeries({ seriesId: 's', ...rasterise(c, spine()) });
    const cents = r.summary.labels.filter((l) => l.value <= 25).map((l) => l.centroidWorld);
    const axis = principalAxis(cents);
    expect(axis[2]).toBeGreaterThan(0.999);
  });

  it('level_gap: a missing vertebra between present ones', () => {
    expect(codes(run(c, without(spine(), 3)).filter((f) => f.code === 'level_gap'))).toEqual(['level_gap:3']);
    // Vertebra 5 missing at the top is no gap (disc 205 then has no vertebra above: a warning of its own).
    expect(run(c, without(spine(), 5)).filter((f) => f.code === 'level_gap')).toEqual([]);
  });

  it('partial vertebrae: only at the ends, never next to the whole one', () => {
    expect(run(c, relabel(spine(), { 5: 105 }))).toEqual([]);
    expect(run(c, relabel(spine(), { 1: 101 }))).toEqual([]);
    expect(codes(run(c, relabel(spine(), { 3: 103 })))).toEqual(['partial_not_at_end:103']);
    const dup = [...spine(), box(105, [-15, -12, 168], [15, 12, 172])];
    expect(codes(run(c, dup)).filter((x) => x.startsWith('duplicate'))).toEqual(['duplicate_level:5,105']);
  });

  it('level_order: swapped vertebra labels', () => {
    const fs = run(c, relabel(spine(), { 2: 3, 3: 2 }));
    expect(codes(fs.filter((f) => f.code === 'level_order'))).toEqual(['level_order:2,3']);
    expect(fs.find((f) => f.code === 'level_order')!.ijk).toBeDefined();
  });

  it('disc_not_touching: a disc that does not reach its upper vertebra', () => {
    const boxes = spine().map((b) => (b.label === 203 ? { ...b, max: [12, 10, vertebraZ3() - 16] as Box['max'] } : b));
    expect(codes(run(c, boxes))).toEqual(['disc_not_touching:203,3']);
  });

  it('disc_position: discs 203 and 204 exchanged', () => {
    const fs = run(c, relabel(spine(), { 203: 204, 204: 203 }));
    const pos = codes(fs.filter((f) => f.code === 'disc_position'));
    expect(pos).toEqual(['disc_position:203,2,3', 'disc_position:204,3,4']);
  });

  it('disc_without_vertebra: a disc above the top vertebra', () => {
    expect(codes(run(c, [...spine(), discBox(6)]))).toEqual(['disc_without_vertebra:206']);
  });

  it('island: a small stray part is a warning, a split structure an error, with size and position', () => {
    const island: Box = { label: 2, min: [-3, -22, 118], max: [3, -18, 122] };
    const fs = run(c, [...spine(), island]);
    expect(codes(fs)).toEqual(['island:2']);
    expect(fs[0]!.severity).toBe('warning');
    expect(fs[0]!.world![1]).toBeCloseTo(-20, 0);
    expect(fs[0]!.world![2]).toBeCloseTo(120, 0);
    // Cut disc 204 in two by background across its whole height at x = 0 (one sagittal plane).
    const split = [...spine(), box(0, [-1, -40, 90], [1, 40, 125])];
    const sf = run(c, split).filter((f) => f.labels.includes(204));
    expect(codes(sf)).toEqual(['island:204']);
    expect(sf[0]!.severity).toBe('error');
  });

  it('canal_gap and canal_missing', () => {
    const cut = [...spine(), box(0, [-6, 15, 80], [6, 25, 90])];
    const fs = run(c, cut);
    // The cut canal is also in two parts.
    expect(codes(fs)).toEqual(['canal_gap:100', 'island:100']);
    const gap = fs.find((f) => f.code === 'canal_gap')!;
    expect(gap.world![2]).toBeGreaterThan(70);
    expect(gap.world![2]).toBeLessThan(100);
    expect(codes(run(c, without(spine(), 100)))).toEqual(['canal_missing:100']);
    // A canal that stops below the top vertebra's centroid is interrupted; one reaching past it is not.
    const short = spine().map((b) => (b.label === 100 ? { ...canalBox(), max: [5, 24, 120] as Box['max'] } : b));
    expect(codes(run(c, short))).toEqual(['canal_gap:100']);
  });

  it('far_from_spine: a labelled part far in front of the spine', () => {
    const far: Box = { label: 4, min: [-3, -40, 118], max: [3, -36, 122] };
    const fs = run(c, [...spine(), far]);
    expect(codes(fs)).toEqual(['far_from_spine:4', 'island:4']);
    expect(fs.find((f) => f.code === 'far_from_spine')!.severity).toBe('error');
  });

  it('unknown_label: a value outside the convention', () => {
    expect(codes(run(c, [...spine(), box(150, [-3, 26, 60], [3, 30, 64])]))).toEqual(['unknown_label:150']);
  });
});

function vertebraZ3(): number {
  return vertebraBox(3).min[2] + 10;
}

describe('both conventions give the same findings', () => {
  it('same codes, labels and world positions for a phantom with several faults', () => {
    const boxes = [
      ...relabel(without(spine(), 4), { 1: 2, 2: 1 }),
      box(3, [-3, -22, 88], [3, -18, 92]),
      box(0, [-6, 15, 130], [6, 25, 140]),
    ];
    const a = run('A', boxes), b = run('B', boxes);
    expect(a.length).toBeGreaterThan(4);
    const key = (f: QaFinding): string => `${f.code}:${f.labels.join(',')}:${f.severity}`;
    expect(a.map(key)).toEqual(b.map(key));
    a.forEach((f, n) => {
      const g = b[n]!;
      if (!f.world) return expect(g.world).toBeUndefined();
      for (const ax of [0, 1, 2]) expect(Math.abs(f.world[ax]! - g.world![ax]!)).toBeLessThanOrEqual(3.1);
    });
    expect(a.map((f) => f.code)).toEqual(expect.arrayContaining(['level_gap', 'level_order', 'island', 'canal_gap']));
  });
});
