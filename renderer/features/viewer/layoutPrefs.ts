// The window's arrangement, remembered per annotator: the viewer layout (kind and large view; the app store's
// `layout`) and which side panels are collapsed (the panel store here). Kept in localStorage under
// `spine-ws.layout.<annotator>` and restored when that annotator is known (start, or a change of annotator).
// A maximised view is not remembered: it is a moment's close look, not a way of working.
import { appStore, setLayout } from '../../state/appStore.js';
import { createStore, useStore } from '../../state/store.js';
import { LAYOUT_KINDS, VIEW_IDS, type Layout, type LayoutKind, type ViewId } from '../../viewer/index.js';

/** SPIDER series are sagittal stacks: the sagittal view gets the room by default. */
export const SPIDER_LAYOUT: Layout = { kind: '1+2', large: 'sagittal', maximised: null };

export interface Panels {
  leftCollapsed: boolean;
  rightCollapsed: boolean;
}

const OPEN_PANELS: Panels = { leftCollapsed: false, rightCollapsed: false };

export const panelStore = createStore<Panels>(OPEN_PANELS);

export function usePanels(): Panels {
  return useStore(panelStore, (s) => s);
}

export const toggleLeftPanel = (): void => panelStore.set((s) => ({ leftCollapsed: !s.leftCollapsed }));
export const toggleRightPanel = (): void => panelStore.set((s) => ({ rightCollapsed: !s.rightCollapsed }));

/** What is stored per annotator. */
export interface LayoutPrefs extends Panels {
  kind: LayoutKind;
  large: ViewId;
}

export const DEFAULT_PREFS: LayoutPrefs = { kind: SPIDER_LAYOUT.kind, large: SPIDER_LAYOUT.large, ...OPEN_PANELS };

export function prefsKey(annotator: string): string {
  return `spine-ws.layout.${encodeURIComponent(annotator)}`;
}

/** Stored text → prefs; anything missing, unknown or unreadable takes its default. */
export function parsePrefs(raw: string | null): LayoutPrefs {
  let v: unknown = null;
  try {
    v = raw === null ? null : JSON.parse(raw);
  } catch {
    v = null;
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const pick = <T>(x: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(x as T) ? (x as T) : fallback);
  return {
    kind: pick(o['kind'], LAYOUT_KINDS, DEFAULT_PREFS.kind),
    large: pick(o['large'], VIEW_IDS, DEFAULT_PREFS.large),
    leftCollapsed: pick(o['leftCollapsed'], [true, false], false),
    rightCollapsed: pick(o['rightCollapsed'], [true, false], false),
  };
}

type PrefsStorage = Pick<Storage, 'getItem' | 'setItem'>;

function browserStorage(): PrefsStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage switched off: the layout still works, it is just not remembered
  }
}

/**
 * Restores `annotator`'s layout and panels (defaults when none are stored), then stores every change of them until
 * the returned function is called. Nothing is restored or stored without an annotator.
 */
export function rememberLayout(annotator: string | null, storage: PrefsStorage | null = browserStorage()): () => void {
  if (annotator === null || storage === null) return () => undefined;
  const key = prefsKey(annotator);
  let stored: string | null = null;
  try {
    stored = storage.getItem(key);
  } catch {
    stored = null;
  }
  const prefs = parsePrefs(stored);
  setLayout({ kind: prefs.kind, large: prefs.large, maximised: null });
  panelStore.set({ leftCollapsed: prefs.leftCollapsed, rightCollapsed: prefs.rightCollapsed });

  let last = '';
  const save = (): void => {
    const { kind, large } = appStore.get().layout;
    const { leftCollapsed, rightCollapsed } = panelStore.get();
    const text = JSON.stringify({ kind, large, leftCollapsed, rightCollapsed });
    if (text === last) return;
    last = text;
    try {
      storage.setItem(key, text);
    } catch {
      // quota or storage switched off: not remembered, nothing else breaks
    }
  };
  save();
  const offApp = appStore.subscribe(save);
  const offPanels = panelStore.subscribe(save);
  return () => {
    offApp();
    offPanels();
  };
}
