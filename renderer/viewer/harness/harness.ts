// Test harness page for renderer/viewer: builds the block phantom in the orientation group given by `?group=A|B`,
// creates the viewer and exposes it as window.__viewer for the e2e tests (tests/e2e/viewer/).
import { createViewer, type Viewer } from '../index.js';
import { buildPhantom, type Group } from './phantom.js';

declare global {
  interface Window {
    __viewer?: Viewer;
    __harness?: {
      group: Group;
      /** The label array the viewer shows (shared, file order): tests write into it and call labelsModified. */
      labels: Uint8Array;
      errors: string[];
      /** Replaces the series with the phantom of a group (series switch on the same viewer). */
      load(group: Group): void;
    };
  }
}

const errors: string[] = [];
addEventListener('error', (e) => errors.push(String(e.message)));

const group: Group = new URLSearchParams(location.search).get('group') === 'B' ? 'B' : 'A';
const { image, labels } = buildPhantom(group);
const container = document.getElementById('viewer');
const status = document.getElementById('status');
if (!container || !status) throw new Error('harness page is missing #viewer or #status');

const viewer = createViewer(container);
viewer.onCursor((c) => {
  status.textContent = c
    ? `${c.view} voxel (${c.ijk.join(', ')})${c.inside ? '' : ' outside'}  world (${c.world.map((v) => v.toFixed(1)).join(', ')}) mm`
    : '';
});
viewer.setVolumes(image, labels);
window.__viewer = viewer;
window.__harness = {
  group,
  labels: labels.scalars,
  errors,
  load(next) {
    const phantom = buildPhantom(next);
    viewer.setVolumes(phantom.image, phantom.labels);
    Object.assign(window.__harness!, { group: next, labels: phantom.labels.scalars });
  },
};
