// Turns the viewer's tool pointer events into label edits: dabs along a stroke (interpolated between pointer
// samples, so fast drags leave no gaps), click tools, and Ctrl/Cmd+click to pick the label under the cursor.
// Each finished stroke becomes one diff, committed through the edit session.
import type { Vec3 } from '../../common/geometry.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import { DiffRecorder, paintStencil, strokeSegment, type LabelmapVolume } from '../labelmap/index.js';
import type { Tool, ToolSettings } from '../tools/index.js';
import { describeEdit } from '../tools/describe.js';
import type { ToolPointerEvent, Viewer } from '../viewer/index.js';
import type { EditSession } from './editSession.js';

export interface StrokeControllerDeps {
  viewer: Viewer;
  volume: LabelmapVolume;
  session: EditSession;
  tool(): Tool | null;
  settings(): ToolSettings;
  /** Ctrl/Cmd+click: the label under the cursor becomes the active label. */
  onPick(label: number): void;
  /** A message for the status bar (e.g. "Region larger than 500,000 voxels: nothing filled"). */
  onMessage(text: string): void;
  /** Labels changed locally by `diff` (forward): label counts follow it without a pass over the volume. */
  onEdited(diff: VoxelDiff): void;
  /** A click while `settings().sampleClick` is on: the image intensity there (nothing is painted). */
  onSample?(intensity: number): void;
}


export function attachStrokeController(deps: StrokeControllerDeps): () => void {
  const { viewer, volume, session } = deps;
  const recorder = new DiffRecorder(volume.labels);
  let stroke: { tool: Tool & { kind: 'stroke' }; last: Vec3; sliceAxis: 0 | 1 | 2 } | null = null;

  const round = (ijk: Vec3): Vec3 => [Math.round(ijk[0]), Math.round(ijk[1]), Math.round(ijk[2])];
  const labelAt = (ijk: Vec3): number | null => {
    const [i, j, k] = round(ijk);
    const [nx, ny, nz] = volume.size;
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return null;
    return volume.labels[i + nx * (j + ny * k)] ?? null;
  };

  const finishStroke = (): void => {
    if (!stroke) return;
    const { tool } = stroke;
    stroke = null;
    const diff = recorder.finish();
    if (diff.indices.length === 0) return;
    const s = deps.settings();
    const value = tool.valueFor(s);
    const describe = tool.describe?.(diff, s) ?? ((n: number) => describeEdit(tool.title, value, n));
    void session.commit({ diff, tool: tool.id, label: value, description: describe(diff.indices.length), describe });
    deps.onEdited(diff);
  };

  const off = viewer.onToolPointer((e: ToolPointerEvent) => {
    if (e.phase === 'down' && (e.ctrlKey || e.metaKey)) {
      const v = labelAt(e.ijk);
      if (v !== null) deps.onPick(v);
      return;
    }
    const tool = deps.tool();
    // Measure tools write no labels (renderer/features/measurements/ handles them).
    if (!tool || tool.kind === 'measure') return;
    const s = deps.settings();
    if (s.sampleClick && deps.onSample && !stroke && (tool.id === 'threshold' || tool.id === 'thresholdFill')) {
      // Sample mode: the click reads the intensity and paints nothing.
      if (e.phase !== 'down') return;
      const [i, j, k] = round(e.ijk);
      const [nx, ny, nz] = volume.size;
      if (volume.image && i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz) deps.onSample(volume.image[i + nx * (j + ny * k)]!);
      return;
    }
    if (tool.kind === 'click') {
      if (e.phase !== 'down') return;
      const res = tool.apply(volume, round(e.ijk), e.sliceAxis, s, e.shiftKey);
      if (res.reachesBorder) {
        deps.onMessage(`${tool.title}: the region reaches the edge of the slice (not closed) — nothing filled; Shift+click fills it anyway`);
        return;
      }
      if (res.truncated) {
        const limit = tool.limit?.(volume, e.sliceAxis, s) ?? 'the limit';
        deps.onMessage(`${tool.title}: the region is larger than ${limit} — nothing filled`);
        return;
      }
      if (res.diff.indices.length === 0) return;
      viewer.labelsModified();
      const value = tool.valueFor(s);
      const description = describeEdit(tool.title, value, res.diff.indices.length);
      void session.commit({ diff: res.diff, tool: tool.id, label: value, description, describe: (n) => describeEdit(tool.title, value, n) });
      deps.onMessage(description); // replaces a refusal's message from the click before
      deps.onEdited(res.diff);
      return;
    }
    if (e.phase === 'down') {
      stroke = { tool, last: e.ijk, sliceAxis: e.sliceAxis };
      paintStencil(volume, recorder, e.ijk, tool.brush(s, e.sliceAxis));
      viewer.labelsModified();
    } else if (e.phase === 'move' && stroke) {
      strokeSegment(volume, recorder, stroke.last, e.ijk, stroke.tool.brush(s, stroke.sliceAxis));
      stroke.last = e.ijk;
      viewer.labelsModified();
    } else if (e.phase === 'up' || e.phase === 'cancel') {
      // A cut-short gesture (mode change, series switch) is committed too: its voxels are already in the
      // volume, and what is shown must be what is stored.
      finishStroke();
    }
  });
  return () => {
    finishStroke();
    off();
  };
}
