// A one-entry prefetch of the series "Next" will open: its openSeries answer (which also loads it into main's series
// cache) and both volumes' raw bytes, fetched at low priority while the annotator works on the open series.
// loadSeries takes the entry when that series is opened and checks it is still current (the label revision). Starting
// another prefetch, or opening any other series, aborts the one in flight: the bandwidth goes to what was asked for.
import type { OpenSeriesResponse } from '../../common/contract.js';
import { call } from '../platform/api.js';

export interface Prefetched {
  seriesId: string;
  /** openSeries as answered before the volumes were fetched: the mask bytes are at this revision or later. */
  info: OpenSeriesResponse;
  image: ArrayBuffer;
  mask: ArrayBuffer;
}

interface Slot {
  seriesId: string;
  controller: AbortController;
  promise: Promise<Prefetched | null>;
  ready: boolean;
}

let slot: Slot | null = null;
const listeners = new Set<() => void>();
const changed = (): void => listeners.forEach((fn) => fn());

/** Calls `fn` whenever the entry changes or its bytes arrive; returns the unsubscribe function. */
export function onPrefetchChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Volume bytes for the prefetch: like platform/api fetchVolume, but abortable, low priority and silent on failure. */
async function fetchBytes(seriesId: string, kind: 'image' | 'mask', signal: AbortSignal): Promise<ArrayBuffer> {
  const url = window.spine ? window.spine.volumeUrl(seriesId, kind) : `/volume/${encodeURIComponent(seriesId)}/${kind}`;
  const res = await fetch(url, { credentials: 'same-origin', signal, priority: 'low' });
  if (!res.ok) throw new Error(`HTTP ${res.status} prefetching the ${kind} of ${seriesId}`);
  return res.arrayBuffer();
}

/**
 * Starts prefetching `seriesId` (a no-op when it is already the entry). Failures are dropped: the open that
 * follows fetches as usual and reports any error itself.
 */
export function prefetchSeries(seriesId: string): void {
  if (slot?.seriesId === seriesId) return;
  cancelPrefetch();
  const controller = new AbortController();
  const s: Slot = { seriesId, controller, ready: false, promise: Promise.resolve(null) };
  s.promise = (async (): Promise<Prefetched | null> => {
    const info = await call('openSeries', { seriesId });
    if (controller.signal.aborted) return null;
    const [image, mask] = await Promise.all([fetchBytes(seriesId, 'image', controller.signal), fetchBytes(seriesId, 'mask', controller.signal)]);
    if (image.byteLength !== info.image.byteLength || mask.byteLength !== info.mask.byteLength) return null;
    s.ready = true;
    if (slot === s) changed();
    return { seriesId, info, image, mask };
  })().catch(() => null);
  slot = s;
  changed();
}

/** Aborts the prefetch in flight and drops the entry. */
export function cancelPrefetch(): void {
  if (!slot) return;
  slot.controller.abort();
  slot = null;
  changed();
}

/**
 * The prefetched series `seriesId` (waiting for it when still in flight: the bytes are already on their way), or
 * null. The entry is handed over once; any other entry is aborted, since the annotator opens something else.
 */
export async function takePrefetched(seriesId: string): Promise<Prefetched | null> {
  const s = slot;
  if (s?.seriesId !== seriesId) {
    cancelPrefetch();
    return null;
  }
  slot = null;
  changed();
  return s.promise;
}

/** Which series is prefetched and whether its bytes are in (tests and the bench read it). */
export function prefetchState(): { seriesId: string; ready: boolean } | null {
  return slot && { seriesId: slot.seriesId, ready: slot.ready };
}
