// The plot module (common/plots): every plot is well-formed SVG (parsed strictly), accessible (role="img",
// <title>, <desc>), draws one mark per category, marks outliers, escapes hostile text, and uses no style= or
// <style> (the renderer's CSP) and no script or external reference.
import { describe, expect, it } from 'vitest';
import { barChart, boxStats, esc, fmt, groupedBars, niceTicks, OUTLIER_COLOUR, stackedBars, stripPlot, type StackedRow } from '../../common/plots/index.js';
import { deepText, findAll, hasClass, parseXml, titleOf, type XmlNode } from './plotsXml.js';

const HOSTILE = `<script>alert("x")</script> & 'q' "dq" ]]>`;

/** The checks every plot passes, returning the parsed root. */
function checked(svg: string, title: string): XmlNode {
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  expect(root.attrs.role).toBe('img');
  const id = root.attrs.id!;
  expect(root.attrs['aria-labelledby']).toBe(`${id}-title`);
  expect(root.attrs['aria-describedby']).toBe(`${id}-desc`);
  const t = root.children.find((c) => c.name === 'title')!;
  const d = root.children.find((c) => c.name === 'desc')!;
  expect(t.attrs.id).toBe(`${id}-title`);
  expect(t.text).toBe(title);
  expect(d.attrs.id).toBe(`${id}-desc`);
  expect(d.text.length).toBeGreaterThan(0);
  expect(Number(root.attrs.width)).toBeGreaterThan(0);
  expect(root.attrs.viewBox).toBe(`0 0 ${root.attrs.width} ${root.attrs.height}`);
  // CSP and self-containment: no inline styles, no scripts, no links, no event handlers.
  expect(findAll(root, (n) => 'style' in n.attrs || n.name === 'style' || n.name === 'script' || n.name === 'foreignObject')).toEqual([]);
  expect(findAll(root, (n) => Object.keys(n.attrs).some((a) => /^on/i.test(a) || a === 'href' || a === 'xlink:href'))).toEqual([]);
  // Every coordinate is a finite number.
  for (const n of findAll(root, () => true)) {
    for (const a of ['x', 'y', 'width', 'height', 'cx', 'cy', 'r', 'x1', 'x2', 'y1', 'y2']) {
      if (a in n.attrs) expect(Number.isFinite(Number(n.attrs[a])), `${n.name} ${a}=${n.attrs[a]}`).toBe(true);
    }
  }
  return root;
}

describe('svg helpers', () => {
  it('escapes the five XML specials', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('formats numbers for people and finds round ticks', () => {
    expect(fmt(1234567.891, 1)).toBe('1\u202f234\u202f567.9');
    expect(fmt(2.5, 0)).toBe('3');
    expect(fmt(-0.25, 2)).toBe('−0.25');
    expect(niceTicks(0, 47)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0, 3, 3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 0)).toEqual([0]);
  });
  it('box statistics: quartiles, median and whiskers within 1.5 IQR', () => {
    const b = boxStats([1, 2, 3, 4, 5, 6, 7, 8, 100])!;
    expect(b.median).toBe(5);
    expect(b.q1).toBe(3);
    expect(b.q3).toBe(7);
    expect(b.low).toBe(1);
    expect(b.high).toBe(8); // 100 is beyond q3 + 1.5 IQR
    expect(boxStats([])).toBeNull();
  });
});

describe('barChart', () => {
  const bars = [
    { label: 'To do', value: 30 },
    { label: 'In progress', value: 12 },
    { label: 'Done', value: 5 },
    { label: 'Second look', value: 0 },
  ];
  it('one bar per category with its value, share and tooltip', () => {
    const root = checked(barChart({ id: 'p1', title: 'Progress', bars, unit: 'series', percent: true }), 'Progress');
    const groups = findAll(root, hasClass('bar'));
    expect(groups.map((g) => g.attrs['data-category'])).toEqual(bars.map((b) => b.label));
    expect(groups.map((g) => Number(g.attrs['data-value']))).toEqual([30, 12, 5, 0]);
    expect(titleOf(groups[0]!)).toBe('To do: 30 series (64 %)');
    // Bar lengths follow the values.
    const widths = groups.map((g) => Number(g.children.find((c) => c.name === 'rect')!.attrs.width));
    expect(widths[0]! / widths[1]!).toBeCloseTo(30 / 12, 1);
    expect(widths[3]).toBe(0);
    expect(deepText(root)).toContain('12 series (26 %)');
  });
  it('says "No data" when there is nothing to draw', () => {
    const root = checked(barChart({ id: 'p2', title: 'Empty', bars: [] }), 'Empty');
    expect(findAll(root, hasClass('no-data')).map((n) => n.text)).toEqual(['No data']);
    expect(findAll(root, hasClass('bar'))).toEqual([]);
  });
  it('escapes hostile labels and titles', () => {
    const svg = barChart({ id: `x"><script>`, title: HOSTILE, bars: [{ label: HOSTILE, value: 3, colour: `red" onload="alert(1)` }] });
    expect(svg).not.toContain('<script');
    const root = checked(svg, HOSTILE);
    expect(root.attrs.id).toMatch(/^[A-Za-z][\w-]*$/);
    const bar = findAll(root, hasClass('bar'))[0]!;
    expect(bar.attrs['data-category']).toBe(HOSTILE);
    expect(titleOf(bar)).toBe(`${HOSTILE}: 3`);
    expect(bar.children.find((c) => c.name === 'rect')!.attrs.fill).toBe(`red" onload="alert(1)`);
  });
});

describe('stackedBars', () => {
  const series = [
    { key: 'error', label: 'errors', colour: '#e00' },
    { key: 'warning', label: 'warnings', colour: '#ea0' },
  ];
  const rows: StackedRow[] = [
    { label: 'island', values: { error: 4, warning: 2 } },
    { label: 'volume_outlier', values: { warning: 3 } },
    { label: 'level_gap', values: { error: 1 } },
  ];
  it('one row per category, one segment per non-zero series value, legend for every series', () => {
    const root = checked(stackedBars({ id: 'f', title: 'Findings', series, rows }), 'Findings');
    const bars = findAll(root, hasClass('bar-row'));
    expect(bars.map((b) => b.attrs['data-category'])).toEqual(['island', 'volume_outlier', 'level_gap']);
    expect(bars.map((b) => Number(b.attrs['data-value']))).toEqual([6, 3, 1]);
    const segs = findAll(root, hasClass('segment'));
    expect(segs.map((s) => [s.attrs['data-series'], Number(s.attrs['data-value'])])).toEqual([
      ['error', 4], ['warning', 2], ['warning', 3], ['error', 1],
    ]);
    expect(segs.map((s) => s.attrs.fill)).toEqual(['#e00', '#ea0', '#ea0', '#e00']);
    expect(titleOf(segs[0]!)).toBe('island: 4 errors');
    const leg = findAll(root, hasClass('legend'))[0]!;
    expect(deepText(leg)).toBe('errorswarnings');
    // Segments of a row are side by side.
    const [a, b] = segs as [XmlNode, XmlNode];
    expect(Number(b.attrs.x)).toBeCloseTo(Number(a.attrs.x) + Number(a.attrs.width), 0);
  });
  it('an empty table says "No data"', () => {
    const root = checked(stackedBars({ id: 'f0', title: 'None', series, rows: [] }), 'None');
    expect(findAll(root, hasClass('no-data'))).toHaveLength(1);
  });
});

describe('stripPlot', () => {
  const groups = [
    { label: 'L4', points: [30, 31, 29, 32, 30.5, 31.5, 29.5, 30.2, 55].map((v, i) => ({ value: v, label: `${i}_t2: ${v} cm³`, outlier: v === 55, tag: `${i}_t2` })) },
    { label: 'L4/L5', points: [8, 9, 8.5].map((v, i) => ({ value: v, label: `${i}_t2: ${v} cm³` })) },
    { label: HOSTILE, points: [] },
  ];
  it('a box and a point per value in each group; outliers marked, red and with their tooltip', () => {
    const root = checked(stripPlot({ id: 'v', title: 'Volumes', groups, unit: 'cm³' }), 'Volumes');
    const gs = findAll(root, hasClass('strip-group'));
    expect(gs.map((g) => g.attrs['data-category'])).toEqual(['L4', 'L4/L5', HOSTILE]);
    expect(gs.map((g) => findAll(g, hasClass('point')).length)).toEqual([9, 3, 0]);
    expect(gs.map((g) => findAll(g, hasClass('box')).length)).toEqual([1, 1, 0]);
    const outliers = findAll(root, hasClass('outlier'));
    expect(outliers).toHaveLength(1);
    expect(outliers[0]!.attrs['data-outlier']).toBe('true');
    expect(outliers[0]!.attrs['data-tag']).toBe('8_t2');
    expect(outliers[0]!.attrs.fill).toBe(OUTLIER_COLOUR);
    expect(titleOf(outliers[0]!)).toBe('Outlier: 8_t2: 55 cm³');
    // Only the outlier is tagged with its name, beside it.
    const tags = findAll(root, hasClass('outlier-tag'));
    expect(tags.map((t) => t.text)).toEqual(['8_t2']);
    expect(Number(tags[0]!.attrs.y)).toBeCloseTo(Number(outliers[0]!.attrs.cy) + 4, 0);
    expect(Number(outliers[0]!.attrs.r)).toBeGreaterThan(Number(findAll(gs[0]!, (n) => n.name === 'circle' && !hasClass('outlier')(n))[0]!.attrs.r));
    // Every point has a tooltip; the outlier lies above the others (larger value, smaller y).
    for (const p of findAll(root, hasClass('point'))) expect(titleOf(p)).not.toBe('');
    const ys = findAll(gs[0]!, hasClass('point')).map((p) => Number(p.attrs.cy));
    expect(Number(outliers[0]!.attrs.cy)).toBe(Math.min(...ys));
    expect(root.children.find((c) => c.name === 'desc')!.text).toContain('1 outlier(s): L4 8_t2: 55 cm³');
  });
  it('all points stay inside the plot; many long labels are slanted and the plot grows to hold them', () => {
    const many = Array.from({ length: 20 }, (_, g) => ({ label: `Label number ${g}`, points: [{ value: g, label: 'x' }] }));
    const root = checked(stripPlot({ id: 'w', title: 'Wide', groups: many }), 'Wide');
    const w = Number(root.attrs.width);
    const h = Number(root.attrs.height);
    expect(w).toBeLessThanOrEqual(1240);
    for (const p of findAll(root, hasClass('point'))) {
      expect(Number(p.attrs.cx)).toBeGreaterThan(0);
      expect(Number(p.attrs.cx)).toBeLessThan(w);
      expect(Number(p.attrs.cy)).toBeGreaterThan(20);
      expect(Number(p.attrs.cy)).toBeLessThan(h);
    }
    const labels = findAll(root, (n) => n.name === 'text' && (n.attrs.transform ?? '').startsWith('rotate(-40'));
    expect(labels).toHaveLength(20);
  });
  it('no values: "No data"', () => {
    const root = checked(stripPlot({ id: 'e', title: 'Nothing', groups: [] }), 'Nothing');
    expect(findAll(root, hasClass('no-data'))).toHaveLength(1);
  });
});

describe('groupedBars', () => {
  const series = [1, 2, 3, 4, 5].map((g) => ({ key: String(g), label: `Grade ${g}`, colour: `#00${g}` }));
  const groups = [
    { label: 'L1/L2', values: [3, 1, 0, 0, 0] },
    { label: 'L4/L5', values: [0, 1, 2, 4, 1] },
    { label: 'L5/S1', values: [0, 0, 2, 3, 5] },
  ];
  it('one bar per group and series, heights proportional to the counts', () => {
    const root = checked(groupedBars({ id: 'g', title: 'Pfirrmann', series, groups, yLabel: 'levels' }), 'Pfirrmann');
    const gs = findAll(root, hasClass('bar-group'));
    expect(gs.map((g) => g.attrs['data-category'])).toEqual(['L1/L2', 'L4/L5', 'L5/S1']);
    for (const g of gs) expect(findAll(g, hasClass('bar'))).toHaveLength(5);
    const bars = findAll(gs[2]!, hasClass('bar'));
    const h = bars.map((b) => Number(b.attrs.height));
    expect(h[4]! / h[3]!).toBeCloseTo(5 / 3, 1);
    expect(h[0]).toBe(0);
    expect(titleOf(bars[4]!)).toBe('L5/S1, Grade 5: 5');
    expect(bars.map((b) => b.attrs.fill)).toEqual(['#001', '#002', '#003', '#004', '#005']);
    expect(deepText(findAll(root, hasClass('legend'))[0]!)).toBe('Grade 1Grade 2Grade 3Grade 4Grade 5');
  });
  it('hostile group and series names are escaped', () => {
    const svg = groupedBars({ id: 'h', title: 't', series: [{ key: HOSTILE, label: HOSTILE, colour: '#123' }], groups: [{ label: HOSTILE, values: [2] }] });
    expect(svg).not.toContain('<script');
    const root = checked(svg, 't');
    expect(findAll(root, hasClass('bar-group'))[0]!.attrs['data-category']).toBe(HOSTILE);
    expect(titleOf(findAll(root, hasClass('bar'))[0]!)).toBe(`${HOSTILE}, ${HOSTILE}: 2`);
  });
});
