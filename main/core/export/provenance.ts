// Where each exported label and grade came from (issue 16, consensus export): the manifest's `provenance`, and the
// agreement figures between the imported readers (`agreement`).
//
// Labels, per (series, label L) whose exported region differs from the original mask or that has an adjudication
// decision (export of 'local', the adjudicator's consensus):
//   from = the decided source ('original' or 'reader:X') when the exported L region equals that source's L region;
//          else 'original' when it equals the original mask's; else 'edited' (local hand edits; `editors` names
//          the annotators with active edits in the series);
//   decision = the latest decision (source or null = by hand, adjudicator, time, journal entry) and whether the
//          exported labels still hold what it decided (`holds`: false after a later edit or an undo).
// The comparison is exact and costs one pass per series read anyway (original vs exported) plus the reader's sparse
// diff: a reader's L equals the exported L iff the voxels where (original == L) ≠ (exported == L), corrected at the
// reader's diff positions, number zero. Export of 'reader:X': every differing label is from 'reader:X'. 'original':
// nothing differs.
// Grades, per (patient, level, field) that differs from the gradings CSV or lies on a decided level: the same rule
// with the decided source's values (sources.ts sourceGrades), 'edited' with the annotator and time of the change.
// A reader imported or replaced while a run that records provenance is going is refused (`conflict`) before the
// folder is committed: its layers are read series by series, its grades and the figures at other times.
import type { AgreementReport, GradeBasis, SourceRef } from '../../../common/contractReaders.js';
import { readerOf } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import type { GradingField } from '../../../common/gradings.js';
import { labelInfo } from '../../../common/labels.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';
import type { SeriesEntry } from '../dataset/index.js';
import { runAgreement } from '../readers/agreeRun.js';
import { checkSource, levelKey, readerLayerDiff, readOnlySourceContext, sourceGrades, type SourceGrades } from '../readers/sources.js';
import type { AdjudicationRecord, ReaderRecord, Store } from '../store/index.js';
import type { ExportContext } from './context.js';
import type { GradingsExport } from './gradingsCsv.js';
import type { ExportDeps } from './types.js';

/** An adjudication decision as the manifest lists it. */
export interface DecisionRecord {
  /** The source taken; null = decided by editing by hand. */
  from: SourceRef | null;
  adjudicator: string;
  at: string;
  /** The label journal entry written with it (labels taken through an edit), else null. */
  editSeq: number | null;
  /** The exported value(s) still equal what the decided source has (always true for decisions by hand / 'local'). */
  holds: boolean;
}

export type Origin = 'original' | 'edited' | `reader:${string}`;

export interface LabelProvenance {
  seriesId: string;
  value: number;
  name: string;
  from: Origin;
  decision: DecisionRecord | null;
  /** 'edited' only: annotators with active edits in the series. */
  editors?: string[];
}

export interface GradeProvenance {
  patientId: number;
  ivdLabel: number;
  field: GradingField;
  /** The exported value and the source CSV's (null: none). */
  value: number | null;
  csv: number | null;
  from: Origin;
  decision: DecisionRecord | null;
  /** Who set the exported value and when (a grade that differs from the CSV). */
  annotator?: string;
  time?: string;
}

export interface ManifestProvenance {
  labels: LabelProvenance[];
  grades: GradeProvenance[];
}

/** One pair of sources compared (runAgreement over the whole dataset, current grades). */
export interface AgreementFigures {
  a: SourceRef;
  b: SourceRef;
  basis: GradeBasis;
  series: number;
  seriesDiffering: number;
  seriesSkipped: number;
  meanDice: number | null;
  kappa: { field: GradingField; weights: 'quadratic' | null; n: number; observed: number | null; kappa: number | null }[];
  labels: { value: number; name: string; series: number; meanDice: number; minDice: number }[];
}

const labelName = (v: number): string => {
  try {
    return labelInfo(v).name;
  } catch {
    return `value ${v}`;
  }
};

const decisionOf = (d: AdjudicationRecord, holds: boolean): DecisionRecord =>
  ({ from: d.from as SourceRef | null, adjudicator: d.annotator, at: d.createdAt, editSeq: d.editSeq, holds });

/** What one export run knows about its sources; kept per run, outside the shared context. */
interface Collector {
  source: SourceRef;
  reader: ReaderRecord | null;
  /** Provenance is recorded (see startProvenance). */
  active: boolean;
  /** Latest label decisions by series, then label (snapshot taken with the gradings). */
  labelDecisions: Map<string, Map<number, AdjudicationRecord>>;
  levelDecisions: Map<string, AdjudicationRecord>;
  labels: Map<string, LabelProvenance[]>;
  warnings: string[];
  /** Every reader's package when the run started ({@link readerPackages}). */
  packages: string;
}
const runs = new WeakMap<ExportContext, Collector>();

/**
 * Starts a run: the source's reader and the latest decisions, read once (one synchronous block). Returns whether the
 * run records provenance: for another source than 'local', or when the store holds readers or decisions (otherwise
 * nothing is collected and an export costs what it did before issue 16).
 */
export function startProvenance(ctx: ExportContext, source: SourceRef): boolean {
  const reader = checkSource(ctx.deps.store, source);
  const decisions = ctx.deps.store.readers.latestDecisions();
  const active = source !== 'local' || decisions.length > 0 || ctx.deps.store.readers.list().length > 0;
  const labelDecisions = new Map<string, Map<number, AdjudicationRecord>>();
  const levelDecisions = new Map<string, AdjudicationRecord>();
  for (const d of decisions) {
    if (d.kind === 'label' && d.seriesId !== null && d.label !== null) {
      const m = labelDecisions.get(d.seriesId) ?? new Map<number, AdjudicationRecord>();
      m.set(d.label, d);
      labelDecisions.set(d.seriesId, m);
    } else if (d.kind === 'level' && d.patientId !== null && d.ivdLabel !== null) levelDecisions.set(levelKey(d.patientId, d.ivdLabel), d);
  }
  runs.set(ctx, { source, reader, active, labelDecisions, levelDecisions, labels: new Map(), warnings: ctx.warnings, packages: readerPackages(ctx.deps.store) });
  return active;
}

/** The imported readers and their packages, as one comparable string. */
function readerPackages(store: Store): string {
  return store.readers.list().map((r) => `${r.name}\u0000${r.sha256}`).join('\n');
}

/**
 * A reader's layer replaced while an export runs would mix two packages in it (the layers are read series by series,
 * the grades and the agreement figures at other times): the export is refused instead, typed, before its folder is
 * committed.
 */
function checkPackagesUnchanged(store: Store, before: string, what: string): void {
  const now = readerPackages(store);
  if (now === before) return;
  const names = (s: string): Map<string, string> => new Map(s === '' ? [] : s.split('\n').map((l) => l.split('\u0000') as [string, string]));
  const b = names(before), n = names(now);
  const changed = [...new Set([...b.keys(), ...n.keys()])].filter((k) => b.get(k) !== n.get(k)).sort();
  throw new AppError('conflict', `Reader ${changed.join(', ')} was imported or replaced while ${what} ran; nothing was exported: export again`);
}

/** The source of a run ('local' when the run collects nothing). */
export function exportSource(ctx: ExportContext): SourceRef {
  return runs.get(ctx)?.source ?? 'local';
}

/** The reader of a run exporting a reader layer, else null. */
export function exportReader(ctx: ExportContext): ReaderRecord | null {
  return runs.get(ctx)?.reader ?? null;
}

/** A reader's decoded layer of a series (null: none); a layer that does not fit is a warning and counts as none. */
function layerOf(c: Collector, store: Store, source: SourceRef, e: SeriesEntry): VoxelDiff | null | 'unusable' {
  try {
    return readerLayerDiff(store, checkSource(store, source)!, e);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    c.warnings.push(`provenance: ${err.message}`);
    return 'unusable';
  }
}

/**
 * Records the label provenance of one series from its original mask (null: none, all background) and exported
 * labels (null: equal to the original). Called by readLabels for every series it reads, and at the end for decided
 * series that were not read (their exported labels are the original).
 */
export function noteSeriesLabels(ctx: ExportContext, e: SeriesEntry, original: Uint8Array | null, current: Uint8Array | null): void {
  const c = runs.get(ctx);
  if (!c || !c.active || c.labels.has(e.id) || c.source === 'original') return;
  // mism[L]: voxels where (original == L) ≠ (exported == L).
  const mism = new Float64Array(256);
  if (current) {
    for (let i = 0; i < current.length; i++) {
      const o = original ? original[i]! : 0;
      const x = current[i]!;
      if (o !== x) {
        mism[o] = mism[o]! + 1;
        mism[x] = mism[x]! + 1;
      }
    }
  }
  const decided = c.source === 'local' ? (c.labelDecisions.get(e.id) ?? new Map<number, AdjudicationRecord>()) : new Map<number, AdjudicationRecord>();
  const out: LabelProvenance[] = [];
  let editors: string[] | null = null;
  const editorsOf = (): string[] => {
    const store = ctx.deps.store;
    editors ??= [...new Set(store.edits.history(e.id).filter((x) => x.state === 'active').map((x) => store.annotators.name(x.annotatorId)))].sort();
    return editors;
  };
  /** Exported L equals the reader's L (reader = original + its diff). */
  const equalsReader = (label: number, source: SourceRef): boolean => {
    const diff = layerOf(c, ctx.deps.store, source, e);
    if (diff === 'unusable') return false;
    let m = mism[label]!;
    if (diff) {
      for (let k = 0; k < diff.indices.length; k++) {
        const v = diff.indices[k]!;
        const o = original ? original[v]! : diff.before[k]!;
        const x = current ? current[v]! : o;
        if ((o === label) !== (x === label)) m--;
        if ((diff.after[k] === label) !== (x === label)) m++;
      }
    }
    return m === 0;
  };
  for (let label = 1; label < 256; label++) {
    const d = decided.get(label);
    if (mism[label] === 0 && !d) continue;
    if (c.source !== 'local') {
      out.push({ seriesId: e.id, value: label, name: labelName(label), from: c.source, decision: null });
      continue;
    }
    let from: Origin | null = null;
    let holds = true;
    if (d && (d.from === 'original' || (d.from !== null && readerOf(d.from as SourceRef) !== null))) {
      holds = d.from === 'original' ? mism[label] === 0 : equalsReader(label, d.from as SourceRef);
      if (holds) from = d.from as Origin;
    }
    from ??= mism[label] === 0 ? 'original' : 'edited';
    const rec: LabelProvenance = { seriesId: e.id, value: label, name: labelName(label), from, decision: d ? decisionOf(d, holds) : null };
    if (from === 'edited') rec.editors = editorsOf();
    out.push(rec);
  }
  c.labels.set(e.id, out);
}

/** The label provenance of the exported series (dataset order), decided series not read by the run included. */
export function labelProvenance(ctx: ExportContext, exported: readonly string[]): LabelProvenance[] {
  const c = runs.get(ctx);
  if (!c) return [];
  if (c.active) checkPackagesUnchanged(ctx.deps.store, c.packages, 'the export');
  const byId = new Map(ctx.deps.index.series.map((e) => [e.id, e]));
  const out: LabelProvenance[] = [];
  for (const id of exported) {
    const e = byId.get(id);
    if (e && c.source === 'local' && !c.labels.has(id) && c.labelDecisions.has(id)) noteSeriesLabels(ctx, e, null, null);
    out.push(...(c.labels.get(id) ?? []));
  }
  return out;
}

/**
 * The grade provenance of an export: every change of the gradings CSV, and for the local source every field of a
 * decided level that the decided source grades (rule in the header).
 */
export function gradeProvenance(ctx: ExportContext, gradings: GradingsExport | null): GradeProvenance[] {
  const c = runs.get(ctx);
  if (!c || c.source === 'original' || !gradings) return [];
  const changes = gradings.changes;
  if (c.source !== 'local') {
    return changes.map((g) => ({ patientId: g.patientId, ivdLabel: g.ivdLabel, field: g.field, value: g.new, csv: g.old, from: c.source as Origin, decision: null, annotator: g.annotator, time: g.time }));
  }
  const { index, store } = ctx.deps;
  const csvRow = new Map((index.gradings?.rows ?? []).map((r) => [levelKey(r.patient, r.ivdLabel), r]));
  const grades = new Map<SourceRef, SourceGrades>();
  const gradesOf = (s: SourceRef): SourceGrades => {
    let g = grades.get(s);
    if (!g) {
      try {
        g = sourceGrades({ index, store }, s, 'current');
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        g = new Map();
      }
      grades.set(s, g);
    }
    return g;
  };
  const entries = new Map<string, { patientId: number; ivdLabel: number; field: GradingField }>();
  const changeOf = new Map(changes.map((g) => [`${levelKey(g.patientId, g.ivdLabel)}:${g.field}`, g]));
  for (const g of changes) entries.set(`${levelKey(g.patientId, g.ivdLabel)}:${g.field}`, g);
  for (const [key, d] of c.levelDecisions) {
    if (d.from === null || d.from === 'local') continue;
    for (const field of Object.keys(gradesOf(d.from as SourceRef).get(key) ?? {}) as GradingField[]) {
      entries.set(`${key}:${field}`, { patientId: d.patientId!, ivdLabel: d.ivdLabel!, field });
    }
  }
  const out: GradeProvenance[] = [];
  for (const [key, { patientId, ivdLabel, field }] of entries) {
    const change = changeOf.get(key);
    const csv = csvRow.get(levelKey(patientId, ivdLabel))?.[field] ?? null;
    const value = change ? change.new : csv;
    const d = c.levelDecisions.get(levelKey(patientId, ivdLabel));
    let from: Origin | null = null;
    let holds = true;
    if (d && d.from !== null && d.from !== 'local') {
      holds = gradesOf(d.from as SourceRef).get(levelKey(patientId, ivdLabel))?.[field] === value;
      if (holds) from = d.from as Origin;
    }
    from ??= change ? 'edited' : 'original';
    const rec: GradeProvenance = { patientId, ivdLabel, field, value, csv, from, decision: d ? decisionOf(d, holds) : null };
    if (change) {
      rec.annotator = change.annotator;
      rec.time = change.time;
    }
    out.push(rec);
  }
  return out.sort((a, b) => a.patientId - b.patientId || a.ivdLabel - b.ivdLabel || a.field.localeCompare(b.field));
}

/** The figures of one agreement report as the manifest keeps them. */
export function agreementFigures(r: AgreementReport): AgreementFigures {
  return {
    a: r.a, b: r.b, basis: r.basis,
    series: r.summary.series, seriesDiffering: r.summary.seriesDiffering, seriesSkipped: r.summary.seriesSkipped, meanDice: r.summary.meanDice,
    kappa: r.gradings.map((f) => ({ field: f.field, weights: f.weights, n: f.n, observed: f.observed, kappa: f.kappa })),
    labels: r.perLabel.map((l) => ({ value: l.value, name: l.name, series: l.series, meanDice: l.meanDice, minDice: l.minDice })),
  };
}

/**
 * Agreement between every pair of imported readers (by name), and for a reader source that reader vs the original,
 * computed on a read-only view of the store (reader layers and the original masks never change under it). Each pair
 * reads every mask once (`deps.agreement`: the workstation's cached figures, recomputed only where stale);
 * `onProgress` says which pair and how far (for the export's progress line).
 */
export async function agreementOfReaders(
  deps: Pick<ExportDeps, 'index' | 'store' | 'agreement'>,
  source: SourceRef,
  opts: { signal?: AbortSignal | undefined; onProgress?(text: string): void } = {},
): Promise<AgreementFigures[]> {
  const names = deps.store.readers.list().map((r) => `reader:${r.name}` as SourceRef);
  const pairs: [SourceRef, SourceRef][] = [];
  for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) pairs.push([names[i]!, names[j]!]);
  if (readerOf(source) !== null) pairs.push([source, 'original']);
  if (pairs.length === 0) return [];
  const ctx = readOnlySourceContext(deps.index, deps.store);
  const packages = readerPackages(deps.store);
  const out: AgreementFigures[] = [];
  for (const [a, b] of pairs) {
    const pair = `agreement ${a} vs ${b}`;
    if (deps.agreement) opts.onProgress?.(pair);
    const report = deps.agreement
      ? await untilAborted(deps.agreement(a, b), opts.signal)
      : await runAgreement(ctx, a, b, 'current', {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (done, total) => opts.onProgress?.(`${pair} (${done}/${total} series)`),
      });
    out.push(agreementFigures(report));
  }
  checkPackagesUnchanged(deps.store, packages, 'the agreement figures were computed');
  return out;
}

/** `p`, or a rejection as soon as `signal` aborts (a shared computation is left running for its other users). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
