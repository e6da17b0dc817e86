// Radiological grading per disc level (issue 5): the service half of the grading panel. A patient's levels are the
// union of the discs in its current label volumes (every series), the rows of radiological_gradings.csv and the
// levels graded in this store. Values: this store's value where one was set, else the CSV baseline.
//
// Storage: store.gradings: the current value of each GradingField, the reviewed flag of each level, and one event
// per change of either (a review event has field null). Undo is append-only: it writes one restoring event naming
// the event it undoes (`undoesEventId`), so an event is undone exactly when a later event names it.
//
// Clearing (value null) is allowed only where the CSV has no value (common/gradings.ts isClearable): a level the
// CSV lacks, or an illegal CSV cell. A CSV value can be changed and undone back, never blanked, so the exported
// CSV never gets an empty cell.
import type {
  GradingEventInfo,
  GradingLevel,
  GradingProgress,
  GradingsResponse,
  Service,
} from '../../../common/contract.js';
import { AppError } from '../../../common/errors.js';
import { GRADING_FIELDS, type GradingField, isClearable, isFullyGraded, isLegalGradingValue } from '../../../common/gradings.js';
import { discName, ivdLabelToMaskValue } from '../../../common/labels.js';
import type { DatasetIndex, GradingRow, SeriesEntry } from '../dataset/index.js';
import type { AnnotatorId, GradingEvent, Store } from '../store/index.js';
import { measureSeries, type SeriesMeasure } from './measure.js';

/** The contract's name for a level's reviewed flag in the history (a review event has no grading field). */
export const REVIEWED_FIELD = 'reviewed';
/** A disc under this share of its neighbours' mean height with Disc narrowing = 0 is flagged. */
export const NARROWING_RATIO = 0.7;

export const WARNINGS = {
  ivdZero: 'IVD label 0 in the CSV: it matches no mask value and cannot be edited',
  noMatchingDisc: 'IVD label above the number of discs listed in overview.csv',
  invalidValue: 'The CSV holds an illegal value for this level (shown as empty)',
  notSegmented: 'graded but not segmented',
  notGraded: 'segmented but not graded',
  storeOnly: 'graded in this store only: neither segmented nor in the CSV',
} as const;

export type GradingMethods = Pick<
  Service,
  'getGradings' | 'setGrading' | 'undoGrading' | 'gradingHistory' | 'setLevelReviewed' | 'gradingProgress'
>;

export interface GradingServiceDeps {
  index: DatasetIndex;
  store: Store;
  /** The annotator of the next write (throws when none has been chosen). */
  annotator(): AnnotatorId;
  /** Label revision of a series as stored (equal to the in-memory one of a loaded series). */
  revision(seriesId: string): number;
  /**
   * The current label volume of a series (original mask + journal) and its revision; null when the series has
   * no readable image. The volume is only read synchronously right after the promise resolves.
   */
  labels(e: SeriesEntry): Promise<{ volume: Uint8Array; revision: number } | null>;
}

const FIELDS: readonly GradingField[] = GRADING_FIELDS.map((f) => f.field);

function emptyValues(): Record<GradingField, number | null> {
  return Object.fromEntries(FIELDS.map((f) => [f, null])) as Record<GradingField, number | null>;
}

/** What stood before a field's first stored change: the CSV value, or "not reviewed" (field null). */
function baselineOf(row: GradingRow | undefined, field: string | null): number | null {
  if (field === null) return 0;
  return row && (FIELDS as readonly string[]).includes(field) ? row[field as GradingField] : null;
}

function levelName(k: number): string {
  return k >= 1 ? discName(k) : `IVD ${k} (no disc)`;
}

/** The ids of the events some later event undid. */
function undoneIds(events: readonly GradingEvent[]): Set<number> {
  const undone = new Set<number>();
  for (const e of events) if (e.undoesEventId !== null) undone.add(e.undoesEventId);
  return undone;
}

export function createGradingService(deps: GradingServiceDeps): GradingMethods {
  const { index, store } = deps;
  const csvRows = new Map<number, GradingRow[]>();
  for (const r of index.gradings?.rows ?? []) {
    const list = csvRows.get(r.patient) ?? [];
    list.push(r);
    csvRows.set(r.patient, list);
  }
  const seriesOf = new Map<number, SeriesEntry[]>();
  for (const s of index.series) {
    const list = seriesOf.get(s.patientId) ?? [];
    list.push(s);
    seriesOf.set(s.patientId, list);
  }
  const patients = [...new Set([...index.patients.map((p) => p.id), ...csvRows.keys()])].sort((a, b) => a - b);
  const known = new Set(patients);
  const measures = new Map<string, { revision: number; promise: Promise<SeriesMeasure | null> }>();

  const checkPatient = (patientId: number): void => {
    if (!known.has(patientId)) throw new AppError('not_found', `No patient ${patientId} in this dataset`);
  };

  /** Disc measurements of a series at its current label revision (cached per revision). */
  const measure = (e: SeriesEntry): Promise<SeriesMeasure | null> => {
    const geometry = e.image?.geometry;
    if (!geometry) return Promise.resolve(null);
    const revision = deps.revision(e.id);
    const hit = measures.get(e.id);
    if (hit && hit.revision === revision) return hit.promise;
    const promise = deps.labels(e).then((l) => {
      if (!l) return null;
      const m = measureSeries(e.id, l.volume, geometry);
      if (l.revision !== revision) measures.set(e.id, { revision: l.revision, promise: Promise.resolve(m) });
      return m;
    });
    measures.set(e.id, { revision, promise });
    promise.catch(() => {
      if (measures.get(e.id)?.promise === promise) measures.delete(e.id);
    });
    return promise;
  };

  /** Measurements already made (at any revision) without reading a volume; null for a series never measured. */
  const measured = async (e: SeriesEntry): Promise<SeriesMeasure | null> => {
    const hit = measures.get(e.id);
    return hit ? hit.promise.catch(() => null) : null;
  };

  /**
   * The levels of a patient. `cheap`: only masks measured before count (no volume is read), for the worklist's
   * progress over a whole dataset; the levels then come from the CSV, the store and those masks.
   */
  const levelsOf = async (patientId: number, cheap = false): Promise<GradingLevel[]> => {
    const series = await Promise.all((seriesOf.get(patientId) ?? []).map(cheap ? measured : measure));
    // Synchronous from here: store reads and in-memory measurements are consistent with each other.
    const rows = csvRows.get(patientId) ?? [];
    const stored = store.gradings.forPatient(patientId);
    const reviews = store.gradings.reviews(patientId);
    const firsts = store.gradings.firstValues(patientId);
    const labels = new Set<number>(rows.map((r) => r.ivdLabel));
    for (const m of series) for (const k of m?.discs.keys() ?? []) labels.add(k);
    for (const g of stored) labels.add(g.ivdLabel);
    for (const r of reviews) labels.add(r.ivdLabel);
    const levels: GradingLevel[] = [];
    for (const k of [...labels].sort((a, b) => a - b)) {
      const row = rows.find((r) => r.ivdLabel === k);
      const first = series.find((m) => m?.discs.has(k));
      const disc = first?.discs.get(k);
      const baseline = emptyValues();
      if (row) for (const f of FIELDS) baseline[f] = row[f];
      const values = { ...baseline };
      const reviewed = reviews.some((r) => r.ivdLabel === k && r.reviewed);
      for (const g of stored) {
        if (g.ivdLabel === k && (FIELDS as readonly string[]).includes(g.field)) values[g.field as GradingField] = g.value;
      }
      const inMask = disc !== undefined;
      const inCsv = row !== undefined;
      const warnings: string[] = [];
      if (row?.flags.includes('ivd_label_zero') || k === 0) warnings.push(WARNINGS.ivdZero);
      if (row?.flags.includes('no_matching_disc')) warnings.push(WARNINGS.noMatchingDisc);
      if (row?.flags.includes('invalid_value')) warnings.push(WARNINGS.invalidValue);
      if (inCsv && !inMask) warnings.push(WARNINGS.notSegmented);
      if (inMask && !inCsv) warnings.push(WARNINGS.notGraded);
      if (!inMask && !inCsv) warnings.push(WARNINGS.storeOnly);
      levels.push({
        ivdLabel: k,
        maskValue: ivdLabelToMaskValue(k),
        name: levelName(k),
        inMask,
        inCsv,
        warnings,
        values,
        baseline,
        edited: FIELDS.filter((f) => values[f] !== baseline[f]),
        reviewed,
        firstValues: Object.fromEntries(
          firsts
            .filter((f) => f.ivdLabel === k)
            .map((f) => [f.field, { value: f.value, annotator: store.annotators.name(f.annotatorId), at: f.createdAt }]),
        ),
        hint:
          disc && first
            ? { seriesId: first.seriesId, centre: disc.centre, heightMm: disc.heightMm, neighbourRatio: null, narrowingSuspect: false }
            : null,
      });
    }
    // Ratio to the neighbouring discs' mean height (each disc measured in the first series holding it).
    const height = new Map(levels.map((l) => [l.ivdLabel, l.hint?.heightMm ?? null]));
    for (const l of levels) {
      const h = l.hint?.heightMm;
      if (!l.hint || h === null || h === undefined || l.ivdLabel < 1) continue;
      const around = [height.get(l.ivdLabel - 1), height.get(l.ivdLabel + 1)].filter(
        (x): x is number => typeof x === 'number' && x > 0,
      );
      if (around.length === 0) continue;
      const ratio = h / (around.reduce((a, b) => a + b, 0) / around.length);
      l.hint.neighbourRatio = Math.round(ratio * 1000) / 1000;
      l.hint.narrowingSuspect = l.values.narrowing === 0 && ratio < NARROWING_RATIO;
    }
    return levels;
  };

  const levelOf = async (patientId: number, ivdLabel: number): Promise<GradingLevel> => {
    const level = (await levelsOf(patientId)).find((l) => l.ivdLabel === ivdLabel);
    if (!level) throw new AppError('not_found', `Patient ${patientId} has no disc level with IVD label ${ivdLabel}`);
    return level;
  };

  const editable = (level: GradingLevel, patientId: number): void => {
    if (level.ivdLabel < 1) {
      throw new AppError('invalid_request', `Patient ${patientId}: the row with IVD label ${level.ivdLabel} matches no disc and cannot be edited`);
    }
  };

  const fieldSpec = (field: string) => {
    const spec = GRADING_FIELDS.find((f) => f.field === field);
    if (!spec) {
      throw new AppError('invalid_request', `Unknown grading field "${field}"; fields are ${FIELDS.join(', ')}`);
    }
    return spec;
  };

  return {
    getGradings: async ({ patientId }): Promise<GradingsResponse> => {
      checkPatient(patientId);
      return { patientId, levels: await levelsOf(patientId) };
    },

    setGrading: async ({ patientId, ivdLabel, field, value }) => {
      checkPatient(patientId);
      const spec = fieldSpec(field);
      if (value !== null && !(typeof value === 'number' && isLegalGradingValue(spec.field, value))) {
        throw new AppError(
          'invalid_request',
          `${spec.title} (${spec.field}) must be one of ${spec.values.join(', ')} or empty; ${String(value)} is not allowed`,
        );
      }
      const level = await levelOf(patientId, ivdLabel);
      editable(level, patientId);
      const baseline = level.baseline[spec.field];
      if (value === null && !isClearable(baseline)) {
        // An empty cell is no valid radiological_gradings.csv value: a CSV value can be changed or undone, not cleared.
        throw new AppError(
          'invalid_request',
          `Patient ${patientId} ${level.name} (IVD label ${ivdLabel}): ${spec.title} (${spec.field}) has the CSV value ${baseline} and cannot be cleared; choose another value, or undo to restore it`,
        );
      }
      if (level.values[spec.field] === value) return level; // no change, no event
      store.gradings.set({ patientId, ivdLabel, field: spec.field, value, annotatorId: deps.annotator() });
      return levelOf(patientId, ivdLabel);
    },

    setLevelReviewed: async ({ patientId, ivdLabel, reviewed }) => {
      checkPatient(patientId);
      const level = await levelOf(patientId, ivdLabel);
      editable(level, patientId);
      if (level.reviewed === reviewed) return level;
      store.gradings.setReviewed({ patientId, ivdLabel, reviewed, annotatorId: deps.annotator() });
      return levelOf(patientId, ivdLabel);
    },

    undoGrading: async ({ patientId }) => {
      checkPatient(patientId);
      const undoneLevel = store.transaction(() => {
        const events = store.gradings.events(patientId);
        const undone = undoneIds(events);
        const target = events.findLast((e) => e.undoesEventId === null && !undone.has(e.id));
        if (!target) return null;
        // Before the target the field had a stored value (restore it) or none (the CSV baseline stood again).
        const hadValue = events.some((e) => e.id < target.id && e.ivdLabel === target.ivdLabel && e.field === target.field);
        const restore = hadValue
          ? target.oldValue
          : baselineOf((csvRows.get(patientId) ?? []).find((r) => r.ivdLabel === target.ivdLabel), target.field);
        const base = { patientId, ivdLabel: target.ivdLabel, annotatorId: deps.annotator(), undoesEventId: target.id };
        const restored =
          target.field === null
            ? store.gradings.setReviewed({ ...base, reviewed: restore === 1 })
            : store.gradings.set({ ...base, field: target.field, value: restore });
        if (!restored) throw new AppError('internal', `Undo of grading event ${target.id} changed nothing`);
        return target.ivdLabel;
      });
      if (undoneLevel === null) return { level: null };
      const level = (await levelsOf(patientId)).find((l) => l.ivdLabel === undoneLevel) ?? null;
      return { level };
    },

    gradingHistory: async ({ patientId, ivdLabel }) => {
      checkPatient(patientId);
      const events = store.gradings.events(patientId);
      const undone = undoneIds(events);
      // The store records a field's first change as "from no stored value": what stood before was the CSV
      // baseline (or not reviewed), and that is what the history shows.
      const row = (csvRows.get(patientId) ?? []).find((r) => r.ivdLabel === ivdLabel);
      const seen = new Set<string | null>();
      const out: GradingEventInfo[] = events
        .filter((e) => e.ivdLabel === ivdLabel)
        .map((e) => ({
          id: e.id,
          createdAt: e.createdAt,
          annotator: store.annotators.name(e.annotatorId),
          field: e.field === null ? REVIEWED_FIELD : (e.field as GradingField),
          oldValue: seen.has(e.field) ? e.oldValue : (seen.add(e.field), baselineOf(row, e.field)),
          newValue: e.newValue,
          kind: e.undoesEventId === null ? 'change' : 'undo',
          undone: undone.has(e.id),
        }));
      return { patientId, ivdLabel, events: out };
    },

    gradingProgress: async () => {
      const out: GradingProgress[] = [];
      for (const patientId of patients) {
        // The CSV's IVD label 0 rows match no disc and cannot be graded: they are not levels to count.
        const levels = (await levelsOf(patientId, true)).filter((l) => l.ivdLabel >= 1);
        // A person looked at a level when they marked it reviewed or changed one of its values in this store.
        const byPerson = levels.filter((l) => l.reviewed || l.edited.length > 0);
        out.push({
          personReviewed: byPerson.length,
          csvOnly: levels.filter((l) => l.inCsv && !byPerson.includes(l)).length,
          patientId,
          masksMeasured: (seriesOf.get(patientId) ?? []).every((e) => !e.image || measures.has(e.id)),
          levels: levels.length,
          fullyGraded: levels.filter((l) => isFullyGraded(l.values)).length,
          reviewed: levels.filter((l) => l.reviewed).length,
        });
      }
      return out;
    },
  };
}
