// Rulers and angles (issue 13 item 4): the four measurement methods of the Service. Main computes every value from
// the world points and the series geometry; the store keeps them with annotator and time, deletion is soft.
import { AppError } from '../../common/errors.js';
import { MEASUREMENT_POINTS, type MeasurementInfo, type MeasurementKind, type Service } from '../../common/contract.js';
import { worldToIndex, type Vec3 } from '../../common/geometry.js';
import type { SeriesEntry } from './dataset/index.js';
import type { AnnotatorId, Measurement, Store } from './store/index.js';

type MeasurementMethods = Pick<Service, 'listMeasurements' | 'addMeasurement' | 'deleteMeasurement' | 'restoreMeasurement'>;

export interface MeasurementDeps {
  store: Store;
  /** The dataset entry of a series. @throws AppError('not_found') */
  entryOf: (seriesId: string) => SeriesEntry;
  /** The annotator writes are recorded under. @throws AppError when none is chosen */
  currentAnnotator: () => AnnotatorId;
}

export function createMeasurementService({ store, entryOf, currentAnnotator }: MeasurementDeps): MeasurementMethods {
  const measurementInfo = (m: Measurement): MeasurementInfo => ({
    id: m.id,
    seriesId: m.seriesId,
    kind: m.kind,
    points: m.points,
    value: m.value,
    unit: m.kind === 'ruler' ? 'mm' : 'deg',
    note: m.note,
    annotator: store.annotators.name(m.annotatorId),
    createdAt: m.createdAt,
  });

  return {
    listMeasurements: async ({ seriesId }) => {
      entryOf(seriesId);
      return { seriesId, measurements: store.measurements.forSeries(seriesId).map(measurementInfo) };
    },
    addMeasurement: async ({ seriesId, kind, points, note }) => {
      const e = entryOf(seriesId);
      const value = measurementValue(e, kind, points);
      const annotatorId = currentAnnotator();
      return measurementInfo(store.measurements.add({ seriesId, patientId: e.patientId, kind, points, value, note: note ?? null, annotatorId }));
    },
    deleteMeasurement: async ({ id }) => {
      const m = store.measurements.delete(id, currentAnnotator());
      if (m.deletedAt === null) throw new AppError('db', `Measurement ${id} was not marked deleted`);
      return { id: m.id, seriesId: m.seriesId, deletedAt: m.deletedAt };
    },
    restoreMeasurement: async ({ id }) => {
      currentAnnotator(); // a write like any other: refused until an annotator is chosen
      return measurementInfo(store.measurements.restore(id));
    },
  };
}

/** Shortest ruler and angle arm main accepts, mm: anything shorter is a click, not a measurement. */
const MIN_MEASURE_MM = 1e-3;
/** How far outside the image (in voxels, beyond the outer voxel faces) a measurement point may lie: rounding only. */
const EDGE_TOLERANCE_VOXELS = 1e-3;

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const norm = (v: Vec3): number => Math.hypot(v[0], v[1], v[2]);

/**
 * The value of a measurement from its world points (LPS, mm): a ruler's length in mm, or the angle at the middle
 * point in degrees (atan2 of |u×w| and u·w: exact near 0° and 180° too). Every point must lie within the series'
 * image (its voxels' extent: centres ± half a voxel), so a measurement always belongs to what was measured.
 * @throws AppError('invalid_request') for a wrong point count, a non-finite coordinate, a point outside the image or a
 * zero-length ruler or arm; AppError('invalid_file') when the series has no readable image.
 */
export function measurementValue(e: SeriesEntry, kind: MeasurementKind, points: readonly Vec3[]): number {
  const want = MEASUREMENT_POINTS[kind];
  if (points.length !== want) throw new AppError('invalid_request', `A ${kind} has ${want} points, got ${points.length}`);
  if (!points.every((p) => p.length === 3 && p.every((x) => Number.isFinite(x)))) {
    throw new AppError('invalid_request', 'Measurement points must be three finite coordinates (mm) each');
  }
  if (!e.image) throw new AppError('invalid_file', `${e.imageFile} has no readable image to measure in`, { file: e.imageFile });
  const g = e.image.geometry;
  points.forEach((p, n) => {
    const ijk = worldToIndex(g, p);
    const inside = ijk.every((x, a) => x >= -0.5 - EDGE_TOLERANCE_VOXELS && x <= g.size[a]! - 0.5 + EDGE_TOLERANCE_VOXELS);
    if (!inside) throw new AppError('invalid_request', `Point ${n + 1} of the ${kind} lies outside the image of ${e.id}`);
  });
  if (kind === 'ruler') {
    const length = norm(sub(points[1]!, points[0]!));
    if (length < MIN_MEASURE_MM) throw new AppError('invalid_request', 'The two ends of the ruler coincide');
    return length;
  }
  const u = sub(points[0]!, points[1]!);
  const w = sub(points[2]!, points[1]!);
  if (norm(u) < MIN_MEASURE_MM || norm(w) < MIN_MEASURE_MM) throw new AppError('invalid_request', 'An arm of the angle has no length');
  const cross: Vec3 = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
  const dot = u[0] * w[0] + u[1] * w[1] + u[2] * w[2];
  return (Math.atan2(norm(cross), dot) * 180) / Math.PI;
}
