// Agreement plots (issue 16 item 2): a confusion matrix per grading field (reader A rows, reader B columns, counts in
// the cells, κ and n in the title), Cohen's κ per disc level of one field, and the distribution of the per-series
// Dice per label. The app's Agreement page and the `spine-ws agree --report` page both draw them from an
// AgreementReport (common/contractReaders.ts), so they show the same plots. Pure strings, like the other plots.
import type { AgreementReport, FieldAgreement, KappaFigures } from '../contractReaders.js';
import { gradingFieldSpec, type GradingField } from '../gradings.js';
import { discName, labelInfo } from '../labels.js';
import { boxStats, stripPlot } from './strip.js';
import { clip, esc, fmt, heading, noData, PALETTE, px, svgDoc, text, textWidth } from './svg.js';

/** κ for people: two decimals, "—" when undefined. */
export function fmtKappa(k: number | null): string {
  return k === null ? '—' : fmt(k, 2);
}

/** "κw" for quadratic weights, else "κ". */
function kappaName(weights: 'quadratic' | null | undefined): string {
  return weights === 'quadratic' ? 'κw' : 'κ';
}

export interface ConfusionPlotOptions {
  id: string;
  /** Default: the field's title, or "Grades". */
  title?: string;
  /** Names of the two sources (rows A, columns B); default "A" and "B". */
  labelA?: string;
  labelB?: string;
}

const CELL_FILL = '#4f8fe0';

/**
 * A heat-map grid of `f.confusion`: rows are A's values, columns B's, cells hold the count (shaded by it), the
 * diagonal (agreement) outlined, row and column totals beside. Axis names are the field's grade names
 * (common/gradings.ts). The title gives κ (κw when weighted), the observed agreement and n.
 */
export function confusionMatrixPlot(
  f: KappaFigures & { field?: GradingField; weights?: 'quadratic' | null },
  o: ConfusionPlotOptions,
): string {
  const spec = f.field ? gradingFieldSpec(f.field) : null;
  const name = (v: number): string => spec?.valueNames[v] ?? String(v);
  const base = o.title ?? spec?.title ?? 'Grades';
  const labelA = o.labelA ?? 'A';
  const labelB = o.labelB ?? 'B';
  const title = f.n > 0 ? `${base}: ${kappaName(f.weights)} ${fmtKappa(f.kappa)}, n ${f.n}` : `${base}: n 0`;
  const cats = f.categories;
  const k = cats.length;
  const rowTotals = cats.map((_, i) => (f.confusion[i] ?? []).reduce((s, c) => s + c, 0));
  const colTotals = cats.map((_, j) => f.confusion.reduce((s, row) => s + (row[j] ?? 0), 0));
  const max = Math.max(0, ...f.confusion.flat());
  const names = cats.map((c) => clip(name(c), 10));
  const cell = Math.max(40, Math.min(72, Math.ceil(Math.max(0, ...names.map((n) => textWidth(n))) + 10)));
  const rowNameW = Math.ceil(Math.max(24, ...names.map((n) => textWidth(n))));
  const gridLeft = 30 + rowNameW + 8;
  const gridTop = 84;
  const width = Math.max(300, gridLeft + (k + 1) * cell + 12);
  const height = gridTop + (k + 1) * cell + 14;
  const rows = cats.map((c, i) => `${labelA} ${name(c)}: ${cats.map((d, j) => `${f.confusion[i]?.[j] ?? 0} × ${labelB} ${name(d)}`).join(', ')}`);
  const desc =
    f.n > 0
      ? `${base}, ${labelA} in rows, ${labelB} in columns, ${f.n} levels graded by both; observed agreement ${fmt(f.observed ?? 0, 2)}, ` +
        `${f.weights === 'quadratic' ? 'quadratic-weighted ' : ''}Cohen's kappa ${fmtKappa(f.kappa)}. ${rows.join('; ')}`
      : `${base}: no level graded by both ${labelA} and ${labelB}`;
  let body = heading(title, width);
  if (f.n > 0 && f.observed !== null) body += text(8, 36, `observed agreement ${fmt(f.observed * 100, 0)} %`, 'font-size="11" fill-opacity="0.75"');
  if (f.n === 0 || k === 0) {
    body += noData(width, height, 'No level graded by both');
    return svgDoc({ id: o.id, title, desc, width, height }, body);
  }
  const gridW = k * cell;
  body += '<g class="axis">';
  body += text(gridLeft + gridW / 2, 56, clip(`${labelB} →`, Math.floor(gridW / 7) + 4), 'text-anchor="middle" font-weight="600"');
  const midY = gridTop + (k * cell) / 2;
  body += text(14, midY, clip(`${labelA} →`, Math.floor((k * cell) / 7) + 4), `text-anchor="middle" font-weight="600" transform="rotate(-90 14 ${px(midY)})"`);
  names.forEach((n, j) => {
    body += text(gridLeft + (j + 0.5) * cell, gridTop - 8, n, 'text-anchor="middle"');
    body += text(gridLeft - 8, gridTop + (j + 0.5) * cell + 4, n, 'text-anchor="end"');
  });
  body += text(gridLeft + (k + 0.5) * cell, gridTop - 8, 'Σ', 'text-anchor="middle" fill-opacity="0.75"');
  body += text(gridLeft - 8, gridTop + (k + 0.5) * cell + 4, 'Σ', 'text-anchor="end" fill-opacity="0.75"');
  body += '</g>';
  cats.forEach((a, i) => {
    cats.forEach((b, j) => {
      const count = f.confusion[i]?.[j] ?? 0;
      const x = gridLeft + j * cell;
      const y = gridTop + i * cell;
      const shade = max > 0 && count > 0 ? 0.12 + (0.78 * count) / max : 0.03;
      const diag = i === j ? ' stroke="currentColor" stroke-opacity="0.7" stroke-width="1.5"' : ' stroke="currentColor" stroke-opacity="0.15"';
      const tip = `${labelA} ${name(a)}, ${labelB} ${name(b)}: ${count} level${count === 1 ? '' : 's'}`;
      body +=
        `<g class="cell${i === j ? ' diagonal' : ''}" data-a="${a}" data-b="${b}" data-count="${count}"><title>${esc(tip)}</title>` +
        `<rect x="${px(x + 1)}" y="${px(y + 1)}" width="${cell - 2}" height="${cell - 2}" rx="3" fill="${CELL_FILL}" fill-opacity="${fmt(shade, 2)}"${diag}/>` +
        text(x + cell / 2, y + cell / 2 + 5, String(count), `text-anchor="middle" font-size="14"${count === 0 ? ' fill-opacity="0.45"' : ' font-weight="600"'}`) +
        '</g>';
    });
  });
  const totals = (v: number, x: number, y: number, cls: string): string =>
    `<g class="${cls}" data-count="${v}">` + text(x, y, String(v), 'text-anchor="middle" fill-opacity="0.75"') + '</g>';
  rowTotals.forEach((t, i) => (body += totals(t, gridLeft + (k + 0.5) * cell, gridTop + (i + 0.5) * cell + 4, 'row-total')));
  colTotals.forEach((t, j) => (body += totals(t, gridLeft + (j + 0.5) * cell, gridTop + (k + 0.5) * cell + 4, 'col-total')));
  body += totals(f.n, gridLeft + (k + 0.5) * cell, gridTop + (k + 0.5) * cell + 4, 'grand-total');
  return svgDoc({ id: o.id, title, desc, width, height }, body);
}

export interface PerLevelKappaOptions {
  id: string;
  title?: string;
  width?: number;
}

const PL_LEFT = 52;
const PL_RIGHT = 12;
const PL_TOP = 44;
const PL_PLOT_H = 180;

/**
 * One vertical bar per IVD level (named L1/L2 … L5/S1, top of the spine first) with the field's κ at that level,
 * on a fixed −1…1 axis (0 drawn). n is written under each level; a level whose κ is undefined (every pair in one
 * category) shows "κ —" and no bar.
 */
export function perLevelKappaPlot(f: FieldAgreement, o: PerLevelKappaOptions): string {
  const spec = gradingFieldSpec(f.field);
  const kn = kappaName(f.weights);
  const title = o.title ?? `${spec.title}: ${kn} per level`;
  const levels = [...f.perLevel].sort((a, b) => b.ivdLabel - a.ivdLabel);
  const width = o.width ?? Math.max(360, Math.min(900, PL_LEFT + PL_RIGHT + levels.length * 70));
  const height = PL_TOP + PL_PLOT_H + 48;
  const desc = levels.length
    ? `${spec.title}, ${f.weights === 'quadratic' ? 'quadratic-weighted ' : ''}Cohen's kappa per disc level: ` +
      levels.map((l) => `${discName(l.ivdLabel)} ${fmtKappa(l.kappa)} (n ${l.n})`).join('; ')
    : `${spec.title}: no level graded by both`;
  let body = heading(title, width);
  if (levels.length === 0) {
    body += noData(width, height, 'No level graded by both');
    return svgDoc({ id: o.id, title, desc, width, height }, body);
  }
  const yBottom = PL_TOP + PL_PLOT_H;
  const y = (v: number): number => PL_TOP + (PL_PLOT_H * (1 - v)) / 2;
  body += '<g class="axis">';
  for (const t of [-1, -0.5, 0, 0.5, 1]) {
    const strong = t === 0;
    body += `<line x1="${PL_LEFT}" y1="${px(y(t))}" x2="${width - PL_RIGHT}" y2="${px(y(t))}" stroke="currentColor" stroke-opacity="${strong ? 0.55 : 0.15}"/>`;
    body += text(PL_LEFT - 6, y(t) + 4, fmt(t, 1), 'text-anchor="end" fill-opacity="0.75"');
  }
  body += text(14, PL_TOP + PL_PLOT_H / 2, kn, `text-anchor="middle" transform="rotate(-90 14 ${px(PL_TOP + PL_PLOT_H / 2)})" fill-opacity="0.75"`);
  body += '</g>';
  const band = (width - PL_LEFT - PL_RIGHT) / levels.length;
  const barW = Math.max(6, Math.min(36, band * 0.55));
  levels.forEach((l, i) => {
    const cx = PL_LEFT + band * (i + 0.5);
    const lname = discName(l.ivdLabel);
    const tip = `${lname}: ${kn} ${fmtKappa(l.kappa)}, observed agreement ${l.observed === null ? '—' : fmt(l.observed, 2)}, n ${l.n}`;
    body += `<g class="level" data-level="${l.ivdLabel}" data-kappa="${l.kappa ?? ''}" data-n="${l.n}"><title>${esc(tip)}</title>`;
    if (l.kappa !== null) {
      const top = y(Math.max(0, l.kappa));
      const h = Math.abs(y(l.kappa) - y(0));
      const colour = l.kappa < 0 ? '#e5484d' : PALETTE[0];
      body += `<rect class="bar" x="${px(cx - barW / 2)}" y="${px(top)}" width="${px(barW)}" height="${px(Math.max(1, h))}" rx="2" fill="${colour}"/>`;
      const ty = l.kappa >= 0 ? y(l.kappa) - 5 : y(l.kappa) + 14;
      body += text(cx, ty, fmtKappa(l.kappa), 'text-anchor="middle" font-size="11"');
    } else {
      body += text(cx, y(0) - 6, `${kn} —`, 'text-anchor="middle" font-size="11" fill-opacity="0.7"');
    }
    body += text(cx, yBottom + 18, clip(lname, Math.max(3, Math.floor(band / 7))), 'text-anchor="middle"');
    body += text(cx, yBottom + 34, `n ${l.n}`, 'text-anchor="middle" font-size="11" fill-opacity="0.7"');
    body += '</g>';
  });
  return svgDoc({ id: o.id, title, desc, width, height }, body);
}

/** Dice difference under which two names in neighbouring groups would overlap (16 px of the 240 px Dice axis). */
const TAG_CLEARANCE = 0.07;

export interface DicePlotOptions {
  id: string;
  title?: string;
  width?: number;
}

/**
 * Per label (the report's perLabel, ascending by value) a box over the per-series Dice and every series as a
 * point (tooltip: series and Dice). Series below the box's lower whisker are marked as outliers and tagged with
 * their series id, so the worst cases are named in a printed plot too. Skipped series carry no Dice and are left out.
 */
export function diceDistributionPlot(report: Pick<AgreementReport, 'series' | 'perLabel'>, o: DicePlotOptions): string {
  const byLabel = new Map<number, { seriesId: string; dice: number }[]>();
  for (const s of report.series) {
    if (s.skipped !== null) continue;
    for (const l of s.labels) {
      const list = byLabel.get(l.value) ?? [];
      list.push({ seriesId: s.seriesId, dice: l.dice });
      byLabel.set(l.value, list);
    }
  }
  const labels = report.perLabel.length
    ? [...report.perLabel].sort((a, b) => a.value - b.value).map((p) => ({ value: p.value, name: p.name }))
    : [...byLabel.keys()].sort((a, b) => a - b).map((v) => ({ value: v, name: labelName(v) }));
  // Dice of the tagged point per group index: a name is left out where it would run into the neighbouring group's.
  const taggedAt = new Map<number, number>();
  const groups = labels.map((l, gi) => {
    const pts = byLabel.get(l.value) ?? [];
    const box = boxStats(pts.map((p) => p.dice));
    const isOutlier = (d: number): boolean => box !== null && pts.length >= 4 && d < box.low;
    // Only the group's lowest outlier is tagged (named beside its point: names of equal values would overlap), and
    // not when the previous group's name sits at about the same height; every outlier is marked and names its
    // series in its tooltip.
    let lowest = pts.reduce<number>((m, p, i) => (isOutlier(p.dice) && (m < 0 || p.dice < pts[m]!.dice) ? i : m), -1);
    const before = taggedAt.get(gi - 1);
    if (lowest >= 0 && before !== undefined && Math.abs(before - pts[lowest]!.dice) < TAG_CLEARANCE) lowest = -1;
    if (lowest >= 0) taggedAt.set(gi, pts[lowest]!.dice);
    return {
      label: l.name,
      colour: labelColour(l.value) ?? PALETTE[gi % PALETTE.length]!,
      points: pts.map((p, i) => {
        const outlier = isOutlier(p.dice);
        return { value: p.dice, label: `${p.seriesId} · ${l.name}: Dice ${fmt(p.dice, 3)}`, outlier, ...(i === lowest ? { tag: p.seriesId } : {}) };
      }),
    };
  });
  const n = report.series.filter((s) => s.skipped === null).length;
  const title = o.title ?? `Dice per label (${n} series)`;
  // The axis starts a tenth below the lowest Dice (at 0 when that is under 0.5), not at 0: agreement between careful
  // readers is mostly 0.85–1, which a 0–1 axis squeezes into its top tenth. The tick labels show where it starts.
  const lowest = Math.min(1, ...groups.flatMap((g) => g.points.map((p) => p.value)));
  const floor = lowest < 0.5 ? 0 : Math.floor(lowest * 10) / 10 - 0.1;
  return stripPlot({ id: o.id, title, groups, unit: 'Dice', floor, ...(o.width ? { width: o.width } : {}) });
}

function labelName(v: number): string {
  try {
    return labelInfo(v).name;
  } catch {
    return `Label ${v}`;
  }
}

/** The label's viewer colour, so a group reads as the same structure as on screen; null for an unknown value or a
 *  colour too dark to see on the app's dark panel (then a palette colour is used). */
function labelColour(v: number): string | null {
  let c: readonly [number, number, number];
  try {
    c = labelInfo(v).color;
  } catch {
    return null;
  }
  if (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] < 70) return null;
  return `#${c.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

export interface AgreementPlot {
  /** Unique id of the plot's <svg> (prefix + kind + field). */
  id: string;
  kind: 'dice' | 'confusion' | 'perLevelKappa';
  field: GradingField | null;
  title: string;
  svg: string;
  /** Wide plots take a whole row of a grid. */
  wide: boolean;
}

/**
 * All plots of a report, in reading order: the Dice distribution, then per grading field with pairs (Pfirrmann,
 * Modic, then the report's order) its confusion matrix and its per-level κ. `names` are how the sources are shown ("You",
 * "Reader B"); default the source refs.
 */
export function agreementPlots(report: AgreementReport, prefix = 'agree', names?: { a?: string; b?: string }): AgreementPlot[] {
  const labelA = names?.a ?? report.a;
  const labelB = names?.b ?? report.b;
  const out: AgreementPlot[] = [];
  const diceId = `${prefix}-dice`;
  out.push({ id: diceId, kind: 'dice', field: null, title: 'Dice per label', wide: true, svg: diceDistributionPlot(report, { id: diceId }) });
  // Pfirrmann and Modic first (the fields agreement studies report), then the others; fields no level has a pair
  // for are left out (the κ table says n 0).
  const rank = (f: FieldAgreement): number => (f.field === 'pfirrmann' ? 0 : f.field === 'modic' ? 1 : 2);
  const fields = report.gradings.filter((f) => f.n > 0).sort((x, y) => rank(x) - rank(y));
  for (const f of fields) {
    const spec = gradingFieldSpec(f.field);
    const cid = `${prefix}-confusion-${f.field}`;
    out.push({ id: cid, kind: 'confusion', field: f.field, title: `${spec.title}: confusion matrix`, wide: false, svg: confusionMatrixPlot(f, { id: cid, labelA, labelB }) });
    if (f.perLevel.length > 0) {
      const kid = `${prefix}-kappa-${f.field}`;
      out.push({ id: kid, kind: 'perLevelKappa', field: f.field, title: `${spec.title}: κ per level`, wide: false, svg: perLevelKappaPlot(f, { id: kid }) });
    }
  }
  return out;
}
