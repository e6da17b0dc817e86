// Agreement plots (common/plots/agreement.ts): well-formed, accessible SVG (parsed strictly), one cell per pair of
// categories holding its count, κ and n in the title, per-level bars at the height of their κ with the level's name
// and n, a Dice point per series and label, hostile names escaped, no style= or script (the renderer's CSP), and
// empty data drawn as "No data" instead of a broken plot.
import { describe, expect, it } from 'vitest';
import type { AgreementReport, FieldAgreement, SeriesAgreement } from '../../../common/contractReaders.js';
import { agreementPlots, confusionMatrixPlot, diceDistributionPlot, fmtKappa, perLevelKappaPlot } from '../../../common/plots/index.js';
import { deepText, findAll, hasClass, parseXml, titleOf, type XmlNode } from '../plotsXml.js';

const HOSTILE = `<script>alert("x")</script> & 'q' "dq"`;

/** The checks every plot passes (as in tests/unit/plots.test.ts), returning the parsed root. */
function checked(svg: string): XmlNode {
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  expect(root.attrs.role).toBe('img');
  const id = root.attrs.id!;
  expect(root.attrs['aria-labelledby']).toBe(`${id}-title`);
  expect(root.attrs['aria-describedby']).toBe(`${id}-desc`);
  expect(root.children.find((c) => c.name === 'title')!.text.length).toBeGreaterThan(0);
  expect(root.children.find((c) => c.name === 'desc')!.text.length).toBeGreaterThan(0);
  expect(findAll(root, (n) => 'style' in n.attrs || n.name === 'style' || n.name === 'script' || n.name === 'foreignObject')).toEqual([]);
  expect(findAll(root, (n) => Object.keys(n.attrs).some((a) => /^on/i.test(a) || a === 'href' || a === 'xlink:href'))).toEqual([]);
  const w = Number(root.attrs.width);
  const h = Number(root.attrs.height);
  expect(w).toBeGreaterThan(0);
  for (const n of findAll(root, () => true)) {
    for (const a of ['x', 'y', 'width', 'height', 'cx', 'cy', 'r', 'x1', 'x2', 'y1', 'y2']) {
      if (a in n.attrs) expect(Number.isFinite(Number(n.attrs[a])), `${n.name} ${a}=${n.attrs[a]}`).toBe(true);
    }
    // Everything drawn lies inside the plot.
    if (n.name === 'rect' || n.name === 'text') {
      expect(Number(n.attrs.x), `${n.name} x inside`).toBeGreaterThanOrEqual(0);
      expect(Number(n.attrs.x)).toBeLessThanOrEqual(w);
      expect(Number(n.attrs.y)).toBeLessThanOrEqual(h);
    }
  }
  return root;
}

const titleText = (root: XmlNode): string => root.children.find((c) => c.name === 'title')!.text;
const descText = (root: XmlNode): string => root.children.find((c) => c.name === 'desc')!.text;

// Pfirrmann, 12 levels: A rows, B columns.
const PFIRRMANN: FieldAgreement = {
  field: 'pfirrmann',
  weights: 'quadratic',
  n: 12,
  observed: 7 / 12,
  kappa: 0.7142857,
  categories: [1, 2, 3, 4, 5],
  confusion: [
    [1, 1, 0, 0, 0],
    [0, 2, 1, 0, 0],
    [0, 0, 3, 2, 0],
    [0, 0, 0, 1, 1],
    [0, 0, 0, 0, 0],
  ],
  perLevel: [
    { ivdLabel: 1, n: 5, observed: 0.6, kappa: 0.52, categories: [1, 2, 3, 4, 5], confusion: [] },
    { ivdLabel: 4, n: 4, observed: 0.25, kappa: -0.2, categories: [1, 2, 3, 4, 5], confusion: [] },
    { ivdLabel: 5, n: 3, observed: 1, kappa: null, categories: [1, 2, 3, 4, 5], confusion: [] },
  ],
};

describe('confusionMatrixPlot', () => {
  it('one cell per (A, B) pair with its count, grade names on both axes, κw and n in the title', () => {
    const root = checked(confusionMatrixPlot(PFIRRMANN, { id: 'cm', labelA: 'Reader A', labelB: 'Reader B' }));
    expect(titleText(root)).toBe('Pfirrmann grade: κw 0.71, n 12');
    const cells = findAll(root, hasClass('cell'));
    expect(cells).toHaveLength(25);
    for (const c of cells) {
      const i = PFIRRMANN.categories.indexOf(Number(c.attrs['data-a']));
      const j = PFIRRMANN.categories.indexOf(Number(c.attrs['data-b']));
      const count = PFIRRMANN.confusion[i]![j]!;
      expect(Number(c.attrs['data-count'])).toBe(count);
      expect(deepText(c)).toContain(String(count));
    }
    // Rows are A: the cell A = III, B = IV holds 2 (row 2, column 3).
    const c34 = cells.find((c) => c.attrs['data-a'] === '3' && c.attrs['data-b'] === '4')!;
    expect(titleOf(c34)).toBe('Reader A III, Reader B IV: 2 levels');
    expect(findAll(root, hasClass('diagonal')).map((c) => c.attrs['data-a'])).toEqual(['1', '2', '3', '4', '5']);
    // Shading follows the count: the largest cell is the most opaque.
    const opacity = (c: XmlNode): number => Number(c.children.find((x) => x.name === 'rect')!.attrs['fill-opacity']);
    const c33 = cells.find((c) => c.attrs['data-a'] === '3' && c.attrs['data-b'] === '3')!;
    const c11 = cells.find((c) => c.attrs['data-a'] === '1' && c.attrs['data-b'] === '1')!;
    expect(opacity(c33)).toBeGreaterThan(opacity(c11));
    expect(opacity(c11)).toBeGreaterThan(opacity(cells.find((c) => c.attrs['data-count'] === '0')!));
    // Grade names (roman numerals) label rows and columns; the totals add up.
    const axisText = deepText(findAll(root, hasClass('axis'))[0]!);
    for (const n of ['I', 'II', 'III', 'IV', 'V', 'Reader A', 'Reader B']) expect(axisText).toContain(n);
    expect(findAll(root, hasClass('row-total')).map((t) => Number(t.attrs['data-count']))).toEqual([2, 3, 5, 2, 0]);
    expect(findAll(root, hasClass('col-total')).map((t) => Number(t.attrs['data-count']))).toEqual([1, 3, 4, 3, 1]);
    expect(findAll(root, hasClass('grand-total'))[0]!.attrs['data-count']).toBe('12');
    expect(descText(root)).toContain('observed agreement 0.58');
    expect(descText(root)).toContain('quadratic-weighted');
  });
  it('unweighted fields say κ; yes/no names from the field spec', () => {
    const f: FieldAgreement = { field: 'herniation', weights: null, n: 3, observed: 2 / 3, kappa: 0.4, categories: [0, 1], confusion: [[1, 1], [0, 1]], perLevel: [] };
    const root = checked(confusionMatrixPlot(f, { id: 'h' }));
    expect(titleText(root)).toBe('Disc herniation: κ 0.4, n 3');
    expect(deepText(findAll(root, hasClass('axis'))[0]!)).toContain('Yes');
    expect(findAll(root, hasClass('cell'))).toHaveLength(4);
  });
  it('an undefined κ is written as "—"', () => {
    const f = { n: 2, observed: 1, kappa: null, categories: [0, 1], confusion: [[2, 0], [0, 0]] };
    expect(titleText(checked(confusionMatrixPlot(f, { id: 'u', title: 'Narrowing' })))).toBe('Narrowing: κ —, n 2');
  });
  it('no level graded by both: "No level graded by both", no cells', () => {
    const f = { field: 'modic' as const, weights: null, n: 0, observed: null, kappa: null, categories: [0, 1, 2, 3], confusion: [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] };
    const root = checked(confusionMatrixPlot(f, { id: 'e' }));
    expect(findAll(root, hasClass('cell'))).toEqual([]);
    expect(findAll(root, hasClass('no-data'))[0]!.text).toBe('No level graded by both');
  });
  it('hostile source names and titles are escaped', () => {
    const svg = confusionMatrixPlot(PFIRRMANN, { id: `x"><script>`, title: HOSTILE, labelA: HOSTILE, labelB: 'B' });
    expect(svg).not.toContain('<script');
    const root = checked(svg);
    expect(root.attrs.id).toMatch(/^[A-Za-z][\w-]*$/);
    expect(titleText(root).startsWith(HOSTILE)).toBe(true);
    expect(titleOf(findAll(root, hasClass('cell'))[0]!)).toBe(`${HOSTILE} I, B I: 1 level`);
  });
});

describe('perLevelKappaPlot', () => {
  it('a bar per level, L1/L2 first, at the height of its κ, with n; undefined κ draws no bar', () => {
    const root = checked(perLevelKappaPlot(PFIRRMANN, { id: 'pl' }));
    expect(titleText(root)).toBe('Pfirrmann grade: κw per level');
    const levels = findAll(root, hasClass('level'));
    expect(levels.map((l) => l.attrs['data-level'])).toEqual(['5', '4', '1']);
    expect(levels.map((l) => deepText(l))).toEqual([expect.stringContaining('L1/L2'), expect.stringContaining('L2/L3'), expect.stringContaining('L5/S1')]);
    expect(deepText(levels[2]!)).toContain('n 5');
    expect(deepText(levels[2]!)).toContain('0.52');
    expect(findAll(levels[0]!, hasClass('bar'))).toEqual([]);
    expect(deepText(levels[0]!)).toContain('κw —');
    const bar = (l: XmlNode): XmlNode => findAll(l, hasClass('bar'))[0]!;
    // Heights on the −1…1 axis: 0.52 is 2.6× the height of −0.2; the negative bar hangs below the zero line.
    const h52 = Number(bar(levels[2]!).attrs.height);
    const h20 = Number(bar(levels[1]!).attrs.height);
    expect(h52 / h20).toBeCloseTo(0.52 / 0.2, 1);
    expect(Number(bar(levels[1]!).attrs.y)).toBeCloseTo(Number(bar(levels[2]!).attrs.y) + h52, 0);
    expect(bar(levels[1]!).attrs.fill).not.toBe(bar(levels[2]!).attrs.fill);
    expect(descText(root)).toContain('L5/S1 0.52 (n 5)');
  });
  it('no level: "No level graded by both"', () => {
    const root = checked(perLevelKappaPlot({ ...PFIRRMANN, perLevel: [] }, { id: 'pl0' }));
    expect(findAll(root, hasClass('no-data'))).toHaveLength(1);
  });
});

function series(id: string, dice: Record<number, number>, skipped: string | null = null): SeriesAgreement {
  const labels = Object.entries(dice).map(([v, d]) => ({
    value: Number(v), name: '', voxelsA: 100, voxelsB: 100, intersection: Math.round(100 * d), dice: d, volumeAMm3: 1, volumeBMm3: 1, volumeDiffMm3: 0,
  }));
  return { seriesId: id, patientId: 1, labels: skipped ? [] : labels, differing: labels.some((l) => l.dice < 1), skipped };
}

describe('diceDistributionPlot', () => {
  const ss = [
    series('1_t1', { 1: 1, 201: 0.9 }),
    series('1_t2', { 1: 0.98, 201: 0.92 }),
    series('2_t1', { 1: 0.97, 201: 0.91 }),
    series('2_t2', { 1: 0.99, 201: 0.2 }),
    series('3_t1', { 1: 0.96, 201: 0.93 }),
    series('3_t2', {}, 'mask unreadable'),
  ];
  const perLabel = [
    { value: 201, name: 'L5/S1', series: 5, meanDice: 0.77, medianDice: 0.91, minDice: 0.2 },
    { value: 1, name: 'L5', series: 5, meanDice: 0.98, medianDice: 0.98, minDice: 0.96 },
  ];
  it('a group per label (ascending by value) with a point per compared series; the low series is tagged', () => {
    const root = checked(diceDistributionPlot({ series: ss, perLabel }, { id: 'd' }));
    expect(titleText(root)).toBe('Dice per label (5 series)');
    const gs = findAll(root, hasClass('strip-group'));
    expect(gs.map((g) => g.attrs['data-category'])).toEqual(['L5', 'L5/S1']);
    expect(gs.map((g) => findAll(g, hasClass('point')).length)).toEqual([5, 5]);
    const out = findAll(root, hasClass('outlier'));
    expect(out.map((o) => o.attrs['data-tag'])).toEqual(['2_t2']);
    expect(titleOf(out[0]!)).toBe('Outlier: 2_t2 · L5/S1: Dice 0.2');
    // Points lie at their Dice: the outlier is the lowest point of its group.
    const ys = findAll(gs[1]!, hasClass('point')).map((p) => Number(p.attrs.cy));
    expect(Number(out[0]!.attrs.cy)).toBe(Math.max(...ys));
  });
  it('several outliers of one label: all marked, only the lowest named (no overlapping names)', () => {
    const many = [...Array.from({ length: 10 }, (_, i) => series(`${i + 1}_t2`, { 3: 0.94 + i / 200 })), series('20_t1', { 3: 0.31 }), series('21_t1', { 3: 0.3 })];
    const root = checked(diceDistributionPlot({ series: many, perLabel: [] }, { id: 'd2' }));
    expect(findAll(root, hasClass('strip-group')).map((g) => g.attrs['data-category'])).toEqual(['L3']);
    expect(findAll(root, hasClass('outlier'))).toHaveLength(2);
    expect(findAll(root, hasClass('outlier-tag')).map((t) => t.text)).toEqual(['21_t1']);
  });
  it('names of outliers in neighbouring groups at about the same Dice are not both written', () => {
    const base = Array.from({ length: 10 }, (_, i) => series(`${i + 1}_t2`, { 3: 0.94 + i / 200, 4: 0.95 + i / 200, 5: 0.95 }));
    const many = [...base, series('20_t1', { 3: 0.31, 4: 0.95, 5: 0.95 }), series('21_t1', { 3: 0.95, 4: 0.33, 5: 0.6 })];
    const root = checked(diceDistributionPlot({ series: many, perLabel: [] }, { id: 'd3' }));
    expect(findAll(root, hasClass('outlier'))).toHaveLength(3);
    // L3's 20_t1 is named; L2's 21_t1 (0.33) would run into it; L1's 21_t1 (0.6) is far enough from both.
    expect(findAll(root, hasClass('outlier-tag')).map((t) => t.text)).toEqual(['20_t1', '21_t1']);
    expect(findAll(root, hasClass('outlier')).map((o) => o.attrs['data-tag'] ?? null)).toEqual(['20_t1', null, '21_t1']);
  });
  it('the y axis starts near the lowest Dice, so 0.9–1 is not squeezed into the top tenth; with a low Dice it starts at 0', () => {
    const spread = (dices: number[]): { px: number; lowestTick: number } => {
      const root = checked(diceDistributionPlot({ series: dices.map((d, i) => series(`${i + 1}_t2`, { 3: d })), perLabel: [] }, { id: 'dy' }));
      const cy = findAll(root, hasClass('point')).map((p) => Number(p.attrs.cy));
      const axis = findAll(root, hasClass('axis'))[0]!;
      const ticks = findAll(axis, (n) => n.name === 'text' && /^-?\d+(\.\d+)?$/.test(n.text ?? '')).map((t) => Number(t.text));
      return { px: Math.max(...cy) - Math.min(...cy), lowestTick: Math.min(...ticks) };
    };
    const high = spread([0.9, 0.95, 1, 0.97]);
    const low = spread([0.9, 0.95, 1, 0.97, 0.2]);
    expect(high.lowestTick).toBeGreaterThanOrEqual(0.7);
    expect(low.lowestTick).toBe(0);
    // The same 0.9 → 1 distance, in pixels, is several times larger on the zoomed axis.
    const low0910 = low.px * (0.1 / 0.8);
    expect(high.px).toBeGreaterThan(3 * low0910);
  });
  it('no series: "No data"', () => {
    const root = checked(diceDistributionPlot({ series: [], perLabel: [] }, { id: 'd0' }));
    expect(findAll(root, hasClass('no-data'))).toHaveLength(1);
  });
});

describe('agreementPlots', () => {
  it('the Dice plot, then Pfirrmann, Modic and the other fields with pairs: confusion matrix and per-level κ; ids unique', () => {
    const modic: FieldAgreement = { field: 'modic', weights: null, n: 2, observed: 1, kappa: null, categories: [0, 1, 2, 3], confusion: [[2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], perLevel: [] };
    const bulging: FieldAgreement = { field: 'bulging', weights: null, n: 0, observed: null, kappa: null, categories: [0, 1], confusion: [[0, 0], [0, 0]], perLevel: [] };
    const report: AgreementReport = {
      a: 'reader:A', b: 'local', basis: 'current',
      series: [series('1_t1', { 1: 0.9 })],
      perLabel: [{ value: 1, name: 'L5', series: 1, meanDice: 0.9, medianDice: 0.9, minDice: 0.9 }],
      summary: { series: 1, seriesDiffering: 1, seriesSkipped: 0, meanDice: 0.9 },
      gradings: [modic, bulging, PFIRRMANN],
    };
    const plots = agreementPlots(report, 'x', { a: 'Reader A', b: 'You' });
    expect(plots.map((p) => `${p.kind}:${p.field ?? ''}`)).toEqual(['dice:', 'confusion:pfirrmann', 'perLevelKappa:pfirrmann', 'confusion:modic']);
    expect(new Set(plots.map((p) => p.id)).size).toBe(plots.length);
    for (const p of plots) expect(checked(p.svg).attrs.id).toBe(p.id);
    expect(plots[1]!.svg).toContain('You →');
    expect(fmtKappa(null)).toBe('—');
    expect(fmtKappa(0.6149)).toBe('0.61');
  });
});
