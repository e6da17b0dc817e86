// SVG building blocks of the plot module (issue 14 item 5): escaping, number formatting, axis ticks, the outer
// <svg> element and the palette. Pure strings: no DOM, no Node. Colours are presentation attributes (fill=,
// stroke=), never style= or <style>: the renderer's CSP (common/rendererPolicy.ts) allows no inline styles in
// inserted markup that it does not control, and attributes read the same in a file report. Text and axes use
// currentColor, so a plot reads on the app's dark panel and on a white report page alike.

/** Escapes text for an XML text node or a double- or single-quoted attribute value. */
export function esc(text: string): string {
  if (!/[&<>"']/.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** An id usable in markup: letters, digits, '-' and '_' only (anything else becomes '-'), never empty. */
export function safeId(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z]/.test(s) ? s : `p-${s}`;
}

/** A coordinate with at most one decimal (shorter markup, no visible difference). */
export function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** A value for people: thousands grouped, up to `digits` decimals, trailing zeros dropped. */
export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return String(n);
  const f = 10 ** digits;
  const r = Math.round(n * f) / f;
  const [int, dec] = Math.abs(r).toFixed(digits).split('.') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  const frac = dec?.replace(/0+$/, '') ?? '';
  return `${r < 0 ? '−' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k); [0] for an empty range. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return max > 0 ? [0, max] : [0];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 0.999; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** Width in px a label of `chars` characters takes at the plots' 12 px font (a generous average). */
export function textWidth(text: string, fontSize = 12): number {
  return text.length * fontSize * 0.6;
}

/** Shortens a label to `max` characters with an ellipsis (the full text stays in the element's <title>). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

export interface PlotFrame {
  /** Unique on the page: the <title>/<desc> ids derive from it. */
  id: string;
  title: string;
  /** What the plot shows, for screen readers (the <desc>). */
  desc: string;
  width: number;
  height: number;
}

/** The outer element: role="img", labelled by its <title> and described by its <desc>. */
export function svgDoc(frame: PlotFrame, body: string): string {
  const id = safeId(frame.id);
  const w = Math.round(frame.width);
  const h = Math.round(frame.height);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="plot" id="${id}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" ` +
    `width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="currentColor">` +
    `<title id="${id}-title">${esc(frame.title)}</title><desc id="${id}-desc">${esc(frame.desc)}</desc>${body}</svg>`
  );
}

/** A text element; `attrs` are trusted attribute markup (numbers, fixed words), the text is escaped. */
export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${esc(content)}</text>`;
}

/** The plot's heading drawn inside it (the <title> is not shown by every viewer). */
export function heading(title: string, width: number): string {
  return text(8, 18, clip(title, Math.floor((width - 16) / 7.8)), 'font-size="14" font-weight="600"');
}

/** "No data" in the middle of the plot area, so an empty plot says so instead of looking broken. */
export function noData(width: number, height: number, what = 'No data'): string {
  return text(width / 2, height / 2 + 10, what, 'text-anchor="middle" fill-opacity="0.7" class="no-data"');
}

/** Legend entries in one row (wrapping to more rows when they do not fit); returns the markup and its height. */
export function legend(entries: readonly { label: string; colour: string }[], x0: number, y0: number, width: number): { svg: string; height: number } {
  let x = x0;
  let y = y0;
  let svg = '<g class="legend">';
  for (const e of entries) {
    const w = 18 + textWidth(e.label) + 14;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += 18;
    }
    svg += `<rect x="${px(x)}" y="${px(y - 9)}" width="11" height="11" rx="2" fill="${esc(e.colour)}"/>` + text(x + 16, y, e.label);
    x += w;
  }
  return { svg: `${svg}</g>`, height: y - y0 + 18 };
}

/** Colours for series without a meaning of their own (distinct on dark and light backgrounds). */
export const PALETTE = ['#4f8fe0', '#e0a84a', '#5bbf7a', '#c768d8', '#e5484d', '#3fb8c0', '#a58e5a', '#8a919b'] as const;

export const SEVERITY_COLOURS: Readonly<Record<'error' | 'warning' | 'info', string>> = {
  error: '#e5484d',
  warning: '#e0a84a',
  info: '#4f8fe0',
};

/** Outlier points: a strong red with a thick ring, unlike any group colour. */
export const OUTLIER_COLOUR = '#ff3b3b';
