// The 3-D label view (issue 13, item 2): part of renderer/viewer, re-exported by its index.ts.
export { createView3D, type View3D, type View3DOptions, type View3DState, type View3DStatus } from './view3d.js';
export { pickSurface } from './pick.js';
