// Rulers and angles of the open series: the list from the annotation store (listMeasurements), placing new ones
// with the ruler / angle tools (viewer tool pointer events → measureGesture.ts → addMeasurement; the value shown
// is the one main computed), deleting with an undo (deleteMeasurement / restoreMeasurement), and drawing all of
// them, plus the one being placed, in the views (viewer.setMeasurements: SVG only, never a re-render).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MeasurementInfo } from '../../../common/contract.js';
import type { Vec3 } from '../../../common/geometry.js';
import { call } from '../../platform/api.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import { appStore, useApp } from '../../state/appStore.js';
import { toolById, type MeasureTool } from '../../tools/index.js';
import type { MeasurementShape, Viewer } from '../../viewer/index.js';
import { formatValue, hover, liveValue, press, release, type Draft, type GesturePoint } from './measureGesture.js';

export interface Measurements {
  list: MeasurementInfo[];
  loading: boolean;
  error: string | null;
  selected: number | null;
  /** The last deleted measurement, until it is restored or another is deleted. */
  deleted: MeasurementInfo | null;
  /** The active measure tool, or null. */
  tool: MeasureTool | null;
  /** Whether a measurement is being stored. */
  saving: boolean;
  remove(id: number): void;
  undoDelete(): void;
  /** Selects a measurement and moves the crosshair to it (the views show its slice). */
  goTo(m: MeasurementInfo): void;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The middle of a measurement's points (an angle: its vertex). */
export function measurementCentre(m: Pick<MeasurementInfo, 'kind' | 'points'>): Vec3 {
  if (m.kind === 'angle' && m.points.length === 3) return [...m.points[1]!];
  const n = m.points.length;
  const c: Vec3 = [0, 0, 0];
  for (const p of m.points) for (let a = 0; a < 3; a++) c[a]! += p[a]! / n;
  return c;
}

export function useMeasurements(viewer: Viewer | null, opened: OpenedSeries | null): Measurements {
  const seriesId = opened?.info.seriesId ?? null;
  const toolId = useApp((s) => s.tool);
  const toolDef = toolId ? toolById(toolId) : null;
  const tool = toolDef?.kind === 'measure' ? toolDef : null;
  const [list, setList] = useState<MeasurementInfo[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [deleted, setDeleted] = useState<MeasurementInfo | null>(null);
  const [saving, setSaving] = useState(0);

  // What the views draw: the stored list (React state) plus the draft (a ref: it follows the pointer).
  const draft = useRef<Draft | null>(null);
  const stored = useRef<MeasurementShape[]>([]);
  const draw = useCallback(() => {
    if (!viewer) return;
    const d = draft.current;
    const shapes = [...stored.current];
    if (d) {
      const points = d.live ? [...d.points, d.live] : d.points;
      const v = liveValue(d.kind, points);
      shapes.push({ key: 'draft', points, label: v === null ? '' : formatValue(d.kind, v), draft: true });
    }
    viewer.setMeasurements(shapes);
  }, [viewer]);

  // The series' list from the store.
  useEffect(() => {
    setList([]);
    setSelected(null);
    setDeleted(null);
    setError(null);
    draft.current = null;
    if (!seriesId) return;
    let live = true;
    setLoading(true);
    call('listMeasurements', { seriesId })
      .then((r) => live && setList(r.measurements))
      .catch((e: unknown) => live && setError(`Measurements could not be read: ${errorText(e)}`))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [seriesId]);

  useEffect(() => {
    stored.current = list.map((m) => ({ key: String(m.id), points: m.points, label: formatValue(m.kind, m.value), highlighted: m.id === selected }));
    draw();
  }, [list, selected, draw]);

  // Leaving the tool drops a half-placed measurement.
  useEffect(() => {
    if (draft.current && draft.current.kind !== tool?.measure) {
      draft.current = null;
      draw();
    }
  }, [tool, draw]);

  // The gesture: tool pointer events place points; the hover moves the rubber band.
  useEffect(() => {
    if (!viewer || !seriesId) return;
    const activeTool = (): MeasureTool | null => {
      const id = appStore.get().tool;
      const t = id ? toolById(id) : null;
      return t?.kind === 'measure' ? t : null;
    };
    const store = (kind: MeasureTool['measure'], points: Vec3[]): void => {
      setSaving((n) => n + 1);
      setError(null);
      call('addMeasurement', { seriesId, kind, points })
        .then((m) => {
          if (m.seriesId !== seriesId) return;
          setList((l) => [...l.filter((x) => x.id !== m.id), m].sort((a, b) => a.id - b.id));
          setSelected(m.id);
        })
        .catch((e: unknown) => setError(`The ${kind} was not stored: ${errorText(e)}`))
        .finally(() => setSaving((n) => n - 1));
    };
    const offTool = viewer.onToolPointer((e) => {
      const t = activeTool();
      if (!t || e.ctrlKey || e.metaKey) return; // Ctrl/Cmd+click picks a label (strokeController)
      const p: GesturePoint = { view: e.view, slice: Math.round(e.ijk[e.sliceAxis]), world: e.world, xy: viewer.worldToDisplay(e.view, e.world) };
      if (e.phase === 'cancel') {
        draft.current = null;
      } else if (e.phase === 'move') {
        draft.current = hover(draft.current, p);
      } else {
        const step = e.phase === 'down' ? press(draft.current, t.measure, p) : release(draft.current, p);
        draft.current = step.draft;
        if (step.done) store(step.done.kind, step.done.points);
      }
      draw();
    });
    const offCursor = viewer.onCursor((c) => {
      const d = draft.current;
      if (!d || !c || c.view !== d.view) return;
      // The cursor lies on the view's displayed slice, which is the draft's (scrolling away drops the draft below).
      draft.current = hover(d, { view: c.view, slice: d.slice, world: c.world, xy: null });
      draw();
    });
    return () => {
      offTool();
      offCursor();
    };
  }, [viewer, seriesId, draw]);

  // Scrolling (or any crosshair move) takes the view off the draft's slice: the half-placed measurement is dropped.
  useEffect(() => {
    if (!viewer) return;
    return viewer.onCrosshair(() => {
      if (draft.current) {
        draft.current = null;
        draw();
      }
    });
  }, [viewer, draw]);

  // Nothing drawn once the panel goes (another series, app closing).
  useEffect(() => () => viewer?.setMeasurements([]), [viewer]);

  const remove = useCallback((id: number) => {
    const m = list.find((x) => x.id === id);
    if (!m) return;
    setError(null);
    call('deleteMeasurement', { id })
      .then(() => {
        setList((l) => l.filter((x) => x.id !== id));
        setDeleted(m);
        setSelected((s) => (s === id ? null : s));
      })
      .catch((e: unknown) => setError(`Not deleted: ${errorText(e)}`));
  }, [list]);

  const undoDelete = useCallback(() => {
    if (!deleted) return;
    const id = deleted.id;
    setError(null);
    call('restoreMeasurement', { id })
      .then((m) => {
        setDeleted(null);
        if (m.seriesId === seriesId) setList((l) => [...l.filter((x) => x.id !== m.id), m].sort((a, b) => a.id - b.id));
      })
      .catch((e: unknown) => setError(`Not restored: ${errorText(e)}`));
  }, [deleted, seriesId]);

  const goTo = useCallback(
    (m: MeasurementInfo) => {
      setSelected(m.id);
      viewer?.setCrosshair(measurementCentre(m));
    },
    [viewer],
  );

  return { list, loading, error, selected, deleted, tool, saving: saving > 0, remove, undoDelete, goTo };
}
