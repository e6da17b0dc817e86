// The dataset dashboard's data (issue 14 item 5), pure: from a QA report, the series' work statuses and the
// effective gradings (radiological_gradings.csv overridden by this store's values) it builds the JSON
// DashboardData that common/plots/dashboard.ts draws: progress by status, findings by check and severity,
// label-volume distributions per label and sequence with the volume outliers marked, and the Pfirrmann and
// Modic distributions per disc level.
import { SERIES_STATUSES, type Service } from '../../../common/contract.js';
import type { DashboardData, DashboardOutlier, DashboardSeverity, GradeDistribution, VolumeGroup } from '../../../common/contractDashboard.js';
import { gradingFieldSpec } from '../../../common/gradings.js';
import { CANAL_LABEL, DISC_OFFSET, discName, isDisc, isPartialVertebra, isVertebra, labelInfo, PARTIAL_VERTEBRA_OFFSET } from '../../../common/labels.js';
import { MIN_MAD_FRACTION, MIN_OUTLIER_GROUP, robustZ } from './dataset.js';
import type { QaReport } from './types.js';

/** The effective Pfirrmann and Modic values of one disc level of one patient (null: no value). */
export interface LevelGrades {
  patientId: number;
  /** IVD label k (1 = L5/S1). */
  ivdLabel: number;
  pfirrmann: number | null;
  modic: number | null;
}

/** A gradings CSV row as the dataset scan parses it (only what the dashboard reads). */
export interface CsvGradeRow {
  patient: number;
  ivdLabel: number;
  pfirrmann: number | null;
  modic: number | null;
}

/** A value stored in the annotation store (store.gradings.all()); value null is an explicit blank. */
export interface StoredGrade {
  patientId: number;
  ivdLabel: number;
  field: string;
  value: number | null;
}

/**
 * Effective values per level: the CSV baseline, overridden field by field by the store's current values (as the
 * grading dock shows them). Levels only the store grades are included; IVD label 0 (no disc) is left out.
 */
export function effectiveGradings(csv: readonly CsvGradeRow[], stored: readonly StoredGrade[]): LevelGrades[] {
  const byKey = new Map<string, LevelGrades>();
  const at = (patientId: number, ivdLabel: number): LevelGrades => {
    const key = `${patientId}:${ivdLabel}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { patientId, ivdLabel, pfirrmann: null, modic: null }));
    return g;
  };
  for (const r of csv) {
    if (r.ivdLabel < 1) continue;
    const g = at(r.patient, r.ivdLabel);
    g.pfirrmann = r.pfirrmann;
    g.modic = r.modic;
  }
  for (const s of stored) {
    if (s.ivdLabel < 1 || (s.field !== 'pfirrmann' && s.field !== 'modic')) continue;
    at(s.patientId, s.ivdLabel)[s.field] = s.value;
  }
  return [...byKey.values()].sort((a, b) => a.patientId - b.patientId || a.ivdLabel - b.ivdLabel);
}

export interface DashboardInput {
  /** Dataset folder name. */
  name: string;
  patients: number;
  /** Every series of the dataset with its work status. */
  series: readonly { id: string; status: string }[];
  report: QaReport;
  gradings: readonly LevelGrades[];
  /** When the report was made (ISO); default now. */
  generatedAt?: string;
}

/** 'todo' → 'To do', 'in_progress' → 'In progress', 'second_look' → 'Second look'. */
export function statusLabel(status: string): string {
  if (status === 'todo') return 'To do';
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Anatomical order, cranial first: L1, L1/L2, L2 … L5, L5/S1; partial vertebrae after their level; canal last. */
export function labelOrder(v: number): number {
  if (isVertebra(v)) return -2 * v;
  if (isPartialVertebra(v)) return -2 * (v - PARTIAL_VERTEBRA_OFFSET) + 0.5;
  if (isDisc(v)) return -2 * (v - DISC_OFFSET) + 1;
  if (v === CANAL_LABEL) return 1000;
  return 2000 + v;
}

function labelName(v: number): string {
  try {
    return labelInfo(v).name;
  } catch {
    return `label ${v}`;
  }
}

const SEVERITIES: readonly DashboardSeverity[] = ['error', 'warning', 'info'];

function progress(series: DashboardInput['series']): DashboardData['progress'] {
  const counts = new Map<string, number>(SERIES_STATUSES.map((s) => [s, 0]));
  for (const s of series) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => ({ status, label: statusLabel(status), count }));
}

function findingsByCheck(report: QaReport): DashboardData['findingsByCheck'] {
  const byCode = new Map<string, Record<DashboardSeverity, number>>();
  for (const f of report.findings) {
    let c = byCode.get(f.code);
    if (!c) byCode.set(f.code, (c = { error: 0, warning: 0, info: 0 }));
    c[f.severity]++;
  }
  const total = (c: Record<DashboardSeverity, number>): number => SEVERITIES.reduce((s, k) => s + c[k], 0);
  return [...byCode]
    .map(([code, counts]) => ({ code, counts }))
    .sort((a, b) => total(b.counts) - total(a.counts) || a.code.localeCompare(b.code));
}

const key = (seriesId: string, label: number): string => `${seriesId}\u0000${label}`;

function volumes(report: QaReport): { volumes: DashboardData['volumes']; outliers: DashboardOutlier[] } {
  const flagged = new Map<string, string>();
  for (const f of report.findings) if (f.code === 'volume_outlier') for (const l of f.labels) flagged.set(key(f.seriesId, l), f.message);
  const bySequence = new Map<string, Map<number, VolumeGroup>>();
  const sequenceOf = new Map<string, string>();
  for (const s of report.summaries) {
    sequenceOf.set(s.seriesId, s.sequence);
    let groups = bySequence.get(s.sequence);
    if (!groups) bySequence.set(s.sequence, (groups = new Map<number, VolumeGroup>()));
    for (const l of s.labels) {
      let g = groups.get(l.value);
      if (!g) groups.set(l.value, (g = { label: l.value, name: labelName(l.value), points: [] }));
      g.points.push({ seriesId: s.seriesId, mm3: l.voxels * s.voxelVolume, z: null, outlier: flagged.has(key(s.seriesId, l.value)) });
    }
  }
  const out: DashboardData['volumes'] = [];
  for (const [sequence, groups] of [...bySequence].sort((a, b) => a[0].localeCompare(b[0]))) {
    const list = [...groups.values()].sort((a, b) => labelOrder(a.label) - labelOrder(b.label));
    for (const g of list) {
      // The same robust z the volume_outlier check computes, where the group is large enough to be judged.
      if (g.points.length < MIN_OUTLIER_GROUP) continue;
      const z = robustZ(g.points.map((p) => p.mm3), MIN_MAD_FRACTION);
      g.points.forEach((p, i) => (p.z = Math.round(z[i]! * 100) / 100));
    }
    out.push({ sequence, groups: list });
  }
  const outliers: DashboardOutlier[] = [];
  for (const [k, message] of flagged) {
    const [seriesId, label] = k.split('\u0000') as [string, string];
    const sequence = sequenceOf.get(seriesId) ?? '';
    const point = bySequence.get(sequence)?.get(Number(label))?.points.find((p) => p.seriesId === seriesId);
    outliers.push({ seriesId, sequence, label: Number(label), name: labelName(Number(label)), mm3: point?.mm3 ?? NaN, z: point?.z ?? null, message });
  }
  outliers.sort((a, b) => Math.abs(b.z ?? 0) - Math.abs(a.z ?? 0) || a.seriesId.localeCompare(b.seriesId));
  return { volumes: out, outliers };
}

/**
 * Per disc level and field: how many patients' levels have each value, and how many have none (a level is a
 * patient's disc that a checked mask labels, or that the gradings list).
 */
function grades(report: QaReport, gradings: readonly LevelGrades[]): GradeDistribution[] {
  const levels = new Map<string, LevelGrades>();
  for (const g of gradings) if (g.ivdLabel >= 1) levels.set(`${g.patientId}:${g.ivdLabel}`, g);
  for (const s of report.summaries) {
    for (const l of s.labels) {
      if (!isDisc(l.value)) continue;
      const k = l.value - DISC_OFFSET;
      const id = `${s.patientId}:${k}`;
      if (!levels.has(id)) levels.set(id, { patientId: s.patientId, ivdLabel: k, pfirrmann: null, modic: null });
    }
  }
  const ks = [...new Set([...levels.values()].map((l) => l.ivdLabel))].sort((a, b) => b - a);
  return (['pfirrmann', 'modic'] as const).map((field) => {
    const spec = gradingFieldSpec(field);
    const values = [...spec.values];
    return {
      field,
      title: field === 'pfirrmann' ? 'Pfirrmann grade' : 'Modic type',
      values,
      valueNames: values.map((v) => `${field === 'pfirrmann' ? 'Grade ' : ''}${spec.valueNames[v] ?? v}`),
      levels: ks.map((k) => {
        const counts = values.map(() => 0);
        let ungraded = 0;
        for (const l of levels.values()) {
          if (l.ivdLabel !== k) continue;
          const i = l[field] === null ? -1 : values.indexOf(l[field]);
          if (i < 0) ungraded++;
          else counts[i]!++;
        }
        return { ivdLabel: k, name: discName(k), counts, ungraded };
      }),
    };
  });
}

export function buildDashboard(input: DashboardInput): DashboardData {
  const { report } = input;
  const v = volumes(report);
  return {
    dataset: {
      name: input.name,
      patients: input.patients,
      series: input.series.length,
      seriesChecked: report.seriesChecked,
      seriesWithoutMask: report.seriesWithoutMask.length,
    },
    counts: { ...report.counts },
    progress: progress(input.series),
    findingsByCheck: findingsByCheck(report),
    volumes: v.volumes,
    outliers: v.outliers,
    grades: grades(report, input.gradings),
    generatedAt: input.generatedAt ?? new Date().toISOString(),
  };
}

export interface DashboardServiceDeps {
  name: string;
  patients: number;
  /** Every series with its current work status. */
  series(): readonly { id: string; status: string }[];
  /** The dataset's QA report on the current labels (the workstation's QA service). */
  report(): Promise<QaReport>;
  /** radiological_gradings.csv rows. */
  csv: readonly CsvGradeRow[];
  /** The store's current grading values. */
  stored(): readonly StoredGrade[];
}

/** getDashboard for the workstation's Service: statuses and gradings read once the report is ready. */
export function createDashboardMethods(deps: DashboardServiceDeps): Pick<Service, 'getDashboard'> {
  return {
    getDashboard: async () => {
      const report = await deps.report();
      return buildDashboard({
        name: deps.name,
        patients: deps.patients,
        series: deps.series(),
        report,
        gradings: effectiveGradings(deps.csv, deps.stored()),
      });
    },
  };
}
