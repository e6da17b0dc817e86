// The 3-D label view in React: mounts renderer/viewer's View3D into the viewer's fourth cell (Viewer.threeDHost)
// while that cell has a size (the '2x2' layout), and disposes it — worker, meshes, WebGL context — as soon as the
// cell is hidden, so other layouts pay nothing. Follows the open series, the label display (hidden labels) and every
// label edit (labelEdits: a diff re-meshes only its labels); a click on a surface moves the crosshair there.
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { createView3D, type View3D, type View3DState } from '../../viewer/index.js';
import { useApp } from '../../state/appStore.js';
import { labelEdits } from '../../state/labelEdits.js';

const overlay: React.CSSProperties = {
  position: 'absolute', top: 4, right: 4, zIndex: 2, display: 'flex', gap: 6, alignItems: 'center',
  font: '12px system-ui, sans-serif', color: '#ccc', pointerEvents: 'none',
};
const button: React.CSSProperties = { pointerEvents: 'auto', font: 'inherit', padding: '1px 6px' };
const caption: React.CSSProperties = {
  position: 'absolute', left: 6, top: 4, zIndex: 2, font: '12px system-ui, sans-serif', color: '#9ab', pointerEvents: 'none',
};

function statusText(s: View3DState | null): string {
  if (!s || s.status === 'empty') return 'No series open';
  if (s.status === 'error') return `3-D surfaces failed: ${s.error ?? ''}`;
  if (s.status === 'building' && s.meshed.length === 0) return 'Building surfaces …';
  if (s.meshed.length === 0) return 'No labels';
  return s.status === 'building' ? 'Updating …' : '';
}

export function View3DPanel() {
  const viewer = useApp((s) => s.viewer);
  const opened = useApp((s) => s.opened);
  const display = useApp((s) => s.display);
  const host = viewer?.threeDHost ?? null;
  const [visible, setVisible] = useState(false);
  const [view, setView] = useState<View3D | null>(null);
  const [state, setState] = useState<View3DState | null>(null);

  // Visible = the 3-D cell has an area (the viewer gives it 0×0 outside '2x2' and when a view is maximised).
  useEffect(() => {
    if (!host) return;
    const check = (): void => {
      const r = host.getBoundingClientRect();
      setVisible(r.width > 0 && r.height > 0);
    };
    const ro = new ResizeObserver(check);
    ro.observe(host);
    check();
    return () => ro.disconnect();
  }, [host]);

  useEffect(() => {
    if (!viewer || !visible) return;
    const v = createView3D(viewer.threeDHost);
    const offState = v.onState(setState);
    const offPick = v.onPick((world) => viewer.setCrosshair(world));
    const offCrosshair = viewer.onCrosshair((world) => v.setCrosshair(world));
    v.setCrosshair(viewer.getCrosshair());
    const offEdits = labelEdits.subscribe((diff) => v.labelsChanged(diff));
    setView(v);
    return () => {
      offState();
      offPick();
      offCrosshair();
      offEdits();
      v.dispose();
      setView(null);
      setState(null);
    };
  }, [viewer, visible]);

  useEffect(() => {
    view?.setLabels(opened ? { geometry: opened.info.image.geometry, scalars: opened.labels } : null);
  }, [view, opened]);
  useEffect(() => view?.setLabelDisplay(display), [view, display]);

  if (!host || !visible) return null;
  const text = statusText(state);
  return createPortal(
    <>
      <span style={caption}>3-D</span>
      <div style={overlay} data-testid="view3d-overlay">
        {text && <span data-testid="view3d-status">{text}</span>}
        <button style={button} title="Reset the 3-D camera" onClick={() => view?.resetCamera()}>
          Reset 3-D
        </button>
      </div>
    </>,
    host,
  );
}
