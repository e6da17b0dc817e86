// One slice view: a child vtkRenderWindow drawn through the viewer's single shared WebGL context, its renderer and
// camera, the image, label and (tool) preview vtkImageMapper/vtkImageSlice pairs, and its DOM cell + overlay. Owns (and deletes)
// every vtk object it creates; the shared image data and properties belong to viewer.ts. Keeps its overlay's
// per-view readouts in step with the camera: scale bar, window/level + zoom, slice slider, and the rulers and
// angles lying in the displayed slice.
import vtkCamera from '@kitware/vtk.js/Rendering/Core/Camera.js';
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper.js';
import { SlicingMode } from '@kitware/vtk.js/Rendering/Core/ImageMapper/Constants.js';
import type vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty.js';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice.js';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow.js';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer.js';
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import type vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js';
import { IDENTITY_DIRECTION, type Vec3 } from '../../common/geometry.js';
import { shapesInSlice } from './measureShapes.js';
import { fitParallelScale, pixelsPerMm, type ViewCamera, type ViewFrame, type ViewportSize } from './orientation.js';
import { createOverlay, type Overlay } from './overlay.js';
import { createCompareSlice } from './compareLayer.js';
import type { MeasurementShape, ViewId } from './types.js';

const IJK_MODE = [SlicingMode.I, SlicingMode.J, SlicingMode.K] as const;

/**
 * Fixes for the label-outline fragment shader of vtk.js 37's OpenGL vtkImageMapper (its WebGPU twin already rounds):
 * - it truncates the normalised 8-bit label (`int(v * 255.0)`); on Mesa llvmpipe v/255*255 lands just below v, so
 *   label 1 became 0 (never drawn) and every other label read its neighbour's outline opacity;
 * - it samples the per-label tables at texel edges (`(label - 1) / 1024`), which can pick the texel below.
 * Applied through the mapper's documented view-specific ShaderReplacements (literal, first occurrence).
 */
const OUTLINE_SHADER_FIXES = [
  {
    shaderType: 'Fragment',
    originalValue: 'int segmentIndex = int(centerValue * 255.0);',
    replacementValue: 'int segmentIndex = int(centerValue * 255.0 + 0.5);',
    replaceFirst: false,
    replaceAll: false,
  },
  {
    shaderType: 'Fragment',
    originalValue: 'float textureCoordinate = float(segmentIndex - 1) / 1024.0;',
    replacementValue: 'float textureCoordinate = (float(segmentIndex - 1) + 0.5) / 1024.0;',
    replaceFirst: false,
    replaceAll: false,
  },
];

/** The shared pieces a view draws with (owned by the viewer). */
export interface SliceViewShared {
  /** Parent render window whose OpenGL view holds the one WebGL context. */
  parentRenderWindow: vtkRenderWindow;
  parentView: vtkOpenGLRenderWindow;
  imageProperty: vtkImageProperty;
  labelProperty: vtkImageProperty;
  previewProperty: vtkImageProperty;
  /** The compare layer's (compareLayer.ts). */
  compareProperty: vtkImageProperty;
}

export interface SliceView {
  readonly id: ViewId;
  /** The view's DOM cell (positioned by the viewer's layout; pointer events are attached to it). */
  readonly cell: HTMLDivElement;
  readonly overlay: Overlay;
  /** CSS size last applied to the render window. */
  readonly size: ViewportSize;
  /** Connects the series' image and label data and the frame (slicing axis) of this view. */
  setInputs(image: vtkImageData, labels: vtkImageData, frame: ViewFrame): void;
  /**
   * Connects (or with null disconnects) the preview data. Only a connected preview is in the renderer: while null it
   * is neither drawn nor uploaded, and the next render deletes its OpenGL node (and textures).
   */
  setPreviewInput(preview: vtkImageData | null, frame: ViewFrame | null): void;
  /** Connects (or with null disconnects) the compare layer's data (drawn only while connected). */
  setCompareInput(compare: vtkImageData | null, frame: ViewFrame | null): void;
  /** Disconnects all data (before the viewer deletes it). */
  clearInputs(): void;
  /** Integer slice index along the frame's slicing axis. */
  setSlice(index: number): void;
  setCamera(frame: ViewFrame, cam: ViewCamera, depthMm: number): void;
  setLabelsVisible(visible: boolean): void;
  /** Reads the cell's CSS size; resizes the render window (device pixels). Returns true when it changed. */
  syncSize(): boolean;
  /** Draws this view through the shared context and copies it into the view's own 2-D canvas. */
  render(): void;
  /** Rulers and angles to draw where they lie in the displayed slice (overlay only: no render). */
  setMeasurements(shapes: readonly MeasurementShape[]): void;
  /** The slice slider moved: `delta` slices in scrollSlice's sense (+1 = towards L / P / S). */
  onSliceInput(cb: (delta: number) => void): void;
  dispose(): void;
}

export function createSliceView(id: ViewId, shared: SliceViewShared): SliceView {
  const cell = document.createElement('div');
  cell.dataset['view'] = id;
  cell.style.cssText = 'position:relative;overflow:hidden;min-width:0;min-height:0;background:#000;touch-action:none;';
  const canvasHost = document.createElement('div');
  canvasHost.style.cssText = 'position:absolute;inset:0;';
  cell.appendChild(canvasHost);
  const overlay = createOverlay(cell, id);

  const renderer = vtkRenderer.newInstance(); // background defaults to black
  const camera = vtkCamera.newInstance();
  camera.setParallelProjection(true);
  renderer.setActiveCamera(camera);
  const renderWindow = vtkRenderWindow.newInstance();
  renderWindow.addRenderer(renderer);

  // Child of the parent render window: its OpenGL view draws with the parent's context and copies the result into
  // its own canvas (vtk.js "child render windows"). The parent view node owns the child view node.
  shared.parentRenderWindow.addRenderWindow(renderWindow);
  const glView = shared.parentView.addMissingNode(renderWindow) as vtkOpenGLRenderWindow;
  renderWindow.addView(glView);
  glView.setContainer(canvasHost);
  const canvas = glView.getCanvas();
  if (canvas) canvas.style.cssText = 'display:block;width:100%;height:100%;';

  const imageMapper = vtkImageMapper.newInstance();
  const labelMapper = vtkImageMapper.newInstance();
  // A fresh object: the mapper's default viewSpecificProperties is one object shared by every mapper.
  labelMapper.setViewSpecificProperties({ OpenGL: { ShaderReplacements: OUTLINE_SHADER_FIXES } });
  const previewMapper = vtkImageMapper.newInstance();
  const imageSlice = vtkImageSlice.newInstance();
  const labelSlice = vtkImageSlice.newInstance();
  const previewSlice = vtkImageSlice.newInstance();
  imageSlice.setMapper(imageMapper);
  imageSlice.setProperty(shared.imageProperty);
  labelSlice.setMapper(labelMapper);
  labelSlice.setProperty(shared.labelProperty);
  // The label slice blends over the image (its shader writes alpha); drawing it in the opaque pass after the image
  // keeps the order fixed and avoids the order-independent translucency framebuffers for a plain 2-D overlay.
  labelSlice.setForceOpaque(true);
  // Same for the preview, added after the label slice (props draw in the order they were added).
  previewSlice.setMapper(previewMapper);
  previewSlice.setProperty(shared.previewProperty);
  previewSlice.setForceOpaque(true);
  const compareSlice = createCompareSlice(renderer, shared.compareProperty, OUTLINE_SHADER_FIXES);

  const size: ViewportSize = { width: 0, height: 0 };
  let lastDpr = 0;
  let hasInputs = false;
  let hasPreview = false;
  let slice = 0;
  // What the overlay's readouts and measurements are drawn from (set by setInputs / setCamera).
  let frameNow: ViewFrame | null = null;
  let camNow: ViewCamera | null = null;
  let grid: { size: Vec3; spacing: Vec3 } | null = null;
  let shapes: readonly MeasurementShape[] = [];
  let sliceInput: ((delta: number) => void) | null = null;
  overlay.onSliceInput((index) => {
    if (!frameNow || index === slice) return;
    sliceInput?.((index - slice) * frameNow.sliceStep);
  });
  const drawMeasurements = (): void => {
    if (!frameNow || !camNow || !grid || size.width === 0 || size.height === 0) {
      overlay.setMeasurements([]);
      return;
    }
    overlay.setMeasurements(shapesInSlice(shapes, frameNow, camNow, size, grid.spacing[frameNow.sliceAxis] / 2));
  };
  /** Scale bar, window/level and zoom readouts for the current camera. */
  const drawReadouts = (): void => {
    if (!frameNow || !camNow || !grid || size.width === 0 || size.height === 0) {
      overlay.setReadout(null);
      overlay.setScale(null);
      return;
    }
    const fit = fitParallelScale({ size: grid.size, spacing: grid.spacing, origin: [0, 0, 0], direction: IDENTITY_DIRECTION }, frameNow, size);
    overlay.setScale(pixelsPerMm(camNow, size));
    overlay.setReadout({ window: shared.imageProperty.getColorWindow(), level: shared.imageProperty.getColorLevel(), zoom: fit / camNow.parallelScale });
  };
  // vtkImageMapper's setInputData is typed for image data only; detaching the input is a null connection.
  const detachInput = (mapper: vtkImageMapper): void =>
    (mapper as unknown as { setInputData(d: null): void }).setInputData(null);
  const setPreviewInput = (preview: vtkImageData | null, frame: ViewFrame | null): void => {
    if (preview && frame) {
      previewMapper.setInputData(preview);
      previewMapper.setSlicingMode(IJK_MODE[frame.sliceAxis]);
      previewMapper.setSlice(slice);
      if (!hasPreview) renderer.addViewProp(previewSlice);
      hasPreview = true;
      return;
    }
    if (!hasPreview) return;
    renderer.removeViewProp(previewSlice);
    detachInput(previewMapper);
    hasPreview = false;
  };

  return {
    id,
    cell,
    overlay,
    size,
    setInputs(image, labels, frame) {
      frameNow = frame;
      overlay.setSliceStep(frame.sliceStep);
      const [nx, ny, nz] = image.getDimensions();
      const [sx, sy, sz] = image.getSpacing();
      grid = { size: [nx, ny, nz], spacing: [sx, sy, sz] };
      const mode = IJK_MODE[frame.sliceAxis];
      for (const [mapper, data] of [
        [imageMapper, image],
        [labelMapper, labels],
      ] as const) {
        mapper.setInputData(data);
        mapper.setSlicingMode(mode);
      }
      if (!hasInputs) {
        renderer.addViewProp(imageSlice);
        renderer.addViewProp(labelSlice);
        hasInputs = true;
      }
    },
    setPreviewInput,
    setCompareInput: (data, frame) => compareSlice.connect(data, frame, slice),
    clearInputs() {
      frameNow = null;
      camNow = null;
      grid = null;
      drawMeasurements();
      drawReadouts();
      setPreviewInput(null, null);
      compareSlice.connect(null, null, slice);
      if (!hasInputs) return;
      renderer.removeViewProp(imageSlice);
      renderer.removeViewProp(labelSlice);
      detachInput(imageMapper);
      detachInput(labelMapper);
      hasInputs = false;
    },
    setSlice(index) {
      slice = index;
      imageMapper.setSlice(index);
      labelMapper.setSlice(index);
      if (hasPreview) previewMapper.setSlice(index);
      compareSlice.setSlice(index);
    },
    setCamera(frame, cam, depthMm) {
      const f = cam.focal;
      const position: Vec3 = [f[0] - frame.dop[0] * depthMm, f[1] - frame.dop[1] * depthMm, f[2] - frame.dop[2] * depthMm];
      camera.setFocalPoint(f[0], f[1], f[2]);
      camera.setPosition(position[0], position[1], position[2]);
      camera.setViewUp(frame.up[0], frame.up[1], frame.up[2]);
      camera.setParallelScale(cam.parallelScale);
      // The slice plane sits at depthMm from the camera; keep it well inside the clipping range.
      camera.setClippingRange(Math.max(0.01, depthMm / 4), depthMm * 4);
      frameNow = frame;
      camNow = { focal: [...cam.focal], parallelScale: cam.parallelScale };
      drawReadouts();
      drawMeasurements();
    },
    setMeasurements(next) {
      shapes = next;
      drawMeasurements();
    },
    onSliceInput(cb) {
      sliceInput = cb;
    },
    setLabelsVisible(visible) {
      labelSlice.setVisibility(visible);
    },
    syncSize() {
      const width = cell.clientWidth;
      const height = cell.clientHeight;
      const dpr = globalThis.devicePixelRatio || 1;
      if (width === size.width && height === size.height && dpr === lastDpr) return false;
      size.width = width;
      size.height = height;
      lastDpr = dpr;
      // Never 0: framebuffers of a zero-sized window are not populated (a hidden view keeps a 1×1 window).
      glView.setSize(Math.max(1, Math.round(width * dpr)), Math.max(1, Math.round(height * dpr)));
      return true;
    },
    render() {
      renderWindow.render();
    },
    dispose() {
      compareSlice.dispose();
      renderer.removeAllViewProps();
      imageSlice.delete();
      labelSlice.delete();
      previewSlice.delete();
      imageMapper.delete();
      labelMapper.delete();
      previewMapper.delete();
      shared.parentRenderWindow.removeRenderWindow(renderWindow);
      renderWindow.removeView(glView);
      // removeNode deletes the child OpenGL view (which removes its canvas from the DOM).
      shared.parentView.removeNode(glView);
      renderWindow.removeRenderer(renderer);
      renderer.delete();
      camera.delete();
      renderWindow.delete();
      overlay.dispose();
      cell.remove();
    },
  };
}
