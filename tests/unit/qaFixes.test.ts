// One-click QA fixes (renderer/qa): on crafted label volumes in both on-disk conventions, the real checks
// (main/core/qa) find the fault, fixFor offers the fix only where it is certain, buildFix's diff applied to the
// volume makes the checks stop reporting it without adding an error, and locked labels refuse the fix by name.
import { describe, expect, it } from 'vitest';
import { applyDiff, assertValidDiff } from '../../common/labelDiff.js';
import type { QaSeriesReport } from '../../common/contract.js';
import { checkSeries, siblingLevels, SPLIT_FRACTION, type QaFinding, type SeriesQaSummary } from '../../main/core/qa/index.js';
import { fixFor, fixLabel, type QaFix } from '../../renderer/qa/decide.js';
import { buildFix, QA_SPLIT_FRACTION } from '../../renderer/qa/fixes.js';
import { discBox, rasterise, relabel, spine, vertebraBox, type Box, type Convention } from './qa/craft.js';

interface Series {
  id: string;
  labels: Uint8Array;
  size: [number, number, number];
  check(): { findings: QaFinding[]; summary: SeriesQaSummary };
}

function series(c: Convention, boxes: Box[], id = 's1', patientId = 1, sequence = 't1'): Series {
  const { geometry, data } = rasterise(c, boxes);
  const labels = Uint8Array.from(data);
  return {
    id,
    labels,
    size: geometry.size,
    check: () => checkSeries({ seriesId: id, patientId, sequence, geometry, data: labels }),
  };
}

function report(s: Series, siblings: Series[] = []): Pick<QaSeriesReport, 'findings' | 'labels' | 'siblings'> {
  const own = s.check();
  const sibs = siblings.map((x) => x.check().summary);
  const dataset = siblingLevels([own.summary, ...sibs]).filter((f) => f.seriesId === s.id);
  return { findings: [...own.findings, ...dataset], labels: own.summary.labels, siblings: sibs.map((x) => ({ seriesId: x.seriesId, labels: x.labels })) };
}

/** Applies `fix` to the volume (checking the diff's before bytes) and returns its history title. */
function apply(s: Series, fix: QaFix, locked: ReadonlySet<number> = new Set()): string {
  const r = buildFix(fix, { labels: s.labels, size: s.size }, locked);
  if (!r.ok) throw new Error(r.message);
  assertValidDiff(r.diff, s.labels.length);
  expect(r.diff.indices.length).toBeGreaterThan(0);
  applyDiff(s.labels, r.diff, 'forward');
  return r.title;
}

const errors = (s: Series): QaFinding[] => s.check().findings.filter((f) => f.severity === 'error');
const codes = (fs: QaFinding[]): string[] => [...new Set(fs.map((f) => f.code))].sort();

describe.each(['A', 'B'] as const)('QA fixes, convention %s', (c) => {
  it('keeps the split threshold of the checks', () => {
    expect(QA_SPLIT_FRACTION).toBe(SPLIT_FRACTION);
  });

  it('removes a small stray island of a vertebra (island and far_from_spine), keeping its main part', () => {
    const stray: Box = { label: 3, min: [20, -38, 88], max: [26, -34, 92] };
    const s = series(c, [...spine(), stray]);
    const before = s.check();
    const island = before.findings.find((f) => f.code === 'island')!;
    expect(island.severity).toBe('warning');
    const far = before.findings.find((f) => f.code === 'far_from_spine')!;
    const r = report(s);
    const fix = fixFor(island, r);
    expect(fix).toMatchObject({ kind: 'islands', label: 3 });
    expect(fixFor(far, r)).toMatchObject({ kind: 'islands', label: 3 });
    expect(fixLabel(fix!)).toBe('Remove islands of L3');
    const l3 = s.labels.filter((v) => v === 3).length;
    expect(apply(s, fix!)).toMatch(/^QA fix: remove 1 island of L3$/);
    const after = s.check();
    expect(codes(after.findings)).toEqual([]);
    // Exactly the stray voxels went: the vertebra alone, rasterised without them, has what is left.
    const strayVoxels = series(c, [stray]).labels.filter((v) => v === 3).length;
    expect(strayVoxels).toBeGreaterThan(0);
    expect(after.summary.labels.find((l) => l.value === 3)!.voxels).toBe(l3 - strayVoxels);
  });

  it('offers no fix for a structure split in two large parts', () => {
    const split = spine().filter((b) => b.label !== 3);
    split.push({ label: 3, min: [-15, -12, 80], max: [-3, 12, 100] }, { label: 3, min: [3, -12, 80], max: [15, 12, 100] });
    const s = series(c, split);
    const f = s.check().findings.find((x) => x.code === 'island')!;
    expect(f.severity).toBe('error');
    expect(fixFor(f, report(s))).toBeNull();
  });

  it('swaps two exchanged vertebrae (not neighbours) and the order findings go', () => {
    const s = series(c, relabel(spine(), { 2: 4, 4: 2 }));
    const r = report(s);
    const orders = r.findings.filter((f) => f.code === 'level_order');
    expect(orders.length).toBeGreaterThan(0);
    for (const f of orders) expect(fixFor(f, r)).toMatchObject({ kind: 'swap', a: 2, b: 4 });
    expect(apply(s, fixFor(orders[0]!, r)!)).toBe('QA fix: swap L4 ↔ L2');
    expect(s.check().findings).toEqual([]);
  });

  it('swaps two exchanged discs (disc_position)', () => {
    const s = series(c, relabel(spine(), { 202: 204, 204: 202 }));
    const r = report(s);
    const f = r.findings.find((x) => x.code === 'disc_position')!;
    expect(fixFor(f, r)).toMatchObject({ kind: 'swap', a: 202, b: 204 });
    apply(s, fixFor(f, r)!);
    expect(s.check().findings).toEqual([]);
  });

  it('closes a numbering gap by shifting the run above it down when no vertebra is missing', () => {
    // Physical vertebrae 1..5 labelled 1, 2, 3, 5, 6 (4 skipped), their discs with them.
    const s = series(c, relabel(spine(), { 4: 5, 5: 6, 204: 205, 205: 206 }));
    const r = report(s);
    const gap = r.findings.find((x) => x.code === 'level_gap')!;
    expect(gap.labels).toEqual([4]);
    const fix = fixFor(gap, r);
    expect(fix).toMatchObject({ kind: 'shift', from: 5, to: 6, delta: -1 });
    expect(apply(s, fix!)).toBe('QA fix: shift levels 5–6 down by 1');
    expect(s.check().findings).toEqual([]);
  });

  it('offers no shift where a vertebra is really missing, or where the numbering does not start at 1', () => {
    const missing = series(c, spine().filter((b) => b.label !== 4 && b.label !== 204));
    const r1 = report(missing);
    const gap1 = r1.findings.find((x) => x.code === 'level_gap')!;
    expect(gap1.labels).toEqual([4]);
    expect(fixFor(gap1, r1)).toBeNull();
    const offBase = series(c, relabel(spine(), { 1: 2, 2: 3, 3: 4, 4: 6, 5: 7, 201: 202, 202: 203, 203: 204, 204: 206, 205: 207 }));
    const r2 = report(offBase);
    const gap2 = r2.findings.find((x) => x.code === 'level_gap')!;
    expect(fixFor(gap2, r2)).toBeNull();
  });

  it('shifts a series whose levels are one off from its siblings, and not the siblings', () => {
    const up = relabel(spine(), { 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 201: 202, 202: 203, 203: 204, 204: 205, 205: 206 });
    const odd = series(c, up, 'p_t1');
    const other = c === 'A' ? 'B' : 'A';
    const t2 = series(other, spine(), 'p_t2', 1, 't2');
    const space = series(c, spine(), 'p_t2_SPACE', 1, 't2_SPACE');
    // Two siblings agree.
    const r = report(odd, [t2, space]);
    const f = r.findings.find((x) => x.code === 'sibling_levels')!;
    expect(fixFor(f, r)).toMatchObject({ kind: 'shift', from: 2, to: 6, delta: -1 });
    // One sibling counting from 1: the shift that makes this series count from 1 too.
    const r1 = report(odd, [t2]);
    expect(fixFor(r1.findings.find((x) => x.code === 'sibling_levels')!, r1)).toMatchObject({ kind: 'shift', delta: -1 });
    // The sibling's own finding gets no shift (it counts from 1 already).
    const rs = report(t2, [odd]);
    const fs = rs.findings.find((x) => x.code === 'sibling_levels')!;
    expect(fs).toBeDefined();
    expect(fixFor(fs, rs)).toBeNull();
    apply(odd, fixFor(f, r)!);
    expect(report(odd, [t2, space]).findings).toEqual([]);
  });

  it('offers no shift when the sibling covers other levels at other places (a longer field of view)', () => {
    const mine = series(c, spine(4), 'q_t1');
    const sib = series(c, spine(5), 'q_t2', 1, 't2');
    const r = report(mine, [sib]);
    const f = r.findings.find((x) => x.code === 'sibling_levels')!;
    expect(f.labels).toEqual([5, 205]);
    expect(fixFor(f, r)).toBeNull();
  });

  it('refuses a fix on a locked label, naming it, and changes nothing', () => {
    const s = series(c, [...spine(), { label: 3, min: [20, -38, 88], max: [26, -34, 92] }]);
    const copy = s.labels.slice();
    const fix: QaFix = { kind: 'islands', label: 3, why: '' };
    const r = buildFix(fix, { labels: s.labels, size: s.size }, new Set([3]));
    expect(r).toEqual({ ok: false, message: 'Label 3 (L3) is locked: unlock it to apply this fix' });
    const sw = buildFix({ kind: 'swap', a: 2, b: 4, why: '' }, { labels: s.labels, size: s.size }, new Set([4]));
    expect(sw.ok ? '' : sw.message).toMatch(/Label 4 \(L2\) is locked/);
    const sh = buildFix({ kind: 'shift', from: 1, to: 5, delta: 1, why: '' }, { labels: s.labels, size: s.size }, new Set([202]));
    expect(sh.ok ? '' : sh.message).toMatch(/Label 202 \(L4\/L5\) is locked/);
    expect(s.labels).toEqual(copy);
  });

  it('refuses a shift that would merge two structures or leave the label range', () => {
    const s = series(c, spine());
    const merge = buildFix({ kind: 'shift', from: 4, to: 5, delta: -1, why: '' }, { labels: s.labels, size: s.size });
    expect(merge.ok ? '' : merge.message).toMatch(/would merge into 3 \(L3\)/);
    const range = buildFix({ kind: 'shift', from: 1, to: 5, delta: -1, why: '' }, { labels: s.labels, size: s.size });
    expect(range.ok ? '' : range.message).toMatch(/has no level 0/);
    expect(errors(s)).toEqual([]);
  });
});

describe('QA fixes on a label volume with several islands', () => {
  it('removes every part under a tenth of the largest and keeps a split part', () => {
    const boxes: Box[] = [...spine(), vertebraBox(3), discBox(3)];
    const s = series('A', [
      ...boxes,
      { label: 3, min: [20, -38, 88], max: [24, -36, 90] },
      { label: 3, min: [-27, 30, 150], max: [-24, 33, 152] },
    ]);
    const islands = s.check().findings.filter((f) => f.code === 'island');
    expect(islands).toHaveLength(2);
    expect(apply(s, { kind: 'islands', label: 3, why: '' })).toBe('QA fix: remove 2 islands of L3');
    expect(s.check().findings.filter((f) => f.code === 'island')).toEqual([]);
  });
});
