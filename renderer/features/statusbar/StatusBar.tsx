// Status bar: voxel (i, j, k), world position in mm, intensity and the label under the cursor.
import type { OpenSeriesResponse } from '../../../common/contract.js';
import type { Vec3 } from '../../../common/geometry.js';
import { isKnownLabel, labelInfo } from '../../../common/labels.js';

export interface ProbeInfo {
  ijk: Vec3;
  world: Vec3;
  intensity: number;
  label: number;
}

const f1 = (x: number): string => x.toFixed(1);

export function StatusBar({ probe, message, saved }: { probe: ProbeInfo | null; message: string; saved: string }) {
  return (
    <div className="statusbar" data-testid="statusbar">
      {probe ? (
        <>
          <span data-testid="status-voxel">voxel ({probe.ijk.join(', ')})</span>
          <span data-testid="status-world">world ({probe.world.map(f1).join(', ')}) mm</span>
          <span data-testid="status-intensity">value {Number.isInteger(probe.intensity) ? probe.intensity : probe.intensity.toFixed(2)}</span>
          <span data-testid="status-label">
            {probe.label === 0 ? 'no label' : `${isKnownLabel(probe.label) ? labelInfo(probe.label).name : 'unknown'} (${probe.label})`}
          </span>
        </>
      ) : (
        <span className="muted">Move the pointer over a view</span>
      )}
      <span className="spacer" />
      <span className="muted">{message}</span>
      <span className="muted">{saved}</span>
    </div>
  );
}

/** The status bar's note on where the labels came from. */
export function maskNote(source: OpenSeriesResponse['mask']['source']): string {
  if (source === 'empty') return 'no mask file: labels start empty';
  if (source === 'unreadable') return 'mask file unreadable: labels shown empty and read-only';
  return '';
}
