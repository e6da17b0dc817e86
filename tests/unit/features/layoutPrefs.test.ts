// Layout memory per annotator (renderer/features/viewer/layoutPrefs.ts) against an in-memory Storage: what is read
// back, what a bad stored value falls back to, and that one annotator's choice never reaches another.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PREFS, panelStore, parsePrefs, prefsKey, rememberLayout, toggleLeftPanel } from '../../../renderer/features/viewer/layoutPrefs.js';
import { appStore, setLayout } from '../../../renderer/state/appStore.js';

function memoryStorage(): Storage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, String(v)),
  };
}

let stop: () => void = () => undefined;
afterEach(() => stop());

describe('layout prefs', () => {
  it('reads what it stored and falls back per field on anything else', () => {
    expect(parsePrefs(null)).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('not json')).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('{"kind":"2x2","large":"axial","leftCollapsed":true,"rightCollapsed":false}')).toEqual({
      kind: '2x2', large: 'axial', leftCollapsed: true, rightCollapsed: false,
    });
    expect(parsePrefs('{"kind":"three","large":"oblique","leftCollapsed":"yes"}')).toEqual(DEFAULT_PREFS);
    expect(DEFAULT_PREFS).toMatchObject({ kind: '1+2', large: 'sagittal' });
  });

  it("restores an annotator's layout and panels, stores their changes, and keeps annotators apart", () => {
    const storage = memoryStorage();
    stop = rememberLayout('Ann', storage);
    expect(appStore.get().layout).toEqual({ kind: '1+2', large: 'sagittal', maximised: null });
    setLayout({ kind: '2x2', large: 'coronal', maximised: 'axial' });
    toggleLeftPanel();
    // A maximised view is not part of what is remembered.
    expect(JSON.parse(storage.getItem(prefsKey('Ann'))!)).toEqual({ kind: '2x2', large: 'coronal', leftCollapsed: true, rightCollapsed: false });
    stop();

    stop = rememberLayout('Bob', storage);
    expect(appStore.get().layout).toEqual({ kind: '1+2', large: 'sagittal', maximised: null });
    expect(panelStore.get()).toEqual({ leftCollapsed: false, rightCollapsed: false });
    setLayout((l) => ({ ...l, kind: '1x3' }));
    stop();

    stop = rememberLayout('Ann', storage);
    expect(appStore.get().layout).toEqual({ kind: '2x2', large: 'coronal', maximised: null });
    expect(panelStore.get()).toEqual({ leftCollapsed: true, rightCollapsed: false });
    expect(JSON.parse(storage.getItem(prefsKey('Bob'))!)).toMatchObject({ kind: '1x3' });
    stop();
    // After stop nothing more is written.
    setLayout((l) => ({ ...l, kind: '1x3' }));
    expect(JSON.parse(storage.getItem(prefsKey('Ann'))!)).toMatchObject({ kind: '2x2' });
  });

  it('remembers nothing without an annotator', () => {
    const storage = memoryStorage();
    stop = rememberLayout(null, storage);
    setLayout((l) => ({ ...l, kind: '2x2' }));
    expect(storage.data.size).toBe(0);
  });
});
