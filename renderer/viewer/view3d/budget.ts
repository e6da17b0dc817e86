// How many triangles the 3-D view hands to vtk.js per frame. vtk.js builds a new part's vertex buffers on the main
// thread at its first render (it expands every triangle), and the same frame redraws everything already uploaded, so
// a frame's main-thread slice is about `redraw + cost × triangles handed over`. Both terms change with the scene and
// with the machine's load (Chromium with software GL here: 1–4 k triangles per ms handed over, a redraw of 0.5 M
// triangles 8 ms idle and several times that under load), so the budget follows measured frames (UploadBudget):
// the hand-over cost per triangle from frames that handed something over, the redraw from frames that did not.
// Pure: no vtk.js, no DOM.

/**
 * The surfaces shown are display meshes: the worker clusters each mesh's vertices on cells of twice the finest voxel
 * spacing (surfaces/decimate.ts). On the realistic t2_SPACE sample that leaves 136 k of 398 k triangles (2.9× fewer
 * to hand over and to draw every frame) and changes each label's enclosed volume by less than 0.3 %.
 */
export const DISPLAY_CLUSTER_FACTOR = 2;
/** The main-thread slice a frame of hand-over aims at (the UI goal is 50 ms per frame; the rest is headroom). */
export const SLICE_TARGET_MS = 30;
/**
 * Triangles per part (one vtk.js actor each). Every part costs a draw call in every later frame, so parts are not
 * made smaller than this: a frame hands over at least one part.
 */
export const PART_TRIANGLES = 12_000;
/** Triangles per frame before anything was measured. */
export const UPLOAD_START = 24_000;
/**
 * At most this many triangles per frame: a few cheap frames must not talk the budget into one big hand-over (frame
 * times on a loaded machine jump several-fold from one frame to the next).
 */
export const UPLOAD_MAX = 48_000;

export class UploadBudget {
  /** Milliseconds per triangle handed over (hand-over + first render, redraw taken out); null until measured. */
  private perTriangle: number | null = null;
  /** Milliseconds of a frame that handed nothing over (a redraw); 0 until measured. */
  private redrawMs = 0;
  /** Triangles the next frame may hand over (at least one part). */
  triangles = UPLOAD_START;

  /**
   * A frame was drawn: `handedOver` triangles (0: a plain redraw) in a main-thread slice of `sliceMs` (hand-over +
   * render). Updates the estimates and the next frame's budget.
   */
  frame(handedOver: number, sliceMs: number): void {
    if (!Number.isFinite(sliceMs) || sliceMs < 0) return;
    if (handedOver <= 0) {
      this.redrawMs = sliceMs;
    } else {
      // At least a third of the slice is put on the hand-over (the redraw estimate may be old and too high).
      const cost = Math.max(sliceMs - this.redrawMs, sliceMs / 3) / handedOver;
      this.perTriangle = this.perTriangle === null ? cost : 0.5 * this.perTriangle + 0.5 * cost;
      // Overshooting frames are believed at once (the next frame must be shorter); cheaper ones only half.
      if (cost > this.perTriangle) this.perTriangle = cost;
    }
    if (this.perTriangle === null) return;
    const room = SLICE_TARGET_MS - this.redrawMs;
    const next = room > 0 ? room / this.perTriangle : 0;
    // Grows at most 1.5× per frame.
    this.triangles = Math.round(Math.min(UPLOAD_MAX, this.triangles * 1.5, Math.max(PART_TRIANGLES, next)));
  }
}

/**
 * Triangles of the next part of a mesh being handed over: PART_TRIANGLES, or the rest of the mesh when that is less
 * than 1.5 parts (no sliver part); 0 when this frame's budget (`left` triangles) is spent. A frame's first part is
 * always handed over (`left` = the whole budget), so every frame makes progress.
 */
export function nextPartSize(remaining: number, left: number, firstOfFrame: boolean): number {
  if (remaining <= 0 || (left <= 0 && !firstOfFrame)) return 0;
  const n = remaining < PART_TRIANGLES * 1.5 ? remaining : PART_TRIANGLES;
  return firstOfFrame || n <= left ? n : 0;
}
