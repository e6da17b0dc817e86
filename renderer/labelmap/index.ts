// Sole entry point of renderer/labelmap: the label volume in memory and its pure voxel operations (brush
// stencils, fills, label operations, island removal), each reporting a VoxelDiff. No DOM, no vtk.js.
export type { LabelmapVolume, PaintMode, WriteGuard, IntensityRange } from './volume.js';
export { writableLut } from './volume.js';
export { DiffRecorder } from './recorder.js';
export { paintStencil, strokeSegment, type BrushOptions } from './stencil.js';
export { floodFill2D, thresholdFill, type FillResult, type FloodFillOptions, type ThresholdFillOptions } from './fill.js';
export {
  relabel, swapLabels, shiftLevels, identityValueMap, valueMapDiff, type LabelOpOptions, type LabelOpRefusal, type LabelOpResult,
} from './labelOps.js';
export { removeIslands, type IslandCriterion, type IslandsResult } from './islands.js';
export { labelCentres } from './centres.js';
export { midSagittal, sagittalAxis, type MidSagittal, type MidSagittalOptions } from './midSagittal.js';
export { labelCounts } from './counts.js';
export { takeLabelDiff, sameLabelRegion, type TakeLabelResult } from './takeLabel.js';
export { applyDiffToCounts } from './countsDiff.js';
export {
  morphLabel, morphologyInBox, morphologyBox, labelBox, labelBoxScan, expandBox, cutBox, ellipsoidRadii,
  type MorphologyKind, type MorphologyOp, type MorphologyResult, type VoxelBox, type LabelBoxScan,
} from './morphology.js';
