// What an editing tool is: one file per tool declares what it writes and where it may write.
// Pointer plumbing lives in renderer/editing/strokeController.ts; voxel loops live in renderer/labelmap/.
import type { Axis, Vec3 } from '../../common/geometry.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import type { LabelValue } from '../../common/labels.js';
import type { BrushOptions, FillResult, IntensityRange, LabelmapVolume, PaintMode } from '../labelmap/index.js';

export type ToolId = 'brush' | 'eraser' | 'threshold' | 'fill' | 'thresholdFill' | 'ruler' | 'angle';

/** Tool settings as the toolbar edits them (plain data, kept in React state). */
export interface ToolSettings {
  activeLabel: LabelValue;
  /** In-plane brush radius, mm. */
  radiusMm: number;
  /** 3-D brush: a sphere across `throughPlaneSlices` slices. */
  brush3d: boolean;
  throughPlaneSlices: number;
  mode: PaintMode;
  locked: ReadonlySet<LabelValue>;
  threshold: IntensityRange;
  /** Threshold fill grows through the volume (3-D) or the slice (2-D). */
  fill3d: boolean;
  /** Largest region a 2-D click fill (region fill, 2-D threshold fill) writes, in % of the slice. */
  maxFillPercent: number;
  /** Largest region the 3-D threshold fill writes, in % of the volume (see DEFAULT_SETTINGS for the default). */
  maxFill3dPercent: number;
  /** Threshold tools: the next click in a view samples the intensity into the range instead of painting. */
  sampleClick: boolean;
}

interface ToolBase {
  id: ToolId;
  title: string;
  hotkey: string;
}

/** A tool that paints dabs along a pointer stroke. */
export interface StrokeTool extends ToolBase {
  kind: 'stroke';
  /** Brush options for a stroke in a view slicing across `sliceAxis`. */
  brush(settings: ToolSettings, sliceAxis: Axis): BrushOptions;
  /** Label value the stroke writes (for the journal entry). */
  valueFor(settings: ToolSettings): LabelValue;
  /** How the history names the stroke's diff (default: describeEdit with title and value). */
  describe?(diff: VoxelDiff, settings: ToolSettings): (voxels: number) => string;
}

/** A tool that acts once where it is clicked. */
export interface ClickTool extends ToolBase {
  kind: 'click';
  /** `force` (Shift+click): do it even where the tool would refuse (a fill reaching the slice's edge). */
  apply(vol: LabelmapVolume, ijk: Vec3, sliceAxis: Axis, settings: ToolSettings, force?: boolean): FillResult;
  /** Largest region it writes, as the refusal message says it ("25 % of the slice (16,384 voxels)"). */
  limit?(vol: LabelmapVolume, sliceAxis: Axis, settings: ToolSettings): string;
  valueFor(settings: ToolSettings): LabelValue;
}

/**
 * A tool that measures instead of writing labels (renderer/features/measurements/ turns its clicks into a stored
 * measurement through the contract's addMeasurement).
 */
export interface MeasureTool extends ToolBase {
  kind: 'measure';
  measure: 'ruler' | 'angle';
  /** Points a measurement takes (ruler 2, angle 3: arm end, vertex, arm end). */
  points: 2 | 3;
  /** How to place it, for the status bar. */
  hint: string;
}

export type Tool = StrokeTool | ClickTool | MeasureTool;

/** Identity helper that type-checks a tool literal. */
export function defineTool<T extends Tool>(tool: T): T {
  return tool;
}

/** Brush options shared by brush, eraser and threshold brush. */
export function brushBase(s: ToolSettings, sliceAxis: Axis, value: LabelValue): BrushOptions {
  return {
    shape: s.brush3d ? 'sphere' : 'circle',
    sliceAxis,
    radiusMm: s.radiusMm,
    throughPlaneSlices: s.brush3d ? s.throughPlaneSlices : 1,
    value,
    mode: s.mode,
    locked: s.locked,
  };
}
