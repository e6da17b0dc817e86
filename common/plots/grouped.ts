// Grouped vertical bars (issue 14 item 5): per group (a disc level) one bar per series (a grade), legend on top,
// counts on a y axis. Used for the Pfirrmann and Modic distributions per level. Pure strings.
import type { StackSeries } from './bars.js';
import { clip, esc, fmt, heading, legend, niceTicks, noData, px, svgDoc, text } from './svg.js';

export interface BarGroup {
  label: string;
  /** One value per series, in the series' order. */
  values: readonly number[];
}

export interface GroupedBarsOptions {
  id: string;
  title: string;
  desc?: string;
  series: readonly StackSeries[];
  groups: readonly BarGroup[];
  /** Y axis caption ('levels'). */
  yLabel?: string;
  width?: number;
  height?: number;
}

const LEFT = 52;
const RIGHT = 12;
const BOTTOM = 44;

export function groupedBars(o: GroupedBarsOptions): string {
  const n = Math.max(1, o.series.length);
  const width = o.width ?? Math.max(420, Math.min(1200, LEFT + RIGHT + o.groups.length * (n * 12 + 22)));
  const plotHeight = o.height ?? 200;
  const desc =
    o.desc ??
    (o.groups.length
      ? o.groups.map((g) => `${g.label}: ${o.series.map((s, i) => `${s.label} ${fmt(g.values[i] ?? 0, 2)}`).join(', ')}`).join('; ')
      : 'No data');
  const leg = legend(o.series, 8, 40, width - 16);
  const top = 34 + leg.height + 10;
  const height = top + plotHeight + BOTTOM;
  let body = heading(o.title, width) + leg.svg;
  const max = Math.max(0, ...o.groups.flatMap((g) => g.values));
  if (o.groups.length === 0 || max === 0) {
    body += noData(width, height);
    return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
  }
  const yBottom = top + plotHeight;
  const ticks = niceTicks(0, max, 4);
  const yMax = Math.max(max, ticks[ticks.length - 1]!);
  const y = (v: number): number => yBottom - (plotHeight * v) / yMax;
  body += '<g class="axis">';
  for (const t of ticks) {
    body += `<line x1="${LEFT}" y1="${px(y(t))}" x2="${width - RIGHT}" y2="${px(y(t))}" stroke="currentColor" stroke-opacity="0.15"/>`;
    body += text(LEFT - 6, y(t) + 4, fmt(t, 2), 'text-anchor="end" fill-opacity="0.75"');
  }
  body += `<line x1="${LEFT}" y1="${px(yBottom)}" x2="${width - RIGHT}" y2="${px(yBottom)}" stroke="currentColor" stroke-opacity="0.5"/>`;
  if (o.yLabel) body += text(14, top + plotHeight / 2, o.yLabel, `text-anchor="middle" transform="rotate(-90 14 ${px(top + plotHeight / 2)})" fill-opacity="0.75"`);
  body += '</g>';
  const band = (width - LEFT - RIGHT) / o.groups.length;
  const barW = Math.max(2, Math.min(18, (band * 0.8) / n));
  o.groups.forEach((g, gi) => {
    const cx = LEFT + band * (gi + 0.5);
    const x0 = cx - (barW * n) / 2;
    body += `<g class="bar-group" data-category="${esc(g.label)}">`;
    o.series.forEach((s, si) => {
      const v = Math.max(0, g.values[si] ?? 0);
      const h = yBottom - y(v);
      body +=
        `<rect class="bar" data-series="${esc(s.key)}" data-value="${v}" x="${px(x0 + si * barW)}" y="${px(yBottom - h)}" width="${px(Math.max(1, barW - 1))}" height="${px(h)}" fill="${esc(s.colour)}">` +
        `<title>${esc(`${g.label}, ${s.label}: ${fmt(v, 2)}`)}</title></rect>`;
    });
    body += text(cx, yBottom + 16, clip(g.label, Math.max(3, Math.floor(band / 7))), 'text-anchor="middle"');
    body += '</g>';
  });
  return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
}
