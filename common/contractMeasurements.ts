// Contract part: measurements (issue 13, item 4). Merged into requestSchemas / Responses by contract.ts.
import { z } from 'zod';
import type { Vec3 } from './geometry.js';
import { seriesId, storedText } from './schemas.js';

export const MEASUREMENT_KINDS = ['ruler', 'angle'] as const;
export type MeasurementKind = (typeof MEASUREMENT_KINDS)[number];
/** Points of each kind: a ruler's two ends; an angle's first arm end, vertex, second arm end. */
export const MEASUREMENT_POINTS: Readonly<Record<MeasurementKind, number>> = { ruler: 2, angle: 3 };
/** Largest |coordinate| of a measurement point, mm (far beyond any scanner; refuses garbage). */
export const MAX_MEASUREMENT_COORD_MM = 1e6;

/** A ruler or angle placed in a series, as the measurement list shows it. */
export interface MeasurementInfo {
  id: number;
  seriesId: string;
  kind: MeasurementKind;
  /** World positions (LPS, mm); for an angle the middle point is the vertex. */
  points: Vec3[];
  /** Computed by main from the points: a ruler's length in mm, an angle in degrees (0–180). */
  value: number;
  unit: 'mm' | 'deg';
  note: string | null;
  annotator: string;
  createdAt: string;
}

/** A world coordinate of a measurement point (mm): finite, within ±MAX_MEASUREMENT_COORD_MM. */
const worldMm = z.number().min(-MAX_MEASUREMENT_COORD_MM).max(MAX_MEASUREMENT_COORD_MM);
const measurementId = z.number().int().min(1);

export const measurementRequestSchemas = {
  /** The series' standing (not deleted) measurements, oldest first. */
  listMeasurements: z.object({ seriesId }).strict(),
  /** Stores a ruler (2 points) or an angle (3 points, vertex in the middle); main computes its value. */
  addMeasurement: z
    .object({
      seriesId,
      kind: z.enum(MEASUREMENT_KINDS),
      points: z.array(z.tuple([worldMm, worldMm, worldMm])).min(2).max(3),
      note: storedText('note', 200).optional(),
    })
    .strict()
    .refine((r) => r.points.length === MEASUREMENT_POINTS[r.kind], {
      message: 'a ruler has 2 points, an angle 3',
      path: ['points'],
    }),
  /** Marks a measurement deleted (it stays in the store; restoreMeasurement takes the deletion back). */
  deleteMeasurement: z.object({ id: measurementId }).strict(),
  restoreMeasurement: z.object({ id: measurementId }).strict(),
} as const;

export interface MeasurementResponses {
  listMeasurements: { seriesId: string; measurements: MeasurementInfo[] };
  /** The measurement as stored (committed before this returns). */
  addMeasurement: MeasurementInfo;
  /** Deleting a deleted measurement answers its first deletion again. */
  deleteMeasurement: { id: number; seriesId: string; deletedAt: string };
  restoreMeasurement: MeasurementInfo;
}

