// Horizontal bar charts (issue 14 item 5): one bar per category (progress by status) and stacked bars (findings
// by check, stacked by severity). Horizontal so long category names (check codes) stay readable. Pure strings.
import { clip, esc, fmt, heading, legend, niceTicks, noData, PALETTE, px, svgDoc, text, textWidth } from './svg.js';

export interface BarDatum {
  label: string;
  value: number;
  colour?: string;
}

export interface BarChartOptions {
  id: string;
  title: string;
  /** Screen-reader description; default: the values listed. */
  desc?: string;
  bars: readonly BarDatum[];
  width?: number;
  /** Text after each value ('series'); also in the tooltips. */
  unit?: string;
  /** Show each bar's share of the total after its value. */
  percent?: boolean;
}

const BAR_H = 22;
const BAR_GAP = 8;
const TOP = 34;
const AXIS_H = 26;
const MAX_LABEL_CHARS = 28;

function labelColumn(labels: readonly string[], width: number): number {
  const widest = Math.max(40, ...labels.map((l) => textWidth(clip(l, MAX_LABEL_CHARS))));
  return Math.min(Math.round(width * 0.42), Math.ceil(widest) + 16);
}

/** x axis with round ticks and faint grid lines over the plot area. */
function valueAxis(x0: number, x1: number, yTop: number, yBottom: number, max: number): { svg: string; scale: (v: number) => number } {
  const ticks = niceTicks(0, max, Math.max(2, Math.floor((x1 - x0) / 90)));
  const top = Math.max(max, ticks[ticks.length - 1] ?? max, 1);
  const scale = (v: number): number => x0 + ((x1 - x0) * v) / top;
  let svg = '<g class="axis">';
  for (const t of ticks) {
    const x = scale(t);
    svg += `<line x1="${px(x)}" y1="${px(yTop)}" x2="${px(x)}" y2="${px(yBottom)}" stroke="currentColor" stroke-opacity="0.15"/>`;
    svg += text(x, yBottom + 16, fmt(t, 2), 'text-anchor="middle" fill-opacity="0.75"');
  }
  svg += `<line x1="${px(x0)}" y1="${px(yTop)}" x2="${px(x0)}" y2="${px(yBottom)}" stroke="currentColor" stroke-opacity="0.5"/></g>`;
  return { svg, scale };
}

/** One horizontal bar per category, value (and share) written after the bar. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 560;
  const unit = o.unit ? ` ${o.unit}` : '';
  const total = o.bars.reduce((s, b) => s + Math.max(0, b.value), 0);
  const share = (v: number): string => (o.percent && total > 0 ? ` (${fmt((100 * v) / total, 0)} %)` : '');
  const desc = o.desc ?? (o.bars.length ? o.bars.map((b) => `${b.label}: ${fmt(b.value, 2)}${unit}${share(b.value)}`).join('; ') : 'No data');
  const plotH = Math.max(1, o.bars.length) * (BAR_H + BAR_GAP);
  const height = TOP + plotH + AXIS_H;
  const x0 = labelColumn(o.bars.map((b) => b.label), width);
  const valueRoom = 12 + textWidth(`${fmt(Math.max(0, ...o.bars.map((b) => b.value)), 2)}${unit} (100 %)`);
  const x1 = width - Math.min(valueRoom, width * 0.3);
  let body = heading(o.title, width);
  if (o.bars.length === 0 || total === 0) {
    body += noData(width, height);
    return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
  }
  const axis = valueAxis(x0, x1, TOP - 4, TOP + plotH, Math.max(...o.bars.map((b) => b.value)));
  body += axis.svg;
  o.bars.forEach((b, i) => {
    const y = TOP + i * (BAR_H + BAR_GAP);
    const colour = b.colour ?? PALETTE[i % PALETTE.length]!;
    const w = Math.max(0, axis.scale(Math.max(0, b.value)) - x0);
    const tip = `${b.label}: ${fmt(b.value, 2)}${unit}${share(b.value)}`;
    body += `<g class="bar" data-category="${esc(b.label)}" data-value="${b.value}">`;
    body += `<title>${esc(tip)}</title>`;
    body += text(x0 - 8, y + BAR_H / 2 + 4, clip(b.label, MAX_LABEL_CHARS), 'text-anchor="end"');
    body += `<rect x="${px(x0)}" y="${px(y)}" width="${px(Math.max(w, b.value > 0 ? 2 : 0))}" height="${BAR_H}" rx="2" fill="${esc(colour)}"/>`;
    body += text(x0 + w + 6, y + BAR_H / 2 + 4, `${fmt(b.value, 2)}${unit}${share(b.value)}`);
    body += '</g>';
  });
  return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
}

export interface StackSeries {
  key: string;
  label: string;
  colour: string;
}

export interface StackedRow {
  label: string;
  /** Per series key; a missing key counts 0. */
  values: Readonly<Record<string, number>>;
}

export interface StackedBarsOptions {
  id: string;
  title: string;
  desc?: string;
  series: readonly StackSeries[];
  rows: readonly StackedRow[];
  width?: number;
  unit?: string;
}

/** One horizontal bar per row, split into the series (legend on top), the row's total after the bar. */
export function stackedBars(o: StackedBarsOptions): string {
  const width = o.width ?? 560;
  const unit = o.unit ? ` ${o.unit}` : '';
  const totals = o.rows.map((r) => o.series.reduce((s, k) => s + Math.max(0, r.values[k.key] ?? 0), 0));
  const parts = (r: StackedRow): string =>
    o.series.filter((k) => (r.values[k.key] ?? 0) > 0).map((k) => `${fmt(r.values[k.key] ?? 0, 2)} ${k.label}`).join(', ');
  const desc = o.desc ?? (o.rows.length ? o.rows.map((r, i) => `${r.label}: ${fmt(totals[i]!, 2)}${unit} (${parts(r)})`).join('; ') : 'No data');
  const leg = legend(o.series, 8, 40, width - 16);
  const top = 34 + leg.height + 4;
  const plotH = Math.max(1, o.rows.length) * (BAR_H + BAR_GAP);
  const height = top + plotH + AXIS_H;
  let body = heading(o.title, width) + leg.svg;
  const max = Math.max(0, ...totals);
  if (o.rows.length === 0 || max === 0) {
    body += noData(width, height);
    return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
  }
  const x0 = labelColumn(o.rows.map((r) => r.label), width);
  const x1 = width - Math.min(12 + textWidth(`${fmt(max, 2)}${unit}`), width * 0.25);
  const axis = valueAxis(x0, x1, top - 4, top + plotH, max);
  body += axis.svg;
  o.rows.forEach((r, i) => {
    const y = top + i * (BAR_H + BAR_GAP);
    body += `<g class="bar-row" data-category="${esc(r.label)}" data-value="${totals[i]!}">`;
    body += text(x0 - 8, y + BAR_H / 2 + 4, clip(r.label, MAX_LABEL_CHARS), 'text-anchor="end"');
    let x = x0;
    for (const k of o.series) {
      const v = Math.max(0, r.values[k.key] ?? 0);
      if (v === 0) continue;
      const w = Math.max(2, axis.scale(v) - x0);
      body +=
        `<rect class="segment" data-series="${esc(k.key)}" data-value="${v}" x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${BAR_H}" fill="${esc(k.colour)}">` +
        `<title>${esc(`${r.label}: ${fmt(v, 2)} ${k.label}${unit}`)}</title></rect>`;
      x += w;
    }
    body += text(x + 6, y + BAR_H / 2 + 4, `${fmt(totals[i]!, 2)}${unit}`);
    body += '</g>';
  });
  return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
}
