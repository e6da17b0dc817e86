// Strip plot over box plots (issue 14 item 5): per group (a label) a box (quartiles, median, whiskers to the last
// value within 1.5 IQR) and every value as a point spread sideways, each point with a <title> tooltip. Points the
// caller marks as outliers are drawn large, red and ringed, with class "outlier". Pure strings.
import { clip, esc, fmt, heading, niceTicks, noData, OUTLIER_COLOUR, PALETTE, px, svgDoc, text, textWidth } from './svg.js';

export interface StripPoint {
  value: number;
  /** Tooltip text of the point (e.g. "3_t2: 31.2 cm³"). */
  label: string;
  outlier?: boolean;
  /** A short name written beside an outlier point (e.g. its series), so a printed plot says which one it is. */
  tag?: string;
}

export interface StripGroup {
  label: string;
  points: readonly StripPoint[];
  colour?: string;
}

export interface StripPlotOptions {
  id: string;
  title: string;
  desc?: string;
  groups: readonly StripGroup[];
  /** Unit of the values (y axis caption and tooltips of the boxes). */
  unit?: string;
  width?: number;
  height?: number;
  /**
   * The lowest value the y axis must show (default 0: the axis starts at 0 or below). Dice plots pass a value near
   * their data so that figures between 0.85 and 1 are not squashed into the top tenth.
   */
  floor?: number;
}

const LEFT = 58;
const RIGHT = 12;
const TOP = 40;

/** Quantile by linear interpolation of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface BoxStats {
  q1: number;
  median: number;
  q3: number;
  /** Whisker ends: the extreme values within 1.5 IQR of the box. */
  low: number;
  high: number;
}

export function boxStats(values: readonly number[]): BoxStats | null {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  const iqr = q3 - q1;
  const low = s.find((v) => v >= q1 - 1.5 * iqr) ?? s[0]!;
  const high = [...s].reverse().find((v) => v <= q3 + 1.5 * iqr) ?? s[s.length - 1]!;
  return { q1, median: quantile(s, 0.5), q3, low, high };
}

/** Deterministic sideways spread in [-0.5, 0.5): the golden-ratio sequence, the same on every render. */
function jitter(i: number): number {
  return ((i * 0.6180339887) % 1) - 0.5;
}

export function stripPlot(o: StripPlotOptions): string {
  const groups = o.groups;
  const longest = Math.max(0, ...groups.map((g) => textWidth(clip(g.label, 16))));
  const width = o.width ?? Math.max(420, Math.min(1240, LEFT + RIGHT + groups.length * 64));
  const band = (width - LEFT - RIGHT) / Math.max(1, groups.length);
  // Labels wider than their band are written at an angle (and the plot grows downwards to hold them).
  const slanted = longest + 6 > band;
  const bottom = slanted ? 24 + longest * 0.72 : 30;
  const plotH = o.height ?? 240;
  const height = TOP + plotH + bottom;
  const unit = o.unit ? ` ${o.unit}` : '';
  const all = groups.flatMap((g) => g.points.map((p) => p.value)).filter(Number.isFinite);
  const outliers = groups.flatMap((g) => g.points.filter((p) => p.outlier).map((p) => `${g.label} ${p.label}`));
  const desc =
    o.desc ??
    (all.length
      ? `${groups.length} groups, ${all.length} values${outliers.length ? `; ${outliers.length} outlier(s): ${outliers.join('; ')}` : '; no outliers'}`
      : 'No data');
  let body = heading(o.title, width);
  if (all.length === 0) {
    body += noData(width, height);
    return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
  }
  const ticks = niceTicks(Math.min(o.floor ?? 0, ...all), Math.max(...all), 5);
  const yMin = Math.min(ticks[0]!, ...all);
  const yMax = Math.max(ticks[ticks.length - 1]!, ...all);
  const yBottom = TOP + plotH;
  const y = (v: number): number => yBottom - (plotH * (v - yMin)) / (yMax - yMin || 1);
  body += '<g class="axis">';
  for (const t of ticks) {
    body += `<line x1="${LEFT}" y1="${px(y(t))}" x2="${width - RIGHT}" y2="${px(y(t))}" stroke="currentColor" stroke-opacity="0.15"/>`;
    body += text(LEFT - 6, y(t) + 4, fmt(t, 2), 'text-anchor="end" fill-opacity="0.75"');
  }
  if (o.unit) body += text(14, TOP + plotH / 2, o.unit, `text-anchor="middle" transform="rotate(-90 14 ${px(TOP + plotH / 2)})" fill-opacity="0.75"`);
  body += `<line x1="${LEFT}" y1="${px(yBottom)}" x2="${width - RIGHT}" y2="${px(yBottom)}" stroke="currentColor" stroke-opacity="0.5"/></g>`;
  groups.forEach((g, gi) => {
    const cx = LEFT + band * (gi + 0.5);
    const colour = g.colour ?? PALETTE[gi % PALETTE.length]!;
    const box = boxStats(g.points.map((p) => p.value));
    const boxW = Math.min(28, band * 0.6);
    body += `<g class="strip-group" data-category="${esc(g.label)}" data-count="${g.points.length}">`;
    if (box) {
      const tip = `${g.label}: median ${fmt(box.median, 2)}${unit}, quartiles ${fmt(box.q1, 2)}–${fmt(box.q3, 2)}${unit}, ${g.points.length} values`;
      body +=
        `<g class="box"><title>${esc(tip)}</title>` +
        `<line x1="${px(cx)}" y1="${px(y(box.low))}" x2="${px(cx)}" y2="${px(y(box.high))}" stroke="currentColor" stroke-opacity="0.6"/>` +
        `<rect x="${px(cx - boxW / 2)}" y="${px(y(box.q3))}" width="${px(boxW)}" height="${px(Math.max(1, y(box.q1) - y(box.q3)))}" fill="${esc(colour)}" fill-opacity="0.22" stroke="${esc(colour)}"/>` +
        `<line x1="${px(cx - boxW / 2)}" y1="${px(y(box.median))}" x2="${px(cx + boxW / 2)}" y2="${px(y(box.median))}" stroke="currentColor" stroke-width="2"/></g>`;
    }
    const spread = Math.min(24, band * 0.7);
    // Outliers last, so they are drawn over the other points.
    const ordered = g.points.map((p, i) => ({ p, i })).sort((a, b) => Number(a.p.outlier ?? false) - Number(b.p.outlier ?? false));
    for (const { p, i } of ordered) {
      if (!Number.isFinite(p.value)) continue;
      const x = cx + jitter(i) * spread;
      body += p.outlier
        ? `<circle class="point outlier" data-outlier="true"${p.tag ? ` data-tag="${esc(p.tag)}"` : ''} cx="${px(x)}" cy="${px(y(p.value))}" r="5" fill="${OUTLIER_COLOUR}" stroke="currentColor" stroke-width="1.5"><title>${esc(`Outlier: ${p.label}`)}</title></circle>`
        : `<circle class="point" cx="${px(x)}" cy="${px(y(p.value))}" r="2.6" fill="${esc(colour)}" fill-opacity="0.85"><title>${esc(p.label)}</title></circle>`;
      // The tag goes on the side with more room (the last groups' tags to the left).
      if (p.outlier && p.tag) {
        const left = cx > width - 90;
        body += text(x + (left ? -8 : 8), y(p.value) + 4, clip(p.tag, 14), `class="outlier-tag" font-size="11" font-weight="600"${left ? ' text-anchor="end"' : ''}`);
      }
    }
    const lab = clip(g.label, 16);
    body += slanted
      ? text(cx + 4, yBottom + 14, lab, `text-anchor="end" transform="rotate(-40 ${px(cx + 4)} ${px(yBottom + 14)})"`)
      : text(cx, yBottom + 18, lab, 'text-anchor="middle"');
    body += '</g>';
  });
  return svgDoc({ id: o.id, title: o.title, desc, width, height }, body);
}
