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
  // A 3-D fill that leaks into the soft tissue around the spine grows through tens of % of the volume. The largest
  // single structure a threshold fill is meant for, a lumbar vertebra (≈ 45 × 35 × 30 mm with its arch, < 60 cm³) or
  // the canal over the whole field of view (≈ 18 × 15 × 300 mm ≈ 80 cm³), is 1–1.5 % of a lumbar MRI volume
  // (≈ 300 × 300 × 60–80 mm ≈ 5,400–7,200 cm³). 2 % keeps any of them and refuses a leak before it costs a quarter
  // of the volume's voxels; 25 % (the slice default) let a leak fill ≈ 10 M voxels of a 640×512×120 series.
  maxFill3dPercent: 2,
  sampleClick: false,
};
