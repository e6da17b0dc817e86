// React glue of the previewed label operations (fill between slices, grow / shrink / smooth): run the operation off
// the UI thread with a busy state and Cancel, show what it would change in the viewer's preview layer, then Accept
// (applied and committed as one journal entry, undoable) or Cancel (nothing written). One operation at a time;
// opening another series cancels it.
import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import type { Axis } from '../../common/geometry.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import type { LabelValue } from '../../common/labels.js';
import type { LabelmapVolume, MorphologyOp, WriteGuard } from '../labelmap/index.js';
import type { Viewer } from '../viewer/index.js';
import { labelEdits } from '../state/labelEdits.js';
import { timed } from './timing.js';
import {
  buildLabelBoxes, forgetLabelBoxes, noteLabelEdit, OpRefusedError, runFillBetween, runMorphology, warmUpInterpolation, warmUpMorphology, type OpResult,
} from './index.js';

export type PreviewRequest =
  | { kind: 'fillBetween'; label: LabelValue; axis: Axis; axisName: string }
  | { kind: 'morphology'; label: LabelValue; op: MorphologyOp };

export type PreviewState =
  | { phase: 'idle' }
  | { phase: 'busy'; title: string }
  | { phase: 'preview'; title: string; added: number; removed: number };

export interface PreviewHost {
  viewer: Viewer | null;
  /** Changes identity when another series opens (any pending operation is cancelled then). */
  series: unknown;
  labelVolume(): LabelmapVolume | null;
  guard(): WriteGuard;
  readOnly: string | null;
  commitPrepared(diff: VoxelDiff, meta: { tool: string; label: number; title: string }): boolean;
  setMessage(text: string): void;
}

let warmed = false;

const ADDED_COLOR: [number, number, number] = [60, 230, 110];
const REMOVED_COLOR: [number, number, number] = [255, 70, 70];
const MIXED_COLOR: [number, number, number] = [255, 200, 40];

const OP_TITLES: Record<MorphologyOp['kind'], string> = {
  grow: 'Grow', shrink: 'Shrink', open: 'Smooth (opening)', close: 'Smooth (closing)', median: 'Smooth (median)',
};

function titleOf(req: PreviewRequest, name: (v: number) => string): string {
  if (req.kind === 'fillBetween') return `Fill between ${req.axisName} slices ${name(req.label)}`;
  return `${OP_TITLES[req.op.kind]} ${name(req.label)} by ${req.op.radiusMm} mm`;
}

export function usePreviewOperation(host: PreviewHost, labelName: (v: number) => string) {
  const [state, setState] = useState<PreviewState>({ phase: 'idle' });
  const hostRef = useRef(host);
  hostRef.current = host;
  const abort = useRef<AbortController | null>(null);
  const shown = useRef<{ diff: VoxelDiff; req: PreviewRequest; title: string; mask: Uint8Array } | null>(null);
  /** One preview mask per series, reused (only the voxels set are cleared). */
  const maskRef = useRef<{ series: unknown; mask: Uint8Array } | null>(null);

  const clearPreview = useCallback(() => {
    const s = shown.current;
    if (!s) return;
    shown.current = null;
    for (let e = 0; e < s.diff.indices.length; e++) s.mask[s.diff.indices[e]!] = 0;
    hostRef.current.viewer?.setPreview(null);
  }, []);

  const cancel = useCallback(() => {
    abort.current?.abort();
    abort.current = null;
    clearPreview();
    setState({ phase: 'idle' });
  }, [clearPreview]);

  // Another series (or none): whatever was running or shown belonged to the old one.
  useEffect(() => () => {
    abort.current?.abort();
    abort.current = null;
    shown.current = null;
    maskRef.current = null;
    setState({ phase: 'idle' });
  }, [host.series, host.viewer]);

  // Both workers start (and the interpolation loads its wasm) while the annotator looks at the new series, so the
  // first operation does not pay for it on the UI thread. Once per app: the workers stay.
  useEffect(() => {
    if (!host.series || warmed) return;
    const handle = setTimeout(() => {
      warmed = true;
      warmUpMorphology();
      warmUpInterpolation().catch(() => undefined); // a failure shows when the fill runs
    }, 1500);
    return () => clearTimeout(handle);
  }, [host.series]);

  // Every label's box, built in the background once the series is on screen and kept up to date with each edit,
  // so an operation starts without a scan of the volume on the UI thread.
  useEffect(() => {
    if (!host.series) return;
    const stop = new AbortController();
    let handle: ReturnType<typeof setTimeout> | undefined;
    const later = (): void => {
      clearTimeout(handle);
      handle = setTimeout(() => {
        const vol = hostRef.current.labelVolume();
        if (vol) void buildLabelBoxes(vol, stop.signal);
      }, 1500);
    };
    later();
    const off = labelEdits.subscribe((diff) => {
      const vol = hostRef.current.labelVolume();
      if (!vol) return;
      if (diff) noteLabelEdit(vol, diff);
      else {
        forgetLabelBoxes(vol);
        later();
      }
    });
    return () => {
      stop.abort();
      clearTimeout(handle);
      off();
    };
  }, [host.series]);

  const start = useCallback(
    (req: PreviewRequest) => {
      const h = hostRef.current;
      const vol = h.labelVolume();
      if (!vol || !h.viewer) return;
      if (h.readOnly !== null) {
        h.setMessage(`Labels read-only: ${h.readOnly}`);
        return;
      }
      abort.current?.abort();
      clearPreview();
      const controller = new AbortController();
      abort.current = controller;
      const title = titleOf(req, labelName);
      // Transitions: React re-renders the app for these in slices that yield to the frames, not in one long task.
      startTransition(() => {
        setState({ phase: 'busy', title });
        h.setMessage(`${title}…`);
      });
      const guard = h.guard();
      const series = h.series;
      const work: Promise<OpResult> =
        req.kind === 'fillBetween'
          ? runFillBetween(vol, req.label, req.axis, guard, controller.signal)
          : runMorphology(vol, req.label, req.op, guard, controller.signal);
      work.then(
        (res) => {
          if (controller.signal.aborted || hostRef.current.series !== series) return;
          abort.current = null;
          const viewer = hostRef.current.viewer;
          if (res.diff.indices.length === 0 || !viewer) {
            setState({ phase: 'idle' });
            const below = req.kind === 'morphology' && req.op.radiusMm < Math.min(...vol.spacing);
            hostRef.current.setMessage(`${title}: nothing to change${below ? ` (the radius is below the voxel size, ${Math.min(...vol.spacing)} mm)` : ''}`);
            return;
          }
          timed('ops:preview-show', () => {
            let kept = maskRef.current;
            if (!kept || kept.series !== series || kept.mask.length !== vol.labels.length) {
              kept = { series, mask: new Uint8Array(vol.labels.length) };
              maskRef.current = kept;
            }
            const mask = kept.mask;
            for (let e = 0; e < res.diff.indices.length; e++) mask[res.diff.indices[e]!] = 1;
            shown.current = { diff: res.diff, req, title, mask };
            viewer.setPreview({ mask, color: res.removed === 0 ? ADDED_COLOR : res.added === 0 ? REMOVED_COLOR : MIXED_COLOR, opacity: 0.6 });
          });
          startTransition(() => {
            setState({ phase: 'preview', title, added: res.added, removed: res.removed });
            hostRef.current.setMessage(`Preview: ${title}. Accept or Cancel.`);
          });
        },
        (e: unknown) => {
          if (abort.current === controller) abort.current = null;
          if (controller.signal.aborted) return; // cancelled: cancel() already reset the state
          setState({ phase: 'idle' });
          hostRef.current.setMessage(e instanceof OpRefusedError ? e.message : `${title} failed: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    },
    [clearPreview, labelName],
  );

  const accept = useCallback(() => {
    const s = shown.current;
    if (!s) return;
    const { diff, req, title } = s;
    timed('ops:preview-clear', clearPreview);
    const written = req.kind === 'morphology' && diff.after.every((v) => v === 0) ? 0 : req.label;
    const tool = req.kind === 'fillBetween' ? 'interpolate' : req.op.kind;
    // The labels are written and committed now; the app's re-render (bar, message, label counts) is a transition.
    startTransition(() => {
      setState({ phase: 'idle' });
      timed('ops:accept-commit', () => hostRef.current.commitPrepared(diff, { tool, label: written, title }));
    });
  }, [clearPreview]);

  return { state, start, accept, cancel };
}
