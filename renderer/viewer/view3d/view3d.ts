// createView3D: the 3-D label view. One smoothed surface per label (built in a worker by ../surfaces), drawn with
// vtk.js in its own render window (its own WebGL context: the slice viewer's context is untouched and the view costs
// nothing while it is not mounted). Trackball rotate (left drag), pan (middle or Shift+left drag), zoom (wheel, right
// drag); a left CLICK on a surface reports the picked world point (the app moves the crosshair there). Label
// changes come in as VoxelDiffs (strokes, undo, redo …): only the labels a diff touched are re-meshed. Meshes reach
// vtk.js under a per-frame triangle budget that follows the measured frames (budget.ts), so no frame stalls.
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Geometry.js';
import '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import vtkInteractorStyleTrackballCamera from '@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera.js';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer.js';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow.js';
import vtkRenderWindowInteractor from '@kitware/vtk.js/Rendering/Core/RenderWindowInteractor.js';
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import type { Vec3 } from '../../../common/geometry.js';
import { diffBox, SurfaceBuilder, type Mesh, type SurfaceUpdate } from '../surfaces/index.js';
import type { LabelVolume } from '../types.js';
import { DISPLAY_CLUSTER_FACTOR, UploadBudget } from './budget.js';
import { createMarker, handOver, meshBounds, rayThrough, removeParts, type LabelActor, type Part, type Upload } from './parts.js';
import { CLICK_SLOP_PX, pickSurface } from './pick.js';
import { mirrorState, type View3D, type View3DOptions, type View3DState } from './types.js';

export type { View3D, View3DOptions, View3DState, View3DStatus } from './types.js';

export function createView3D(container: HTMLElement, opts: View3DOptions = {}): View3D {
  const root = document.createElement('div');
  root.dataset['view3d'] = '';
  root.style.cssText = 'position:absolute;inset:0;overflow:hidden;outline:none;';
  if (getComputedStyle(container).position === 'static') container.style.position = 'relative';
  container.appendChild(root);

  const renderWindow = vtkRenderWindow.newInstance();
  const renderer = vtkRenderer.newInstance({ background: opts.background ?? [0.07, 0.07, 0.09] });
  renderWindow.addRenderer(renderer);
  const glView = renderWindow.newAPISpecificView('WebGL') as vtkOpenGLRenderWindow;
  glView.setContainer(root);
  renderWindow.addView(glView);
  const interactor = vtkRenderWindowInteractor.newInstance();
  interactor.setView(glView);
  interactor.initialize();
  interactor.bindEvents(root);
  // vtk.js' default key bindings (w = wireframe, s = surface, r = reset …) would fight the app's shortcuts.
  // (vtk.js publicAPI members are closures over their model, not `this` methods.)
  // eslint-disable-next-line @typescript-eslint/unbound-method
  root.removeEventListener('keypress', interactor.handleKeyPress);
  // eslint-disable-next-line @typescript-eslint/unbound-method
  root.removeEventListener('keydown', interactor.handleKeyDown);
  interactor.setInteractorStyle(vtkInteractorStyleTrackballCamera.newInstance());

  const { source: marker, mapper: markerMapper, actor: markerActor } = createMarker(renderer);

  // --- state --- //
  const actors = new Map<number, LabelActor>();
  let hidden: ReadonlySet<number> = new Set();
  let allHidden = false;
  let builder: SurfaceBuilder | null = null;
  let labels: LabelVolume | null = null;
  let disposed = false;
  let cameraSet = false;
  /** Bumped by setLabels: answers to an older builder's requests are ignored. */
  let generation = 0;
  /** Requests sent and not yet answered (0 = idle). */
  let inFlight = 0;
  /** When the oldest unanswered request was made (for lastUpdateMs). */
  let requestedAt: number | null = null;
  let workMaxMs = 0;
  /** The last frames' hand-over + render milliseconds (benches). */
  const frameLog: string[] = [];
  const state: View3DState = {
    status: 'empty', meshed: [], shown: [], fullBuilds: 0, rebuilds: {}, lastRebuilt: [], lastUpdateMs: null, renders: 0,
    triangles: 0, error: null,
  };
  const stateListeners = new Set<(s: View3DState) => void>();
  const pickListeners = new Set<(world: Vec3, label: number) => void>();

  const isShown = (label: number): boolean => !allHidden && !hidden.has(label);

  const publish = (): void => {
    state.meshed = [...actors.keys()].sort((a, b) => a - b);
    state.shown = state.meshed.filter(isShown);
    state.triangles = state.shown.reduce((n, l) => n + actors.get(l)!.mesh.triangles.length / 3, 0);
    mirrorState(root, state);
    // Each surface's digest (surfaces' meshDigest): tests compare a re-meshed label with a full build's.
    root.dataset['digests'] = state.meshed.map((l) => `${l}:${actors.get(l)!.mesh.digest ?? ''}`).join(',');
    const snapshot = getState();
    for (const cb of [...stateListeners]) cb(snapshot);
  };
  const getState = (): View3DState => ({ ...state, meshed: [...state.meshed], shown: [...state.shown], rebuilds: { ...state.rebuilds }, lastRebuilt: [...state.lastRebuilt] });

  // --- rendering: at most one frame per animation frame --- //
  let frame = 0;
  /** Resolved after the next frame. */
  let waiters: Array<() => void> = [];
  /** Called when no request is in flight any more. */
  let idleWaiters: Array<() => void> = [];
  const busy = (): boolean => inFlight > 0 || pending.size > 0;
  const releaseIdle = (): void => {
    if (busy()) return;
    const done = idleWaiters;
    idleWaiters = [];
    for (const r of done) r();
  };
  const draw = (): void => {
    frame = 0;
    if (disposed) return;
    syncSize();
    if (!hasArea()) return void flushWaiters();
    const t0 = performance.now();
    const handed = pending.size > 0 ? handOver({ renderer, actors, pending, isShown }, budget.triangles) : null;
    // An answer with nothing to upload (only removals) settles on this frame all the same.
    const applied = handed !== null || answered;
    answered = false;
    const t1 = performance.now();
    renderWindow.render();
    const t2 = performance.now();
    budget.frame(handed ?? 0, t2 - t0);
    root.dataset['drawn'] = String(version);
    root.dataset['drawMs'] = (t2 - t1).toFixed(1);
    // Longest main-thread slice of this view (uploads + render) since the current work began (benches).
    if (applied || busy()) {
      workMaxMs = Math.max(workMaxMs, t2 - t0);
      root.dataset['workMaxMs'] = workMaxMs.toFixed(1);
      frameLog.push(`${(t1 - t0).toFixed(0)}+${(t2 - t1).toFixed(0)}${handed ? `/${(handed / 1000).toFixed(0)}k` : ''}`);
      // In the page's performance timeline too (profiling: performance.getEntriesByName('view3d:frame'), the frames
      // since the current work began).
      performance.measure('view3d:frame', { start: t0, end: t2, detail: { handedOver: handed ?? 0, budget: budget.triangles } });
      if (frameLog.length > 24) frameLog.shift();
      root.dataset['frameLog'] = frameLog.join(' ');
    }
    state.renders++;
    root.dataset['renders'] = String(state.renders);
    if (applied) {
      root.dataset['applyMs'] = (t1 - t0).toFixed(1);
      root.dataset['updateDrawMs'] = (t2 - t1).toFixed(1);
      if (pending.size > 0) invalidate(); // the rest next frame
      else if (inFlight === 0) {
        // Everything asked for is on screen.
        state.status = 'ready';
        if (requestedAt !== null) {
          state.lastUpdateMs = t2 - requestedAt;
          root.dataset['lastUpdateMs'] = state.lastUpdateMs.toFixed(1);
          requestedAt = null;
        }
      }
      publish();
    }
    flushWaiters();
    releaseIdle();
  };
  const flushWaiters = (): void => {
    const done = waiters;
    waiters = [];
    for (const r of done) r();
  };
  /** Bumped by every change that needs a frame; data-drawn = the version the last frame showed (tests wait on it). */
  let version = 0;
  const invalidate = (): void => {
    version++;
    root.dataset['version'] = String(version);
    if (!frame && !disposed) frame = requestAnimationFrame(draw);
  };

  let size = { width: 0, height: 0 };
  const syncSize = (): void => {
    const r = root.getBoundingClientRect();
    const w = Math.max(0, Math.round(r.width));
    const h = Math.max(0, Math.round(r.height));
    if (w === size.width && h === size.height) return;
    size = { width: w, height: h };
    const dpr = window.devicePixelRatio || 1;
    glView.setSize(Math.max(1, Math.round(w * dpr)), Math.max(1, Math.round(h * dpr)));
  };
  const hasArea = (): boolean => size.width > 0 && size.height > 0;
  const resizeObserver = new ResizeObserver(() => invalidate());
  resizeObserver.observe(root);

  // --- meshes -> actors --- //
  const deleteParts = (parts: Part[]): void => removeParts(renderer, parts);
  const removeActor = (label: number): void => {
    const a = actors.get(label);
    if (!a) return;
    deleteParts(a.parts);
    actors.delete(label);
  };

  /**
   * Meshes received and not yet fully handed to vtk.js, and the triangles a frame may hand over (parts.ts handOver,
   * budget.ts: the budget follows the measured slices so that no frame of this view goes much past SLICE_TARGET_MS).
   */
  const pending = new Map<number, Upload>();
  const budget = new UploadBudget();
  const dropUpload = (label: number): void => {
    const up = pending.get(label);
    if (!up) return;
    deleteParts(up.parts);
    pending.delete(label);
  };
  /** An answer arrived since the last frame. */
  let answered = false;

  const onUpdate = (u: SurfaceUpdate): void => {
    if (disposed) return;
    inFlight = Math.max(0, inFlight - 1);
    if (u.full) {
      for (const label of [...actors.keys()]) if (!u.meshes.get(label)) removeActor(label);
      for (const label of [...pending.keys()]) if (!u.meshes.get(label)) dropUpload(label);
      state.fullBuilds++;
    } else {
      const changed = [...u.meshes.keys()].sort((a, b) => a - b);
      for (const l of changed) state.rebuilds[l] = (state.rebuilds[l] ?? 0) + 1;
      state.lastRebuilt = changed;
    }
    for (const [label, mesh] of u.meshes) {
      dropUpload(label);
      if (mesh) pending.set(label, { mesh, parts: [], done: 0 });
      else removeActor(label);
    }
    // The first camera frames every surface of the first answer (they arrive on screen over several frames).
    if (!cameraSet) {
      const bounds = meshBounds([...u.meshes.values()].filter((m): m is Mesh => m !== null));
      if (bounds) {
        setDefaultCamera(bounds);
        cameraSet = true;
      }
    }
    answered = true;
    publish();
    invalidate();
  };

  const failed = (e: unknown): void => {
    if (disposed) return;
    inFlight = Math.max(0, inFlight - 1);
    state.status = 'error';
    state.error = e instanceof Error ? e.message : String(e);
    publish();
    releaseIdle();
  };

  const startRequest = (): void => {
    if (!busy()) {
      workMaxMs = 0;
      performance.clearMeasures('view3d:frame'); // the timeline keeps the frames of the current work only
    }
    inFlight++;
    requestedAt ??= performance.now();
    state.status = 'building';
    publish();
  };

  const fullBuild = (): void => {
    if (!builder || !labels) return;
    startRequest();
    // A superseded request resolves null; its labels come with the newer answer (onUpdate sees every answer).
    const g = generation;
    builder.buildAll(labels.scalars, labels.geometry).then(
      (m) => g === generation && m === null && dropSuperseded(),
      (e: unknown) => g === generation && failed(e),
    );
  };
  /** A request that a newer one overtook is never answered by itself. */
  const dropSuperseded = (): void => {
    inFlight = Math.max(0, inFlight - 1);
    if (!busy() && state.status === 'building') state.status = 'ready';
    publish();
    releaseIdle();
  };

  // --- camera --- //
  function setDefaultCamera(bounds?: [number, number, number, number, number, number]): void {
    const b = bounds ?? renderer.computeVisiblePropBounds();
    const centre: Vec3 = [(b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2];
    const cam = renderer.getActiveCamera();
    // LPS: a left-anterior oblique view, head up (+z = superior).
    cam.setFocalPoint(...centre);
    cam.setPosition(centre[0] + 0.8, centre[1] - 0.6, centre[2]);
    cam.setViewUp(0, 0, 1);
    renderer.resetCamera(b);
    renderer.resetCameraClippingRange(b);
  }

  // --- picking: a left click (no drag) on a shown surface --- //
  let press: { x: number; y: number; id: number } | null = null;
  const onPointerDown = (e: PointerEvent): void => {
    press = e.button === 0 && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey ? { x: e.clientX, y: e.clientY, id: e.pointerId } : null;
  };
  const onPointerUp = (e: PointerEvent): void => {
    const p = press;
    press = null;
    if (!p || e.pointerId !== p.id || Math.hypot(e.clientX - p.x, e.clientY - p.y) > CLICK_SLOP_PX) return;
    const r = root.getBoundingClientRect();
    const hit = pickAt(e.clientX - r.left, e.clientY - r.top);
    if (hit) for (const cb of [...pickListeners]) cb(hit.world, hit.label);
  };
  root.addEventListener('pointerdown', onPointerDown, true);
  root.addEventListener('pointerup', onPointerUp, true);

  /** Ray through CSS pixel (x, y) from the top-left: its world origin and direction. */
  const rayAt = (x: number, y: number): { origin: Vec3; dir: Vec3 } | null => {
    syncSize();
    return hasArea() ? rayThrough(renderer, size, x, y) : null;
  };
  const pickAt = (x: number, y: number): { world: Vec3; label: number } | null => {
    const ray = rayAt(x, y);
    if (!ray) return null;
    let best: { t: number; label: number } | null = null;
    for (const a of actors.values()) {
      if (!isShown(a.label)) continue;
      const t = pickSurface(a.mesh.points, a.mesh.triangles, ray.origin, ray.dir);
      if (t !== null && (!best || t < best.t)) best = { t, label: a.label };
    }
    if (!best) return null;
    const { origin: o, dir: d } = ray;
    return { world: [o[0] + best.t * d[0], o[1] + best.t * d[1], o[2] + best.t * d[2]], label: best.label };
  };

  // --- public API --- //
  const view: View3D = {
    setLabels(next) {
      if (disposed) return;
      generation++;
      builder?.dispose();
      builder = null;
      inFlight = 0;
      requestedAt = null;
      for (const label of [...pending.keys()]) dropUpload(label);
      answered = false;
      for (const label of [...actors.keys()]) removeActor(label);
      labels = next;
      cameraSet = false;
      state.status = 'empty';
      state.error = null;
      if (next) {
        builder = new SurfaceBuilder({ ...opts.builder, mesh: { clusterFactor: DISPLAY_CLUSTER_FACTOR, ...opts.builder?.mesh } });
        builder.onUpdate(onUpdate);
        fullBuild();
      }
      publish();
      invalidate();
    },
    labelsChanged(diff) {
      if (disposed || !builder || !labels) return;
      if (!diff) return fullBuild();
      const box = diffBox(diff, labels.geometry.size);
      if (!box) return;
      startRequest();
      const g = generation;
      builder.rebuild(null, box).then(
        (u) => g === generation && u === null && dropSuperseded(),
        (e: unknown) => g === generation && failed(e),
      );
    },
    setLabelDisplay(d) {
      hidden = new Set(d.hidden);
      allHidden = d.allHidden;
      for (const a of actors.values()) for (const p of a.parts) p.actor.setVisibility(isShown(a.label));
      for (const [label, up] of pending) for (const p of up.parts) p.actor.setVisibility(isShown(label));
      publish();
      invalidate();
    },
    setCrosshair(world) {
      marker.setCenter(...world);
      markerActor.setVisibility(true);
      invalidate();
    },
    resetCamera() {
      const b = meshBounds([...actors.values()].filter((a) => isShown(a.label)).map((a) => a.mesh));
      if (b) setDefaultCamera(b);
      invalidate();
    },
    onPick(cb) {
      pickListeners.add(cb);
      return () => pickListeners.delete(cb);
    },
    onState(cb) {
      stateListeners.add(cb);
      return () => stateListeners.delete(cb);
    },
    getState,
    worldToDisplay(world) {
      syncSize();
      if (!hasArea()) return null;
      const aspect = size.width / size.height;
      const [nx, ny] = renderer.worldToNormalizedDisplay(world[0], world[1], world[2], aspect);
      const x = nx! * size.width;
      const y = (1 - ny!) * size.height;
      return x >= 0 && y >= 0 && x <= size.width && y <= size.height ? [x, y] : null;
    },
    rendered() {
      return new Promise((resolve) => {
        const whenIdle = (): void => {
          if (disposed) return resolve();
          if (busy()) return void idleWaiters.push(whenIdle);
          waiters.push(resolve);
          invalidate();
        };
        whenIdle();
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
      builder?.dispose();
      builder = null;
      resizeObserver.disconnect();
      root.removeEventListener('pointerdown', onPointerDown, true);
      root.removeEventListener('pointerup', onPointerUp, true);
      for (const label of [...pending.keys()]) dropUpload(label);
      for (const label of [...actors.keys()]) removeActor(label);
      renderer.removeActor(markerActor);
      markerActor.delete();
      markerMapper.delete();
      marker.delete();
      interactor.unbindEvents();
      interactor.delete();
      const gl = glView.getContext();
      renderWindow.removeView(glView);
      glView.delete();
      renderer.delete();
      renderWindow.delete();
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
      stateListeners.clear();
      pickListeners.clear();
      for (const r of [...waiters, ...idleWaiters]) r();
      waiters = [];
      idleWaiters = [];
      root.remove();
    },
  };
  publish();
  return view;
}
