// Sole entry point of the slice viewer: the only folder of the renderer that imports vtk.js. Framework-free; React
// components wrap it. Everything outside imports from here, never from the files behind it.
export { createViewer } from './viewer.js';
export {
  VIEW_IDS,
  LAYOUT_KINDS,
  DEFAULT_LAYOUT,
  type Viewer,
  type BrushCursor,
  type CompareLayer,
  type CursorInfo,
  type ImageScalars,
  type ImageVolume,
  type LabelDisplay,
  type LabelVolume,
  type Layout,
  type MeasurementShape,
  type LayoutKind,
  type PointerMode,
  type PreviewLayer,
  type ToolPointerEvent,
  type ViewId,
  type ViewerOptions,
  type Viewport,
  type WindowLevel,
} from './types.js';
export { labelColor } from './labelAppearance.js';
export { compareColor } from './compareAppearance.js';
/** Which index axis each view slices (pure geometry; e.g. the axis of fill between slices). */
export { viewFrames, type ViewFrame } from './orientation.js';
export { createView3D, type View3D, type View3DOptions, type View3DState, type View3DStatus } from './view3d/index.js';
