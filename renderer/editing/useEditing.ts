// React glue of label editing for the open series: the active tool and its settings, the edit session (journal
// commits, undo/redo, save state, refusals, pause and retry), the stroke controller on the viewer, the brush
// cursor and the threshold preview. A read-only series (openSeries' readOnly, or main refusing with 'read_only')
// gets no tool, no label operation and no label undo/redo. Volumes stay outside React state.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EditInfo } from '../../common/contract.js';
import type { SourceRef } from '../../common/contractReaders.js';
import { applyDiff, checkBase, type VoxelDiff } from '../../common/labelDiff.js';
import { labelInfo, isKnownLabel } from '../../common/labels.js';
import type { LabelmapVolume } from '../labelmap/index.js';
import { relabel, removeIslands, shiftLevels, swapLabels } from '../labelmap/index.js';
import { api, connection, fetchVolume } from '../platform/api.js';
import type { OpenedSeries } from '../state/loadSeries.js';
import { labelEdits } from '../state/labelEdits.js';
import { appStore, setLabelsReadOnly as setReadOnly, setTool, setToolSettings as setSettings, useApp } from '../state/appStore.js';
import { isMeasureTool, toolById, type ToolId } from '../tools/index.js';
import type { Viewer } from '../viewer/index.js';
import { createEditSession, type EditSession, type SaveState } from './editSession.js';
import { attachStrokeController } from './strokeController.js';
import { describeEdit, voxelCount } from '../tools/describe.js';
import { sampledRange } from '../tools/threshold.tool.js';


/** A prepared edit's journal fields: tool, label, history title; an adjudication names the source taken (issue 16). */
export interface PreparedMeta {
  tool: string;
  label: number;
  title: string;
  adjudication?: { from: SourceRef };
}

export type LabelOperation =
  | { kind: 'relabel'; from: number; to: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'shift'; delta: 1 | -1 }
  | { kind: 'islands'; label: number; keepLargest: boolean; minVoxels: number };

const nameOf = (v: number): string => (isKnownLabel(v) ? labelInfo(v).name : String(v));

/** Threshold "Sample": the range centred on `intensity` (sample mode ends); returns the status message. */
function applySample(intensity: number, imageRange: readonly [number, number]): string {
  const range = sampledRange(intensity, imageRange);
  setSettings((st) => ({ ...st, threshold: range, sampleClick: false }));
  const f = (v: number): string => String(Number(v.toPrecision(5)));
  return `Threshold sampled at ${f(intensity)}: ${f(range[0])} – ${f(range[1])}`;
}

/**
 * `onLabelsChanged(diff)`: the label volume changed; with a diff, exactly by that diff applied forwards (so
 * derived state such as label counts can follow it: strokes, operations, undo, redo, rollbacks, discards),
 * without one in an unknown way (main's labels reloaded).
 */
export function useEditing(viewer: Viewer | null, opened: OpenedSeries | null, onLabelsChanged: (diff?: VoxelDiff) => void) {
  const tool = useApp((s) => s.tool);
  const settings = useApp((s) => s.toolSettings);
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'saved', at: null });
  const [history, setHistory] = useState<EditInfo[]>([]);
  const [message, setMessage] = useState('');
  /** The last refused edit's message, until dismissed or another series opens. */
  const [refusal, setRefusal] = useState<string | null>(null);
  const readOnly = useApp((s) => s.labelsReadOnly);
  const refusals = useRef(0);
  const sessionRef = useRef<EditSession | null>(null);
  const volumeRef = useRef<LabelmapVolume | null>(null);
  const changed = useRef(onLabelsChanged);
  // Views that follow the labels (the 3-D view) get every change too: a diff, or null = reloaded (changed in an
  // unknown way).
  changed.current = (diff?: VoxelDiff) => {
    onLabelsChanged(diff);
    labelEdits.emit(diff ?? null);
  };

  // One edit session and stroke controller per open series.
  useEffect(() => {
    if (!viewer || !opened) return;
    const g = opened.info.image.geometry;
    const volume: LabelmapVolume = { size: g.size, spacing: g.spacing, labels: opened.labels, image: opened.image };
    volumeRef.current = volume;
    const seriesId = opened.info.seriesId;
    // Until every service sends readOnly, a missing one means editable.
    const lockedReason = opened.info.readOnly ?? null;
    setReadOnly(lockedReason);
    setRefusal(null);
    setMessage(''); // messages were about the series before
    if (lockedReason !== null && !isMeasureTool(appStore.get().tool)) setTool(null);
    setHistory([]);
    const session = createEditSession({
      seriesId,
      labels: opened.labels,
      revision: opened.info.revision,
      api: api(),
      loadLabels: (id) => fetchVolume(id, 'mask'),
      readOnly: lockedReason,
      events: {
        onLabelsChanged: (diff) => {
          viewer.labelsModified();
          changed.current(diff ?? undefined);
        },
        onSaveState: (st) => {
          setSaveState(st);
          if (st.kind === 'readOnly') {
            setReadOnly(st.reason);
            if (!isMeasureTool(appStore.get().tool)) setTool(null);
          }
        },
        onHistory: (edits) => setHistory(edits),
        onRefused: (text) => {
          refusals.current++;
          setRefusal(text);
          setMessage(text);
        },
      },
    });
    sessionRef.current = session;
    // Edits waiting for an unreachable service go out as soon as it answers again.
    const offConnection = connection.subscribe((c) => {
      if (c.reachable) session.retry();
    });
    // A threshold range that means something for this image: its automatic window.
    setSettings((st) => ({ ...st, threshold: opened.info.image.autoWindow }));
    void session.refreshHistory().catch(() => undefined);
    const detach = attachStrokeController({
      viewer,
      volume,
      session,
      tool: () => {
        const id = appStore.get().tool;
        return id ? toolById(id) : null;
      },
      settings: () => appStore.get().toolSettings,
      onPick: (v) => setSettings((s) => ({ ...s, activeLabel: v })),
      onMessage: setMessage,
      onEdited: (diff) => changed.current(diff),
      onSample: (x) => setMessage(applySample(x, opened.info.image.range)),
    });
    return () => {
      detach();
      offConnection();
      sessionRef.current = null;
      volumeRef.current = null;
    };
  }, [viewer, opened]);

  // Pointer mode and brush cursor follow the tool.
  useEffect(() => {
    if (!viewer) return;
    const t = tool ? toolById(tool) : null;
    viewer.setPointerMode(t ? 'tool' : 'navigate');
    const sampling = settings.sampleClick && (tool === 'threshold' || tool === 'thresholdFill');
    viewer.setBrushCursor(t?.kind === 'stroke' && !sampling ? { radiusMm: settings.radiusMm, shape: settings.brush3d ? 'sphere' : 'circle' } : null);
  }, [viewer, tool, settings.radiusMm, settings.brush3d, settings.sampleClick]);

  // Threshold tools preview the in-range area: one mask buffer per series, refilled when the range changes (at
  // most once per frame; one pass over the volume, ~0.1 s at 1024×1024×40 here).
  const previewMask = useRef<{ opened: OpenedSeries; mask: Uint8Array; shown: boolean } | null>(null);
  useEffect(() => {
    if (!viewer || !opened || (tool !== 'threshold' && tool !== 'thresholdFill')) {
      if (previewMask.current?.shown) viewer?.setPreview(null);
      if (previewMask.current) previewMask.current.shown = false;
      return;
    }
    const [lo, hi] = settings.threshold;
    const handle = requestAnimationFrame(() => {
      if (previewMask.current?.opened !== opened) previewMask.current = { opened, mask: new Uint8Array(opened.image.length), shown: false };
      const p = previewMask.current;
      const img = opened.image;
      const mask = p.mask;
      for (let i = 0; i < img.length; i++) {
        const v = img[i]!;
        mask[i] = v >= lo && v <= hi ? 1 : 0;
      }
      if (p.shown) viewer.previewModified();
      else viewer.setPreview({ mask, color: [80, 200, 255], opacity: 0.35 });
      p.shown = true;
    });
    return () => cancelAnimationFrame(handle);
  }, [viewer, opened, tool, settings.threshold]);

  /** Refuses a label edit on a read-only series, with the reason in the status bar. */
  const refusedReadOnly = useCallback((): boolean => {
    const reason = appStore.get().labelsReadOnly;
    if (reason !== null) setMessage(`Labels read-only: ${reason}`);
    return reason !== null;
  }, []);
  /** Commits a diff already applied to the labels as one journal entry "<title>, N voxels". */
  const commitApplied = useCallback(
    (session: EditSession, diff: VoxelDiff, meta: PreparedMeta): void => {
      viewer?.labelsModified();
      const describe = (voxels: number): string => `${meta.title}, ${voxelCount(voxels)}`;
      const description = describe(diff.indices.length);
      void session.commit({ diff, tool: meta.tool, label: meta.label, description, describe, ...(meta.adjudication ? { adjudication: meta.adjudication } : {}) });
      setMessage(description);
      changed.current(diff);
    },
    [viewer],
  );

  const chooseTool = useCallback((t: ToolId | null) => {
    // Measure tools write no labels: they stay available on a read-only series.
    if (t !== null && !isMeasureTool(t) && refusedReadOnly()) return;
    setTool(t);
  }, [refusedReadOnly]);

  const undo = useCallback(async () => {
    if (refusedReadOnly()) return;
    const session = sessionRef.current;
    if (!session) return;
    const refusedBefore = refusals.current;
    const e = await session.undo();
    // A refused (or void) undo keeps the refusal's message.
    if (e) setMessage(`Undid: ${e.description}`);
    else if (refusals.current === refusedBefore) setMessage('Nothing to undo');
  }, [refusedReadOnly]);
  const redo = useCallback(async () => {
    if (refusedReadOnly()) return;
    const session = sessionRef.current;
    if (!session) return;
    const refusedBefore = refusals.current;
    const e = await session.redo();
    if (e) setMessage(`Redid: ${e.description}`);
    else if (refusals.current === refusedBefore) setMessage('Nothing to redo');
  }, [refusedReadOnly]);
  const retry = useCallback(() => {
    connection.probeNow();
    sessionRef.current?.retry();
  }, []);
  const discard = useCallback(() => sessionRef.current?.discard(), []);
  /** Edits of the open series not yet in the journal (0 without a series). */
  const pending = useCallback(() => sessionRef.current?.pending() ?? 0, []);
  /** Resolves once every edit of the open series is in the journal (or refused). */
  const idle = useCallback(async () => sessionRef.current?.idle(), []);
  const dismissRefusal = useCallback(() => setRefusal(null), []);
  /**
   * Threshold "Sample" (key I): the intensity under the pointer becomes the range's centre; with the pointer off
   * the image, the next click in a view samples instead (and paints nothing). Selects the threshold brush unless
   * a threshold tool is on, so the range and its preview are in sight.
   */
  const sampleThreshold = useCallback(
    (intensity: number | null) => {
      if (!opened) return;
      const t = appStore.get().tool;
      if (t !== 'threshold' && t !== 'thresholdFill') chooseTool('threshold');
      if (intensity !== null && Number.isFinite(intensity)) return setMessage(applySample(intensity, opened.info.image.range));
      setSettings((st) => ({ ...st, sampleClick: true }));
      setMessage('Click in a view to sample the threshold range');
    },
    [opened, chooseTool],
  );

  const runOperation = useCallback(
    (op: LabelOperation) => {
      const vol = volumeRef.current;
      const session = sessionRef.current;
      if (!vol || !session || !viewer) return;
      if (refusedReadOnly()) return;
      const opts = { locked: appStore.get().toolSettings.locked };
      const res =
        op.kind === 'relabel' ? relabel(vol, op.from, op.to, opts)
        : op.kind === 'swap' ? swapLabels(vol, op.a, op.b, opts)
        : op.kind === 'shift' ? shiftLevels(vol, op.delta, opts)
        : removeIslands(vol, op.label, op.keepLargest ? { keep: 'largest' } : { minVoxels: op.minVoxels }, opts);
      if (!res.ok) {
        setMessage(res.message);
        return;
      }
      const n = res.diff.indices.length;
      if (n === 0) {
        setMessage('Nothing to change');
        return;
      }
      const title =
        op.kind === 'relabel' ? `Relabel ${nameOf(op.from)} → ${nameOf(op.to)}`
        : op.kind === 'swap' ? `Swap ${nameOf(op.a)} ↔ ${nameOf(op.b)}`
        : op.kind === 'shift' ? `Shift levels ${op.delta > 0 ? 'up' : 'down'}`
        : `Remove islands of ${nameOf(op.label)}`;
      const label = op.kind === 'relabel' ? op.to : op.kind === 'islands' ? 0 : op.kind === 'swap' ? op.a : 0;
      commitApplied(session, res.diff, { tool: op.kind === 'shift' ? 'shiftLevels' : op.kind, label, title });
    },
    [viewer, refusedReadOnly, commitApplied],
  );

  /** Main's label revision the session last acknowledged (null without a series); strokes may still be queued. */
  const revision = useCallback(() => sessionRef.current?.revision() ?? null, []);
  /** The open series' label volume as the voxel operations see it (null without a series). */
  const labelVolume = useCallback(() => volumeRef.current, []);
  /**
   * Applies a diff computed elsewhere (a previewed operation: renderer/ops) and commits it as one journal entry
   * named `title` + voxel count. False (nothing written) when read-only or when the labels changed under the diff.
   */
  const commitPrepared = useCallback(
    (diff: VoxelDiff, meta: PreparedMeta): boolean => {
      const vol = volumeRef.current;
      const session = sessionRef.current;
      if (!vol || !session || !viewer) return false;
      if (refusedReadOnly()) return false;
      if (checkBase(vol.labels, diff, 'forward') !== -1) {
        setMessage(`${meta.title}: the labels changed since the preview; run it again`);
        return false;
      }
      if (diff.indices.length === 0) return true;
      applyDiff(vol.labels, diff, 'forward');
      commitApplied(session, diff, meta);
      return true;
    },
    [viewer, refusedReadOnly, commitApplied],
  );

  return {
    tool, setTool: chooseTool, settings, setSettings, saveState, history, message, setMessage, undo, redo, runOperation, describeEdit,
    readOnly, refusal, dismissRefusal, retry, discard, pending, idle, labelVolume, commitPrepared, sampleThreshold, revision,
  };
}
