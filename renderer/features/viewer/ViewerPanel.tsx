// Hosts the vtk.js viewer (renderer/viewer) in React: creates it once, disposes it on unmount. The viewer
// object lives in a ref, never in React state.
import { useEffect, useRef } from 'react';
import { createViewer, type Viewer } from '../../viewer/index.js';

export function ViewerPanel({ onViewer }: { onViewer: (v: Viewer | null) => void }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const v = createViewer(host.current);
    onViewer(v);
    return () => {
      onViewer(null);
      v.dispose();
    };
    // onViewer is a stable setter (App passes a module constant): the viewer is created once per mount.
  }, [onViewer]);
  return <div className="viewer-host" ref={host} data-testid="viewer" />;
}
