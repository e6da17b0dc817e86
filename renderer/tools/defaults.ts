// Tool settings a session starts with (the app store's initial value).
import type { ToolSettings } from './types.js';

export const DEFAULT_SETTINGS: ToolSettings = {
  activeLabel: 1,
  radiusMm: 4,
  brush3d: false,
  throughPlaneSlices: 3,
  mode: 'overwrite',
  locked: new Set(),
  threshold: [0, 1],
  fill3d: false,
  maxFillPercent: 25,
  sampleClick: false,
};
