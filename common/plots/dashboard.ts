// The dashboard's plots from its data (issue 14 item 5): the app's Dashboard and the `spine-ws qa --report` page
// both call this, so they show the same plots. Pure strings.
import type { DashboardData, DashboardSeverity } from '../contractDashboard.js';
import { barChart, stackedBars, type StackSeries } from './bars.js';
import { groupedBars } from './grouped.js';
import { stripPlot } from './strip.js';
import { fmt, PALETTE, SEVERITY_COLOURS } from './svg.js';

export interface DashboardPlot {
  /** Unique id of the plot's <svg> (prefix + kind). */
  id: string;
  kind: 'progress' | 'findings' | 'volumes' | 'grades';
  title: string;
  svg: string;
  /** Wide plots take a whole row of the dashboard's grid. */
  wide: boolean;
}

const STATUS_COLOURS: Readonly<Record<string, string>> = {
  todo: '#8a919b',
  in_progress: '#e0a84a',
  done: '#5bbf7a',
  reviewed: '#4f8fe0',
  second_look: '#c768d8',
};

const SEVERITIES: readonly StackSeries[] = (['error', 'warning', 'info'] as const satisfies readonly DashboardSeverity[]).map((s) => ({
  key: s,
  label: s === 'error' ? 'errors' : s === 'warning' ? 'warnings' : 'info',
  colour: SEVERITY_COLOURS[s],
}));

/** Sequential colours for ordered grades (low → high), and grey for "not graded". */
const GRADE_COLOURS: Readonly<Record<'pfirrmann' | 'modic', readonly string[]>> = {
  pfirrmann: ['#3fa66a', '#9ccc65', '#e8c547', '#f08c2e', '#e5484d'],
  modic: ['#6b8fb3', '#3fb8c0', '#c768d8', '#e5484d'],
};
const UNGRADED_COLOUR = '#7d828a';

export function dashboardPlots(data: DashboardData, prefix = 'dash'): DashboardPlot[] {
  const out: DashboardPlot[] = [];
  const totalSeries = data.progress.reduce((s, p) => s + p.count, 0);
  out.push({
    id: `${prefix}-progress`,
    kind: 'progress',
    title: 'Progress by status',
    wide: false,
    svg: barChart({
      id: `${prefix}-progress`,
      title: `Progress by status (${totalSeries} series)`,
      bars: data.progress.map((p, i) => ({ label: p.label, value: p.count, colour: STATUS_COLOURS[p.status] ?? PALETTE[i % PALETTE.length]! })),
      unit: 'series',
      percent: true,
    }),
  });
  const nFindings = data.counts.error + data.counts.warning + data.counts.info;
  out.push({
    id: `${prefix}-findings`,
    kind: 'findings',
    title: 'Findings by check',
    wide: false,
    svg: stackedBars({
      id: `${prefix}-findings`,
      title: `Findings by check (${nFindings})`,
      series: SEVERITIES,
      rows: data.findingsByCheck.map((f) => ({ label: f.code, values: f.counts })),
    }),
  });
  for (const v of data.volumes) {
    const nOut = v.groups.reduce((s, g) => s + g.points.filter((p) => p.outlier).length, 0);
    const id = `${prefix}-volumes-${v.sequence}`;
    out.push({
      id,
      kind: 'volumes',
      title: `Label volumes, ${v.sequence}`,
      wide: true,
      svg: stripPlot({
        id,
        title: `Label volumes, ${v.sequence} (${nOut} outlier${nOut === 1 ? '' : 's'} marked)`,
        unit: 'cm³',
        groups: v.groups.map((g) => ({
          label: g.name,
          points: g.points.map((p) => ({
            value: p.mm3 / 1000,
            outlier: p.outlier,
            tag: p.seriesId,
            label: `${p.seriesId} · ${g.name}: ${fmt(p.mm3 / 1000, 1)} cm³${p.z === null ? '' : `, robust z ${fmt(p.z, 1)}`}`,
          })),
        })),
      }),
    });
  }
  for (const g of data.grades) {
    const withUngraded = g.levels.some((l) => l.ungraded > 0);
    const colours = GRADE_COLOURS[g.field];
    const series: StackSeries[] = g.values.map((v, i) => ({ key: String(v), label: g.valueNames[i] ?? String(v), colour: colours[i % colours.length]! }));
    if (withUngraded) series.push({ key: 'ungraded', label: 'not graded', colour: UNGRADED_COLOUR });
    const id = `${prefix}-grades-${g.field}`;
    out.push({
      id,
      kind: 'grades',
      title: `${g.title} per level`,
      wide: false,
      svg: groupedBars({
        id,
        title: `${g.title} per disc level`,
        series,
        yLabel: 'levels',
        groups: g.levels.map((l) => ({ label: l.name, values: withUngraded ? [...l.counts, l.ungraded] : l.counts })),
      }),
    });
  }
  return out;
}
