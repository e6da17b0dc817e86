// The vtk.js side of the 3-D view's surfaces: a mesh (or a run of its triangles) as an actor, handing received meshes
// over to vtk.js under a per-frame triangle budget, the crosshair marker, mesh bounds and equality, and the pick ray
// through a display pixel.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
import vtkSphereSource from '@kitware/vtk.js/Filters/Sources/SphereSource.js';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor.js';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper.js';
import type vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer.js';
import type { Vec3 } from '../../../common/geometry.js';
import { labelColor } from '../labelAppearance.js';
import { vtkPolys, type Mesh } from '../surfaces/index.js';
import { nextPartSize } from './budget.js';

/** One vtk.js actor drawing a run of a label's triangles (all parts share the mesh's point and normal arrays). */
export interface Part {
  polyData: vtkPolyData;
  mapper: vtkMapper;
  actor: vtkActor;
}

/** A label's surface on screen. */
export interface LabelActor {
  label: number;
  mesh: Mesh;
  parts: Part[];
}

/** A received mesh being handed to vtk.js part by part; the label's old parts stay until the last one is in. */
export interface Upload {
  mesh: Mesh;
  parts: Part[];
  /** Triangles handed over so far (the parts cover triangles [0, done)). */
  done: number;
}

/** Axis-aligned bounds [xmin, xmax, ymin, ymax, zmin, zmax] of meshes' points, or null when there are none. */
export function meshBounds(meshes: Iterable<Mesh>): [number, number, number, number, number, number] | null {
  const b: [number, number, number, number, number, number] = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (const m of meshes) {
    const p = m.points;
    for (let i = 0; i < p.length; i += 3) {
      for (let a = 0; a < 3; a++) {
        const v = p[i + a]!;
        if (v < b[2 * a]!) b[2 * a] = v;
        if (v > b[2 * a + 1]!) b[2 * a + 1] = v;
      }
    }
  }
  return b[0] <= b[1] ? b : null;
}

/** True when two meshes of a label are the same surface (a full rebuild re-sends unchanged labels). */
export function sameMesh(a: Mesh, b: Mesh): boolean {
  if (a.points.length !== b.points.length || a.triangles.length !== b.triangles.length) return false;
  const pa = new Uint32Array(a.points.buffer, a.points.byteOffset, a.points.length);
  const pb = new Uint32Array(b.points.buffer, b.points.byteOffset, b.points.length);
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return false;
  const ta = a.triangles;
  const tb = b.triangles;
  for (let i = 0; i < ta.length; i++) if (ta[i] !== tb[i]) return false;
  return true;
}

/** A part drawing triangles [first, last) of a label's mesh, added to the renderer. */
export function createPart(renderer: vtkRenderer, mesh: Mesh, first: number, last: number, visible: boolean): Part {
  const polyData = vtkPolyData.newInstance();
  polyData.getPoints().setData(mesh.points, 3);
  polyData.getPolys().setData(vtkPolys(mesh.triangles.subarray(first * 3, last * 3)));
  polyData.getPointData().setNormals(vtkDataArray.newInstance({ name: 'Normals', numberOfComponents: 3, values: mesh.normals }));
  const mapper = vtkMapper.newInstance({ scalarVisibility: false });
  mapper.setInputData(polyData);
  const actor = vtkActor.newInstance();
  actor.setMapper(mapper);
  const [r, g, b] = labelColor(mesh.label);
  const p = actor.getProperty();
  p.setColor(r / 255, g / 255, b / 255);
  p.setDiffuse(0.85);
  p.setAmbient(0.15);
  p.setSpecular(0.25);
  p.setSpecularPower(20);
  actor.setVisibility(visible);
  renderer.addActor(actor);
  return { polyData, mapper, actor };
}

/** What handOver works on: the view's renderer, its labels on screen and the meshes still being handed over. */
export interface HandOver {
  renderer: vtkRenderer;
  actors: Map<number, LabelActor>;
  pending: Map<number, Upload>;
  isShown(label: number): boolean;
}

/**
 * Hands received meshes to vtk.js, oldest first, up to `budget` shown triangles (nextUploadBudget: vtk.js builds a
 * part's buffers at its first render, on this thread, so the triangles handed over decide the next frame's length;
 * a hidden label's parts cost nothing until shown and are not counted). A label's old surface stays until the last
 * part of the new one is in. Returns the shown triangles handed over.
 */
export function handOver(h: HandOver, budget: number): number {
  let triangles = 0;
  for (const [label, up] of h.pending) {
    const total = up.mesh.triangles.length / 3;
    // A full rebuild (a reload) answers every label: the unchanged ones keep their buffers.
    const current = h.actors.get(label)?.mesh;
    if (up.parts.length === 0 && current && sameMesh(current, up.mesh)) {
      h.pending.delete(label);
      continue;
    }
    const shown = h.isShown(label);
    while (up.done < total) {
      const n = shown ? nextPartSize(total - up.done, budget - triangles, triangles === 0) : total - up.done;
      if (n === 0) break;
      up.parts.push(createPart(h.renderer, up.mesh, up.done, up.done + n, shown));
      up.done += n;
      if (shown) triangles += n;
    }
    if (up.done < total) break; // this frame's budget is spent
    const old = h.actors.get(label);
    if (old) removeParts(h.renderer, old.parts);
    h.actors.set(label, { label, mesh: up.mesh, parts: up.parts });
    h.pending.delete(label);
  }
  h.renderer.resetCameraClippingRange();
  return triangles;
}

/** Removes parts from the renderer and frees them. */
export function removeParts(renderer: vtkRenderer, parts: Part[]): void {
  for (const p of parts) {
    renderer.removeActor(p.actor);
    p.actor.delete();
    p.mapper.delete();
    p.polyData.delete();
  }
}

/** The crosshair marker: a small white sphere, not pickable, hidden until the first crosshair. */
export function createMarker(renderer: vtkRenderer): { source: vtkSphereSource; mapper: vtkMapper; actor: vtkActor } {
  const source = vtkSphereSource.newInstance({ radius: 1.5, thetaResolution: 16, phiResolution: 12 });
  const mapper = vtkMapper.newInstance();
  mapper.setInputConnection(source.getOutputPort());
  const actor = vtkActor.newInstance();
  actor.setMapper(mapper);
  actor.getProperty().setColor(1, 1, 1);
  actor.setPickable(false);
  actor.setVisibility(false);
  renderer.addActor(actor);
  return { source, mapper, actor };
}

/** The ray through CSS pixel (x, y) from the top-left of a view of `size`: world origin (near plane) and direction. */
export function rayThrough(renderer: vtkRenderer, size: { width: number; height: number }, x: number, y: number): { origin: Vec3; dir: Vec3 } {
  const aspect = size.width / size.height;
  const u = x / size.width;
  const v = 1 - y / size.height;
  const near = renderer.normalizedDisplayToWorld(u, v, 0, aspect);
  const far = renderer.normalizedDisplayToWorld(u, v, 1, aspect);
  const dir: Vec3 = [far[0]! - near[0]!, far[1]! - near[1]!, far[2]! - near[2]!];
  return { origin: [near[0]!, near[1]!, near[2]!], dir };
}
