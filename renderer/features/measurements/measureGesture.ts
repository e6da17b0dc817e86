// The placing of one ruler or angle in a slice view, as a small state machine over the viewer's tool pointer events
// (pure: no DOM, no viewer, no service; useMeasurements.ts wires it). A ruler is press-drag-release, or click then
// click; an angle is three clicks (a drag places the first arm in one go). Every point of one measurement lies on
// one slice of one view: a press in another view or on another slice starts over there.
import type { Vec3 } from '../../../common/geometry.js';
import type { MeasurementKind } from '../../../common/contract.js';

export interface GesturePoint {
  view: string;
  /** Slice index of the view the point lies on (the tool event's ijk[sliceAxis]). */
  slice: number;
  world: Vec3;
  /** Display position (CSS px), to tell a click from a drag; null when unknown. */
  xy: readonly [number, number] | null;
}

export interface Draft {
  kind: MeasurementKind;
  view: string;
  slice: number;
  points: Vec3[];
  /** Where the pointer is (the rubber band's free end), or null. */
  live: Vec3 | null;
  /** Display position of the last placed point's press. */
  pressXY: readonly [number, number] | null;
}

/** A press and release closer than this (CSS px) is a click, farther a drag. */
export const DRAG_PX = 4;

export const POINTS_OF: Readonly<Record<MeasurementKind, number>> = { ruler: 2, angle: 3 };

export type GestureStep = { draft: Draft | null; done: { kind: MeasurementKind; points: Vec3[] } | null };

const far = (a: readonly [number, number] | null, b: readonly [number, number] | null): boolean =>
  a !== null && b !== null && Math.hypot(a[0] - b[0], a[1] - b[1]) > DRAG_PX;

/** Adds a point; completes the measurement when it has all its points. */
function place(d: Draft, p: GesturePoint): GestureStep {
  const points = [...d.points, p.world];
  if (points.length >= POINTS_OF[d.kind]) return { draft: null, done: { kind: d.kind, points } };
  return { draft: { ...d, points, live: p.world, pressXY: p.xy }, done: null };
}

/** Left press: the first point of a new draft, or the next point of the current one. */
export function press(draft: Draft | null, kind: MeasurementKind, p: GesturePoint): GestureStep {
  if (!draft || draft.kind !== kind || draft.view !== p.view || draft.slice !== p.slice) {
    return { draft: { kind, view: p.view, slice: p.slice, points: [p.world], live: p.world, pressXY: p.xy }, done: null };
  }
  return place(draft, p);
}

/** Pointer moved (pressed or not): the rubber band follows it in the draft's view and slice. */
export function hover(draft: Draft | null, p: GesturePoint): Draft | null {
  if (!draft || draft.view !== p.view || draft.slice !== p.slice) return draft;
  return { ...draft, live: p.world };
}

/** Left release: after a drag the release point is placed too (press-drag-release ruler); a click places nothing. */
export function release(draft: Draft | null, p: GesturePoint): GestureStep {
  if (!draft || draft.view !== p.view || draft.slice !== p.slice) return { draft, done: null };
  if (!far(draft.pressXY, p.xy)) return { draft: { ...draft, live: p.world }, done: null };
  return place({ ...draft, pressXY: null }, p);
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

/**
 * The value of points as the draft shows it while it is placed (mm or degrees). The stored value is main's
 * (addMeasurement computes it); this is only the rubber band's live figure.
 */
export function liveValue(kind: MeasurementKind, points: readonly Vec3[]): number | null {
  if (kind === 'ruler') return points.length >= 2 ? norm(sub(points[1]!, points[0]!)) : null;
  if (points.length < 3) return null;
  const u = sub(points[0]!, points[1]!);
  const v = sub(points[2]!, points[1]!);
  const c: Vec3 = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  if (norm(u) === 0 || norm(v) === 0) return null;
  return (Math.atan2(norm(c), dot) * 180) / Math.PI;
}

/** A measurement value as shown everywhere: "23.4 mm", "87.5°". */
export function formatValue(kind: MeasurementKind, value: number): string {
  return kind === 'ruler' ? `${value.toFixed(1)} mm` : `${value.toFixed(1)}°`;
}
