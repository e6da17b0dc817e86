// Repository of imported reader layers and adjudication decisions (migration 60, issue 16). A reader layer is what
// an annotation package held: per series the reader's net label diff from the original mask, per level and field
// the reader's grade. Layers are read-only once imported; importing the same package again writes nothing, and a
// different package of the same reader replaces the whole layer atomically only when asked to. Decisions are
// append-only; the latest one per item (a series' label, a patient's level) counts.
import { AppError } from '../../../../common/errors.js';
import type { GradingField } from '../../../../common/gradings.js';
import type { StoreContext } from '../context.js';
import type { AnnotatorId } from './annotators.js';

export interface ReaderRecord {
  id: number;
  name: string;
  sha256: string;
  packageCreatedAt: string;
  appVersion: string;
  datasetFingerprint: string;
  importedAt: string;
  /** The annotator's name. */
  importedBy: string;
}

/** One series of a reader layer: the net diff original mask → the reader's labels. */
export interface ReaderLabelLayer {
  seriesId: string;
  /** Voxels of the series' image (the diff is for a volume of this size). */
  voxelCount: number;
  /** Voxels the diff changes. */
  changed: number;
  encoding: string;
  diff: Uint8Array;
  /** The reader's local label revision when the package was written. */
  revision: number;
}

export interface ReaderGrade {
  patientId: number;
  ivdLabel: number;
  field: GradingField;
  /** The reader's current value (null: the reader cleared it). */
  value: number | null;
  /** The first value the reader entered, or null. */
  firstValue: number | null;
  setAt: string | null;
}

export interface NewReaderLayer {
  name: string;
  sha256: string;
  packageCreatedAt: string;
  appVersion: string;
  datasetFingerprint: string;
  importedBy: AnnotatorId;
  labels: Omit<ReaderLabelLayer, never>[];
  grades: ReaderGrade[];
}

export interface NewAdjudication {
  kind: 'label' | 'level';
  seriesId: string | null;
  label: number | null;
  patientId: number | null;
  ivdLabel: number | null;
  /** The source taken ('original', 'local', 'reader:NAME'); null = decided by hand. */
  from: string | null;
  /** The label journal entry written with the decision, else null. */
  editSeq: number | null;
  annotatorId: AnnotatorId;
}

export interface AdjudicationRecord extends Omit<NewAdjudication, 'annotatorId'> {
  id: number;
  /** The adjudicator's name. */
  annotator: string;
  createdAt: string;
}

/** Access to `readers`, `reader_labels`, `reader_grades` and `adjudications`. */
export interface ReadersRepo {
  /** Every imported reader, by name. */
  list(): ReaderRecord[];
  byName(name: string): ReaderRecord | null;
  /**
   * Imports a layer in one transaction. Same name and same sha256 → `{ alreadyImported: true }`, nothing written.
   * Same name, another sha256 → AppError('conflict') naming the reader and both package dates, unless
   * `opts.replace` (then the layer is swapped: the reader keeps its id).
   */
  importLayer(layer: NewReaderLayer, opts?: { replace?: boolean }): { reader: ReaderRecord; alreadyImported: boolean };
  labelLayer(readerId: number, seriesId: string): ReaderLabelLayer | null;
  /** The series of a reader's layer, by series id. */
  labelSeries(readerId: number): { seriesId: string; changed: number; voxelCount: number }[];
  /** A reader's grades by patient, level, field. */
  grades(readerId: number): ReaderGrade[];
  /** Appends one decision (inside a write transaction, so it nests in store.transaction). */
  addAdjudication(a: NewAdjudication): AdjudicationRecord;
  /** Every decision, oldest first. */
  adjudications(): AdjudicationRecord[];
  /** The latest decision per item (label: series + label; level: patient + level), oldest first. */
  latestDecisions(): AdjudicationRecord[];
}

interface ReaderRow {
  id: number;
  name: string;
  sha256: string;
  package_created_at: string;
  app_version: string;
  dataset_fingerprint: string;
  imported_at: string;
  imported_by: string;
}

interface LabelRow {
  series_id: string;
  voxel_count: number;
  changed: number;
  encoding: string;
  diff: Buffer;
  revision: number;
}

interface GradeRow {
  patient_id: number;
  ivd_label: number;
  field: string;
  value: number | null;
  first_value: number | null;
  set_at: string | null;
}

interface AdjudicationRow {
  id: number;
  kind: 'label' | 'level';
  series_id: string | null;
  label: number | null;
  patient_id: number | null;
  ivd_label: number | null;
  from_source: string | null;
  edit_seq: number | null;
  annotator: string;
  created_at: string;
}

const R_SELECT = `SELECT r.id, r.name, r.sha256, r.package_created_at, r.app_version, r.dataset_fingerprint,
  r.imported_at, a.name AS imported_by FROM readers AS r JOIN annotators AS a ON a.id = r.imported_by`;
const A_SELECT = `SELECT j.id, j.kind, j.series_id, j.label, j.patient_id, j.ivd_label, j.from_source, j.edit_seq,
  a.name AS annotator, j.created_at FROM adjudications AS j JOIN annotators AS a ON a.id = j.annotator_id`;

const toReader = (r: ReaderRow): ReaderRecord => ({
  id: r.id,
  name: r.name,
  sha256: r.sha256,
  packageCreatedAt: r.package_created_at,
  appVersion: r.app_version,
  datasetFingerprint: r.dataset_fingerprint,
  importedAt: r.imported_at,
  importedBy: r.imported_by,
});

const toAdjudication = (r: AdjudicationRow): AdjudicationRecord => ({
  id: r.id,
  kind: r.kind,
  seriesId: r.series_id,
  label: r.label,
  patientId: r.patient_id,
  ivdLabel: r.ivd_label,
  from: r.from_source,
  editSeq: r.edit_seq,
  annotator: r.annotator,
  createdAt: r.created_at,
});

/** Creates the readers repository; statements are prepared once here. */
export function createReadersRepo(ctx: StoreContext): ReadersRepo {
  const { db } = ctx;
  const all = db.prepare<[], ReaderRow>(`${R_SELECT} ORDER BY r.name`);
  const named = db.prepare<{ name: string }, ReaderRow>(`${R_SELECT} WHERE r.name = $name`);
  const insertReader = db.prepare<{
    id: number | null; name: string; sha256: string; createdAt: string; appVersion: string; fingerprint: string;
    now: string; importedBy: number;
  }>(
    `INSERT INTO readers (id, name, sha256, package_created_at, app_version, dataset_fingerprint, imported_at, imported_by)
     VALUES ($id, $name, $sha256, $createdAt, $appVersion, $fingerprint, $now, $importedBy)`,
  );
  const deleteReader = db.prepare<{ id: number }>('DELETE FROM readers WHERE id = $id');
  const insertLabel = db.prepare<{
    readerId: number; seriesId: string; voxelCount: number; changed: number; encoding: string; diff: Uint8Array;
    revision: number;
  }>(
    `INSERT INTO reader_labels (reader_id, series_id, voxel_count, changed, encoding, diff, revision)
     VALUES ($readerId, $seriesId, $voxelCount, $changed, $encoding, $diff, $revision)`,
  );
  const insertGrade = db.prepare<{
    readerId: number; patientId: number; ivdLabel: number; field: string; value: number | null;
    firstValue: number | null; setAt: string | null;
  }>(
    `INSERT INTO reader_grades (reader_id, patient_id, ivd_label, field, value, first_value, set_at)
     VALUES ($readerId, $patientId, $ivdLabel, $field, $value, $firstValue, $setAt)`,
  );
  const oneLabel = db.prepare<{ readerId: number; seriesId: string }, LabelRow>(
    `SELECT series_id, voxel_count, changed, encoding, diff, revision FROM reader_labels
     WHERE reader_id = $readerId AND series_id = $seriesId`,
  );
  const labelList = db.prepare<{ readerId: number }, { series_id: string; changed: number; voxel_count: number }>(
    'SELECT series_id, changed, voxel_count FROM reader_labels WHERE reader_id = $readerId ORDER BY series_id',
  );
  const gradeList = db.prepare<{ readerId: number }, GradeRow>(
    `SELECT patient_id, ivd_label, field, value, first_value, set_at FROM reader_grades
     WHERE reader_id = $readerId ORDER BY patient_id, ivd_label, field`,
  );
  const insertAdjudication = db.prepare<{
    kind: string; seriesId: string | null; label: number | null; patientId: number | null; ivdLabel: number | null;
    from: string | null; editSeq: number | null; annotatorId: number; now: string;
  }>(
    `INSERT INTO adjudications (kind, series_id, label, patient_id, ivd_label, from_source, edit_seq, annotator_id, created_at)
     VALUES ($kind, $seriesId, $label, $patientId, $ivdLabel, $from, $editSeq, $annotatorId, $now)`,
  );
  const adjudicationById = db.prepare<{ id: number }, AdjudicationRow>(`${A_SELECT} WHERE j.id = $id`);
  const everyAdjudication = db.prepare<[], AdjudicationRow>(`${A_SELECT} ORDER BY j.id`);
  const latest = db.prepare<[], AdjudicationRow>(
    `${A_SELECT} WHERE j.id IN (
       SELECT max(id) FROM adjudications GROUP BY kind, series_id, label, patient_id, ivd_label)
     ORDER BY j.id`,
  );

  // Reader names are compared and stored in Unicode NFC: "José" typed on two systems (composed or decomposed é) is
  // one reader, never two that look the same.
  const byName = (name: string): ReaderRecord | null => {
    const row = named.get({ name: name.normalize('NFC') });
    return row ? toReader(row) : null;
  };

  return {
    list: () => all.all().map(toReader),
    byName,
    importLayer(input, opts = {}) {
      const layer = { ...input, name: input.name.normalize('NFC') };
      return ctx.write(() => {
        const existing = byName(layer.name);
        if (existing && existing.sha256 === layer.sha256) return { reader: existing, alreadyImported: true };
        if (existing && opts.replace !== true) {
          throw new AppError(
            'conflict',
            `Reader ${layer.name} is already imported from another package (written ${existing.packageCreatedAt}); ` +
              `this package was written ${layer.packageCreatedAt}. Import it with replace to swap the layer.`,
          );
        }
        // Replacing: the old reader row goes (its labels and grades cascade with it), the new one keeps its id.
        if (existing) deleteReader.run({ id: existing.id });
        const id = Number(
          insertReader.run({
            id: existing?.id ?? null,
            name: layer.name,
            sha256: layer.sha256,
            createdAt: layer.packageCreatedAt,
            appVersion: layer.appVersion,
            fingerprint: layer.datasetFingerprint,
            now: ctx.now(),
            importedBy: layer.importedBy,
          }).lastInsertRowid,
        );
        for (const l of layer.labels) {
          insertLabel.run({
            readerId: id, seriesId: l.seriesId, voxelCount: l.voxelCount, changed: l.changed, encoding: l.encoding,
            diff: l.diff, revision: l.revision,
          });
        }
        for (const g of layer.grades) {
          insertGrade.run({
            readerId: id, patientId: g.patientId, ivdLabel: g.ivdLabel, field: g.field, value: g.value,
            firstValue: g.firstValue, setAt: g.setAt,
          });
        }
        const reader = byName(layer.name);
        if (!reader) throw new AppError('db', `Reader ${layer.name} vanished while being imported`);
        return { reader, alreadyImported: false };
      });
    },
    labelLayer(readerId, seriesId) {
      const r = oneLabel.get({ readerId, seriesId });
      if (!r) return null;
      return {
        seriesId: r.series_id, voxelCount: r.voxel_count, changed: r.changed, encoding: r.encoding,
        diff: new Uint8Array(r.diff.buffer, r.diff.byteOffset, r.diff.byteLength), revision: r.revision,
      };
    },
    labelSeries(readerId) {
      return labelList.all({ readerId }).map((r) => ({ seriesId: r.series_id, changed: r.changed, voxelCount: r.voxel_count }));
    },
    grades(readerId) {
      return gradeList.all({ readerId }).map((r) => ({
        patientId: r.patient_id, ivdLabel: r.ivd_label, field: r.field as GradingField, value: r.value,
        firstValue: r.first_value, setAt: r.set_at,
      }));
    },
    addAdjudication(a) {
      const label = a.kind === 'label' && a.seriesId !== null && a.label !== null && a.patientId === null && a.ivdLabel === null;
      const level = a.kind === 'level' && a.patientId !== null && a.ivdLabel !== null && a.seriesId === null && a.label === null && a.editSeq === null;
      if (!label && !level) {
        throw new AppError('invalid_request', `Invalid ${a.kind} decision: a label decision names a series and a label, a level decision a patient and a level`);
      }
      return ctx.write(() => {
        const { lastInsertRowid } = insertAdjudication.run({
          kind: a.kind, seriesId: a.seriesId, label: a.label, patientId: a.patientId, ivdLabel: a.ivdLabel,
          from: a.from, editSeq: a.editSeq, annotatorId: a.annotatorId, now: ctx.now(),
        });
        const row = adjudicationById.get({ id: Number(lastInsertRowid) });
        if (!row) throw new AppError('db', 'Adjudication vanished while being written');
        return toAdjudication(row);
      });
    },
    adjudications: () => everyAdjudication.all().map(toAdjudication),
    latestDecisions: () => latest.all().map(toAdjudication),
  };
}
