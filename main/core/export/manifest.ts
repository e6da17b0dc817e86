// The change manifest of an export: its JSON shape (export-manifest.json) and the readable CHANGES.md rendered
// from it. Pure: no I/O.
import { readerOf, type SourceRef } from '../../../common/contractReaders.js';
import { NOT_EXPORTED_INCOMPLETE } from '../../../common/gradings.js';
import { describeLevel, type GradingChange, type GradingsExport, type LevelNotExported } from './gradingsCsv.js';
import type { AnnotatorId, Measurement } from '../store/index.js';
import { PARTIAL_FOLD_NOTE } from './nifti.js';
import type { AgreementFigures, DecisionRecord, ManifestProvenance } from './provenance.js';
import { qaDelta, type QaBrief, type SeriesQaRecord } from './qa.js';

export const MANIFEST_FORMAT = 'spine-ws-export';
export const MANIFEST_VERSION = 1;

export interface LabelChange {
  value: number;
  name: string;
  /** Voxels with this value in the original mask and in the exported one. */
  voxelsBefore: number;
  voxelsAfter: number;
  added: number;
  removed: number;
  /** Dice of the original vs the exported region of this value (1 = identical; 0 when one of them is empty). */
  dice: number;
  /** (voxelsAfter − voxelsBefore) × voxel volume, mm³. */
  volumeChangeMm3: number;
}

export interface SeriesRecord {
  seriesId: string;
  patientId: number;
  /** 'changed': the exported labels differ from the original mask; 'unchanged': copied (or converted) as is. */
  labels: 'changed' | 'unchanged' | 'no_mask';
  /** Label revision the export read (every commit/undo/redo moves it by one) and the active edits at it. */
  revision: number;
  activeEdits: number;
  /** Why the series is in a --changed-only export. */
  included: 'all' | 'labels_changed' | 'gradings_changed' | 'labels_and_gradings_changed';
  changes: LabelChange[];
  /** Output files of the series, relative to the export folder. */
  files: string[];
  /** Changed series only: the per-series label checks on the original mask and on the exported labels (issue 14). */
  qa?: SeriesQaRecord;
}

/** A ruler or angle of a series as stored when the export started (deleted ones are not listed). */
export interface MeasurementRecord {
  id: number;
  kind: 'ruler' | 'angle';
  /** World positions (LPS, mm) in the source image's space; an angle's vertex is the middle point. */
  points: [number, number, number][];
  /** A ruler's length in mm, an angle in degrees. */
  value: number;
  unit: 'mm' | 'deg';
  note: string | null;
  annotator: string;
  createdAt: string;
}

/** A series of export-manifest.json: its record as written, then its measurements (last: the key order is kept). */
export type ManifestSeries = SeriesRecord & { measurements: MeasurementRecord[] };

/** The standing measurements by series id, as manifest records (`annotator` names an annotator id). */
export function measurementsBySeries(
  stored: readonly Measurement[],
  annotator: (id: AnnotatorId) => string,
): Map<string, MeasurementRecord[]> {
  const out = new Map<string, MeasurementRecord[]>();
  for (const m of stored) {
    const list = out.get(m.seriesId) ?? [];
    list.push({
      id: m.id,
      kind: m.kind,
      points: m.points.map((p): [number, number, number] => [p[0], p[1], p[2]]),
      value: m.value,
      unit: m.kind === 'ruler' ? 'mm' : 'deg',
      note: m.note,
      annotator: annotator(m.annotatorId),
      createdAt: m.createdAt,
    });
    out.set(m.seriesId, list);
  }
  return out;
}

export interface FileRecord {
  path: string;
  bytes: number;
  sha256: string;
  /** copied: byte-identical to the source file; rebuilt: a mask from original + journal; rewritten: the gradings
   *  CSV with edited cells; converted: NIfTI from the .mha; generated: written by the export (dataset.json, CHANGES.md). */
  how: 'copied' | 'rebuilt' | 'rewritten' | 'converted' | 'generated';
  source?: string;
}

export interface ExportManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_VERSION;
  workstation: { name: string; version: string };
  createdAt: string;
  source: { name: string; identity: string };
  options: { format: 'mha' | 'nifti'; changedOnly: boolean };
  /** What --changed-only kept, and how the label snapshot was taken. */
  notes: string[];
  layout: 'spider' | 'nnunet-v2';
  series: ManifestSeries[];
  gradings: {
    file: string | null;
    changed: boolean;
    changes: GradingChange[];
    appendedRows: { patientId: number; ivdLabel: number }[];
    /** Levels graded in the store but left out of the file (new levels not fully graded); also in `warnings`. */
    levelsNotExported: LevelNotExported[];
  };
  /** nnU-Net export only: SPIDER value → contiguous label. */
  labelRemap?: Record<string, number>;
  warnings: string[];
  /** Every file of the export except this manifest itself, sorted by path. */
  files: FileRecord[];
  /**
   * Several readers (issue 16), present for a source other than 'local' or when the store holds imported readers or
   * adjudication decisions: whose labels and grades were exported, where each differing or decided one came from,
   * and the agreement between the readers (provenance.ts).
   */
  annotationSource?: SourceRef;
  provenance?: ManifestProvenance;
  agreement?: AgreementFigures[];
}

export interface ManifestOptions {
  format: 'mha' | 'nifti';
  changedOnly: boolean;
  /** Whose labels and grades (default 'local'); only the notes use it. */
  source?: SourceRef;
}

/** The manifest's several-readers part (ExportManifest.annotationSource, provenance, agreement). */
export interface ManifestSources {
  annotationSource: SourceRef;
  provenance: ManifestProvenance;
  agreement: AgreementFigures[];
}

/** The manifest's notes: how the snapshot was taken, what --changed-only kept, the nnU-Net layout. */
export function exportNotes(options: ManifestOptions): string[] {
  const reader = options.source ? readerOf(options.source) : null;
  const notes = options.source === 'original'
    ? ['Source: the dataset as released (no label edits, no gradings of this store): masks and CSVs are copied byte for byte.']
    : reader !== null
      ? [
        `Source: reader ${reader} (an imported annotation package): labels are the original masks plus that reader's label layer (revision = the reader's when the package was written); radiological_gradings.csv holds the reader's values where the reader graded, the released values elsewhere.`,
        'Masks: rebuilt from the original mask plus the reader\'s label layer, in the original pixel type and header fields; a mask the reader left unchanged is copied byte for byte.',
      ]
      : [
        'Labels: each series was read at the journal revision listed below (edits made while the export ran go into the next export); gradings as stored when the export started.',
        'Masks: rebuilt from the original mask plus the active journal edits, in the original pixel type and header fields; a mask without net changes is copied byte for byte.',
      ];
  if (options.changedOnly) {
    notes.push('--changed-only: images and masks only of series whose labels changed and of every series of a patient with a grading change; the CSVs are complete, so this folder copied over the source gives the full revised dataset.');
  }
  if (options.format === 'nifti') {
    notes.push(`nnU-Net v2 raw layout: imagesTr/<series>_0000.nii.gz, labelsTr/<series>.nii.gz, dataset.json. Labels remapped: vertebra n → n (1–25), canal 100 → 26, disc 200+n → 26+n (27–51); ${PARTIAL_FOLD_NOTE}. NIfTI qform and sform (code 1, scanner) = the MetaImage geometry converted from LPS to RAS.`);
  }
  return notes;
}

export interface ManifestInput {
  appVersion: string;
  source: { name: string; identity: string };
  options: ManifestOptions;
  series: SeriesRecord[];
  /**
   * Standing measurements by series id, read when the export started (measurementsBySeries). Those of series the
   * export leaves out (--changed-only) are not listed: a warning says how many.
   */
  measurements?: ReadonlyMap<string, readonly MeasurementRecord[]>;
  /** The gradings CSV of the export (null when the source has none) and the gradings snapshot written into it. */
  gradingsFile: string | null;
  gradings: GradingsExport | null;
  /** nnU-Net export only. */
  labelRemap?: Record<string, number>;
  /** Several readers: present for another source than 'local', or when the store holds readers or decisions. */
  sources?: ManifestSources;
  /** The run's warnings (the manifest keeps this array: warnings added later still appear). */
  warnings: string[];
}

/** The manifest (dated now) without its file list, which the caller fills in once every file is written. */
export function composeManifest(input: ManifestInput): ExportManifest {
  const g = input.gradings;
  const measured = input.measurements ?? new Map<string, readonly MeasurementRecord[]>();
  const series = input.series.map((s): ManifestSeries => ({ ...s, measurements: [...(measured.get(s.seriesId) ?? [])] }));
  const exported = new Set(input.series.map((s) => s.seriesId));
  const left = [...measured].filter(([id, list]) => !exported.has(id) && list.length > 0);
  if (left.length > 0) {
    const n = left.reduce((sum, [, list]) => sum + list.length, 0);
    input.warnings.push(`${n} measurement${n === 1 ? '' : 's'} of ${left.length} series not in this export ${n === 1 ? 'is' : 'are'} not listed (${left.map(([id]) => id).join(', ')})`);
  }
  const manifest: ExportManifest = {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    workstation: { name: 'Spine Workstation', version: input.appVersion },
    createdAt: new Date().toISOString(),
    source: input.source,
    options: { format: input.options.format, changedOnly: input.options.changedOnly },
    notes: exportNotes(input.options),
    layout: input.options.format === 'mha' ? 'spider' : 'nnunet-v2',
    series,
    gradings: {
      file: input.gradingsFile,
      changed: g?.changed ?? false,
      changes: g?.changes ?? [],
      appendedRows: g?.appended ?? [],
      levelsNotExported: g?.notExported ?? [], // [gradings policy]
    },
    warnings: input.warnings,
    files: [],
  };
  // After `files`: the key order of export-manifest.json is part of its format.
  if (input.labelRemap) manifest.labelRemap = input.labelRemap;
  if (input.sources) {
    manifest.annotationSource = input.sources.annotationSource;
    manifest.provenance = input.sources.provenance;
    manifest.agreement = input.sources.agreement;
  }
  return manifest;
}

const fmt = (x: number, digits = 4): string => (Number.isInteger(x) ? String(x) : x.toFixed(digits));
const signed = (x: number, digits = 1): string => `${x > 0 ? '+' : ''}${x.toFixed(digits)}`;
const showValue = (v: number | null): string => (v === null ? '(empty)' : String(v));
/** Free text in a Markdown table cell: pipes escaped (notes and names have no line breaks: the contract refuses them). */
const cell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

const countOf = (list: readonly QaBrief[], severity: QaBrief['severity']): number => list.filter((f) => f.severity === severity).length;
const briefLine = (f: QaBrief): string => `${f.severity} \`${f.code}\`${f.labels.length ? ` (${f.labels.join(', ')})` : ''}: ${f.message}`;

/** The QA section: per changed series, findings of the per-series label checks before and after the edits. */
function renderQa(changed: readonly SeriesRecord[], w: (line?: string) => number): void {
  const checked = changed.filter((s) => s.qa !== undefined);
  if (checked.length === 0) return;
  const sum = (pick: (r: SeriesQaRecord) => QaBrief[], sev: QaBrief['severity']): number => checked.reduce((n, s) => n + countOf(pick(s.qa!), sev), 0);
  w(`## Label QA (${checked.length} changed series: findings before → after the edits)`);
  w();
  w(`Errors ${sum((r) => r.before, 'error')} → ${sum((r) => r.after, 'error')}, warnings ${sum((r) => r.before, 'warning')} → ${sum((r) => r.after, 'warning')}. ` +
    'Per-series checks only (levels, discs, islands, canal, position); the dataset-level checks (volume outliers, sibling ' +
    'series, gradings vs discs) need every series: run `spine-ws qa` on this folder.');
  w();
  w('| Series | Errors before → after | Warnings before → after | Resolved | New |');
  w('|---|---:|---:|---:|---:|');
  for (const s of checked) {
    const d = qaDelta(s.qa!);
    w(`| ${s.seriesId} | ${countOf(s.qa!.before, 'error')} → ${countOf(s.qa!.after, 'error')} | ${countOf(s.qa!.before, 'warning')} → ${countOf(s.qa!.after, 'warning')} | ${d.resolved.length} | ${d.introduced.length} |`);
  }
  w();
  for (const s of checked) {
    const d = qaDelta(s.qa!);
    if (d.resolved.length + d.introduced.length === 0) continue;
    w(`### QA of ${s.seriesId}`);
    w();
    for (const f of d.resolved) w(`- resolved: ${cell(briefLine(f))}`);
    for (const f of d.introduced) w(`- new: ${cell(briefLine(f))}`);
    w();
  }
}

const decided = (d: DecisionRecord | null): string =>
  d === null ? '' : `${d.from ?? 'by hand'} by ${cell(d.adjudicator)} ${d.at}${d.holds ? '' : ' (changed since)'}`;
const kappaText = (k: number | null): string => (k === null ? 'n/a' : k.toFixed(3));

/** The several-readers section: the source, where labels and grades came from, the readers' agreement. */
function renderSources(m: ExportManifest, w: (line?: string) => number): void {
  if (m.annotationSource === undefined) return;
  w(`## Sources (exported: ${m.annotationSource})`);
  w();
  const labels = m.provenance?.labels ?? [];
  const grades = m.provenance?.grades ?? [];
  if (labels.length + grades.length === 0) w('Every exported label and grade is as released; no decisions.');
  if (labels.length > 0) {
    w('| Series | Label | Value | From | Decision | Editors |');
    w('|---|---|---:|---|---|---|');
    for (const l of labels) w(`| ${l.seriesId} | ${l.name} | ${l.value} | ${cell(l.from)} | ${decided(l.decision)} | ${cell((l.editors ?? []).join(', '))} |`);
    w();
  }
  if (grades.length > 0) {
    w('| Patient | IVD label | Field | CSV → exported | From | Decision | Set by |');
    w('|---:|---:|---|---|---|---|---|');
    for (const g of grades) {
      w(`| ${g.patientId} | ${g.ivdLabel} | ${g.field} | ${showValue(g.csv)} → ${showValue(g.value)} | ${cell(g.from)} | ${decided(g.decision)} | ${cell(g.annotator ?? '')} |`);
    }
    w();
  }
  for (const a of m.agreement ?? []) {
    w(`### Agreement ${cell(a.a)} vs ${cell(a.b)}`);
    w();
    w(`${a.series} series, ${a.seriesDiffering} differing, ${a.seriesSkipped} skipped; mean Dice ${a.meanDice === null ? 'n/a' : a.meanDice.toFixed(4)}.`);
    w();
    w(`κ (n): ${a.kappa.map((k) => `${k.field}${k.weights ? ' (quadratic)' : ''} ${kappaText(k.kappa)} (${k.n})`).join(', ') || 'no common grades'}.`);
    w();
  }
}

/** CHANGES.md: the manifest for people. Lists the hashes of every file (except the manifest and itself). */
export function renderChanges(m: ExportManifest): string {
  const out: string[] = [];
  const w = (line = ''): number => out.push(line);
  w(`# Changes in this export`);
  w();
  w(`Exported by ${m.workstation.name} ${m.workstation.version} on ${m.createdAt} from dataset \`${m.source.name}\` ` +
    `(identity ${m.source.identity.slice(0, 16)}…), format ${m.layout === 'spider' ? 'SPIDER (.mha)' : 'nnU-Net v2 raw (.nii.gz)'}` +
    `${m.options.changedOnly ? ', changed series only' : ''}.`);
  w();
  for (const n of m.notes) w(`- ${n}`);
  if (m.notes.length > 0) w();
  const changed = m.series.filter((s) => s.labels === 'changed');
  w(`## Labels (${changed.length} of ${m.series.length} exported series changed)`);
  w();
  if (changed.length === 0) w('No label changes.');
  for (const s of changed) {
    w(`### ${s.seriesId} (patient ${s.patientId}, revision ${s.revision}, ${s.activeEdits} active edit${s.activeEdits === 1 ? '' : 's'})`);
    w();
    w('| Label | Value | Voxels before | Voxels after | Added | Removed | Dice | Volume change (mm³) |');
    w('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of s.changes) {
      w(`| ${c.name} | ${c.value} | ${c.voxelsBefore} | ${c.voxelsAfter} | ${c.added} | ${c.removed} | ${fmt(c.dice)} | ${signed(c.volumeChangeMm3)} |`);
    }
    w();
  }
  renderQa(changed, w);
  const byPatient = new Map<number, GradingChange[]>();
  for (const c of m.gradings.changes) byPatient.set(c.patientId, [...(byPatient.get(c.patientId) ?? []), c]);
  w(`## Gradings (${m.gradings.changes.length} change${m.gradings.changes.length === 1 ? '' : 's'} in ${byPatient.size} patient${byPatient.size === 1 ? '' : 's'})`);
  w();
  if (byPatient.size === 0) w('No grading changes.');
  for (const [patientId, changes] of byPatient) {
    w(`### Patient ${patientId}`);
    w();
    w('| IVD label | Field | Old → new | Annotator | Time | |');
    w('|---:|---|---|---|---|---|');
    for (const c of changes) {
      w(`| ${c.ivdLabel} | ${c.column} | ${showValue(c.old)} → ${showValue(c.new)} | ${c.annotator} | ${c.time} | ${c.kind === 'appended' ? 'new row' : ''} |`);
    }
    w();
  }
  const left = m.gradings.levelsNotExported;
  if (left.length > 0) {
    w(`### Levels not exported (${left.length})`);
    w();
    w('New levels are written only when every grading field has a value; these were not:');
    w();
    for (const l of left) w(`- ${describeLevel(l)}: ${NOT_EXPORTED_INCOMPLETE}`);
    w();
  }
  const measuredSeries = m.series.filter((s) => s.measurements.length > 0);
  const measurementCount = measuredSeries.reduce((sum, s) => sum + s.measurements.length, 0);
  if (measurementCount > 0) {
    w(`## Measurements (${measurementCount} in ${measuredSeries.length} series)`);
    w();
    w('Points are world coordinates (LPS, mm); an angle is measured at its middle point.');
    w();
    for (const s of measuredSeries) {
      w(`### ${s.seriesId}`);
      w();
      w('| Id | Kind | Value | Points (mm) | Note | Annotator | Time |');
      w('|---:|---|---:|---|---|---|---|');
      for (const x of s.measurements) {
        const points = x.points.map((p) => `(${p.map((c) => fmt(c, 2)).join(', ')})`).join(' ');
        w(`| ${x.id} | ${x.kind} | ${x.value.toFixed(2)} ${x.unit === 'mm' ? 'mm' : '°'} | ${points} | ${cell(x.note ?? '')} | ${cell(x.annotator)} | ${x.createdAt} |`);
      }
      w();
    }
  }
  renderSources(m, w);
  if (m.labelRemap) {
    w('## Label remap (SPIDER value → nnU-Net label)');
    w();
    w(Object.entries(m.labelRemap).map(([k, v]) => `${k}→${v}`).join(', '));
    w();
  }
  if (m.warnings.length > 0) {
    w('## Warnings');
    w();
    for (const x of m.warnings) w(`- ${x}`);
    w();
  }
  w('## Files (SHA-256)');
  w();
  w('```');
  for (const f of m.files) w(`${f.sha256}  ${f.path}`);
  w('```');
  w();
  w(`export-manifest.json holds the same facts as JSON, with the hash of this file.`);
  return out.join('\n') + '\n';
}
