// Dashboard data (main/core/qa/dashboard.ts) on crafted QA reports: statuses counted in workflow order, findings
// per check and severity, label volumes per sequence and label with the volume_outlier findings marked and the
// robust z of the check, effective gradings (CSV overridden by the store) per level, and its plots.
import { describe, expect, it } from 'vitest';
import { SERIES_STATUSES } from '../../../common/contract.js';
import { dashboardPlots } from '../../../common/plots/index.js';
import { buildDashboard, effectiveGradings, labelOrder, statusLabel, type DashboardInput } from '../../../main/core/qa/dashboard.js';
import { volumeOutliers, type QaFinding, type QaReport, type SeriesQaSummary } from '../../../main/core/qa/index.js';
import { findAll, hasClass, parseXml, titleOf } from '../plotsXml.js';

/** n series of one sequence with L4 (label 2) volumes `l4` (voxels of 1 mm³) and disc L4/L5 (202) and canal. */
function summaries(sequence: string, l4: number[], offset = 0): SeriesQaSummary[] {
  return l4.map((v, i) => ({
    seriesId: `${i + 1 + offset}_${sequence}`,
    patientId: i + 1 + offset,
    sequence,
    voxelVolume: 1,
    labels: [
      { value: 100, voxels: 40_000 + i, centroidIjk: [1, 2, 3], centroidWorld: [1, 2, 3] },
      { value: 202, voxels: 9_000 + 10 * i, centroidIjk: [1, 2, 3], centroidWorld: [1, 2, 3] },
      { value: 2, voxels: v, centroidIjk: [1, 2, 3], centroidWorld: [1, 2, 3] },
    ],
  }));
}

function report(sums: SeriesQaSummary[], extra: QaFinding[] = []): QaReport {
  const findings = [...extra, ...volumeOutliers(sums)];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { root: '/data/ds', seriesChecked: sums.length, seriesWithoutMask: ['99_t1'], findings, counts, summaries: sums };
}

const L4 = [30_000, 31_000, 29_500, 30_500, 32_000, 29_000, 30_200, 31_500, 60_000];
const f = (code: QaFinding['code'], severity: QaFinding['severity'], seriesId: string): QaFinding => ({ code, severity, seriesId, labels: [2], message: `${code} in ${seriesId}` });

function input(over: Partial<DashboardInput> = {}): DashboardInput {
  const sums = [...summaries('t2', L4), ...summaries('t1', L4.slice(0, 4), 20)];
  return {
    name: 'ds',
    patients: 13,
    series: [
      ...sums.map((s, i) => ({ id: s.seriesId, status: i < 6 ? 'done' : 'todo' })),
      { id: '99_t1', status: 'in_progress' },
      { id: '98_t1', status: 'odd_status' },
    ],
    report: report(sums, [f('island', 'error', '1_t2'), f('island', 'warning', '2_t2'), f('level_gap', 'error', '3_t2'), f('canal_missing', 'info', '3_t2')]),
    gradings: [],
    generatedAt: '2026-12-01T00:00:00.000Z',
    ...over,
  };
}

describe('dashboard data', () => {
  it('counts series per status in the workflow order, unknown statuses last', () => {
    const d = buildDashboard(input());
    expect(d.progress.map((p) => p.status)).toEqual([...SERIES_STATUSES, 'odd_status']);
    const count = Object.fromEntries(d.progress.map((p) => [p.status, p.count]));
    expect(count).toMatchObject({ todo: 7, in_progress: 1, done: 6, odd_status: 1 });
    expect(d.progress.find((p) => p.status === 'in_progress')!.label).toBe('In progress');
    expect(statusLabel('second_look')).toBe('Second look');
    expect(statusLabel('todo')).toBe('To do');
    expect(d.dataset).toEqual({ name: 'ds', patients: 13, series: 15, seriesChecked: 13, seriesWithoutMask: 1 });
  });

  it('findings per check and severity, most first', () => {
    const d = buildDashboard(input());
    expect(d.findingsByCheck).toEqual([
      { code: 'island', counts: { error: 1, warning: 1, info: 0 } },
      { code: 'canal_missing', counts: { error: 0, warning: 0, info: 1 } },
      { code: 'level_gap', counts: { error: 1, warning: 0, info: 0 } },
      { code: 'volume_outlier', counts: { error: 0, warning: 1, info: 0 } },
    ]);
    expect(d.counts).toEqual({ error: 2, warning: 2, info: 1 });
  });

  it('volumes per sequence and label in anatomical order; the volume_outlier finding marks its point', () => {
    const d = buildDashboard(input());
    expect(d.volumes.map((v) => v.sequence)).toEqual(['t1', 't2']);
    const t2 = d.volumes.find((v) => v.sequence === 't2')!;
    expect(t2.groups.map((g) => g.name)).toEqual(['L4', 'L4/L5', 'Canal']);
    const l4 = t2.groups[0]!;
    expect(l4.points.map((p) => p.mm3)).toEqual(L4);
    expect(l4.points.filter((p) => p.outlier).map((p) => p.seriesId)).toEqual(['9_t2']);
    expect(l4.points[8]!.z).toBeGreaterThan(3.5);
    // Groups under MIN_OUTLIER_GROUP series are not judged: no z.
    expect(d.volumes[0]!.groups[0]!.points.every((p) => p.z === null && !p.outlier)).toBe(true);
    expect(d.outliers).toEqual([
      expect.objectContaining({ seriesId: '9_t2', sequence: 't2', label: 2, name: 'L4', mm3: 60_000, z: l4.points[8]!.z }),
    ]);
    expect(d.outliers[0]!.message).toMatch(/robust z/);
  });

  it('orders labels cranial first: vertebra, disc below it, next vertebra …, canal last', () => {
    const order = [100, 201, 1, 202, 2, 105, 5, 205].sort((a, b) => labelOrder(a) - labelOrder(b));
    expect(order).toEqual([5, 105, 205, 2, 202, 1, 201, 100]);
  });

  it('effective gradings: store values override the CSV field by field; store-only levels count; IVD 0 does not', () => {
    const csv = [
      { patient: 1, ivdLabel: 1, pfirrmann: 3, modic: 0 },
      { patient: 1, ivdLabel: 2, pfirrmann: 2, modic: 1 },
      { patient: 2, ivdLabel: 0, pfirrmann: 5, modic: 0 },
    ];
    const stored = [
      { patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: 5 },
      { patientId: 1, ivdLabel: 2, field: 'herniation', value: 1 },
      { patientId: 3, ivdLabel: 2, field: 'modic', value: 2 },
    ];
    expect(effectiveGradings(csv, stored)).toEqual([
      { patientId: 1, ivdLabel: 1, pfirrmann: 5, modic: 0 },
      { patientId: 1, ivdLabel: 2, pfirrmann: 2, modic: 1 },
      { patientId: 3, ivdLabel: 2, pfirrmann: null, modic: 2 },
    ]);
  });

  it('grade distributions per level, cranial first; segmented discs without a value are "not graded"', () => {
    const gradings = [
      { patientId: 1, ivdLabel: 2, pfirrmann: 3, modic: 0 },
      { patientId: 2, ivdLabel: 2, pfirrmann: 3, modic: 1 },
      { patientId: 3, ivdLabel: 2, pfirrmann: 5, modic: null },
      { patientId: 1, ivdLabel: 1, pfirrmann: 4, modic: 2 },
    ];
    const d = buildDashboard(input({ gradings }));
    const pf = d.grades.find((g) => g.field === 'pfirrmann')!;
    expect(pf.values).toEqual([1, 2, 3, 4, 5]);
    expect(pf.valueNames).toEqual(['Grade I', 'Grade II', 'Grade III', 'Grade IV', 'Grade V']);
    expect(pf.levels.map((l) => l.name)).toEqual(['L4/L5', 'L5/S1']);
    // L4/L5 (k = 2): three graded, and 10 more patients whose masks label disc 202 without a grading.
    expect(pf.levels[0]).toEqual({ ivdLabel: 2, name: 'L4/L5', counts: [0, 0, 2, 0, 1], ungraded: 10 });
    expect(pf.levels[1]).toEqual({ ivdLabel: 1, name: 'L5/S1', counts: [0, 0, 0, 1, 0], ungraded: 0 });
    const modic = d.grades.find((g) => g.field === 'modic')!;
    expect(modic.levels[0]).toEqual({ ivdLabel: 2, name: 'L4/L5', counts: [1, 1, 0, 0], ungraded: 11 });
  });

  it('plots: progress, findings, one volume plot per sequence, Pfirrmann and Modic; outliers marked', () => {
    const d = buildDashboard(input({ gradings: [{ patientId: 1, ivdLabel: 2, pfirrmann: 2, modic: 0 }] }));
    const plots = dashboardPlots(d, 'x');
    expect(plots.map((p) => p.id)).toEqual(['x-progress', 'x-findings', 'x-volumes-t1', 'x-volumes-t2', 'x-grades-pfirrmann', 'x-grades-modic']);
    const svg = Object.fromEntries(plots.map((p) => [p.id, parseXml(p.svg)]));
    expect(findAll(svg['x-progress']!, hasClass('bar'))).toHaveLength(d.progress.length);
    expect(findAll(svg['x-findings']!, hasClass('bar-row'))).toHaveLength(4);
    const outliers = findAll(svg['x-volumes-t2']!, hasClass('outlier'));
    expect(outliers.map(titleOf)).toEqual([`Outlier: 9_t2 · L4: 60 cm³, robust z ${d.volumes[1]!.groups[0]!.points[8]!.z!.toFixed(1)}`]);
    expect(findAll(svg['x-volumes-t1']!, hasClass('outlier'))).toEqual([]);
    // Grades: 5 grades + "not graded" per level.
    const levels = findAll(svg['x-grades-pfirrmann']!, hasClass('bar-group'));
    expect(levels.map((g) => g.attrs['data-category'])).toEqual(['L4/L5']);
    expect(findAll(levels[0]!, hasClass('bar')).map((b) => b.attrs['data-series'])).toEqual(['1', '2', '3', '4', '5', 'ungraded']);
  });

  it('an empty dataset gives empty plots that say so', () => {
    const empty: QaReport = { root: '/x', seriesChecked: 0, seriesWithoutMask: [], findings: [], counts: { error: 0, warning: 0, info: 0 }, summaries: [] };
    const d = buildDashboard({ name: 'x', patients: 0, series: [], report: empty, gradings: [] });
    expect(d.volumes).toEqual([]);
    expect(d.grades.every((g) => g.levels.length === 0)).toBe(true);
    for (const p of dashboardPlots(d)) expect(findAll(parseXml(p.svg), hasClass('no-data')), p.id).toHaveLength(1);
  });
});
