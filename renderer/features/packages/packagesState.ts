// Which annotation-package dialog is open (File ▸ Import annotations… / Export annotations…, issue 16 item 1), and
// a counter of imports that changed the store's readers, so the Agreement page, the export dialog's source list
// and the Compare panel reload their reader list after an import. A tiny store of its own, like the dashboard's.
import { createStore, useStore } from '../../state/store.js';

export type PackagesDialog = 'import' | 'export' | null;

const store = createStore<{ dialog: PackagesDialog; readersVersion: number }>({ dialog: null, readersVersion: 0 });

export const openImportAnnotations = (): void => store.set({ dialog: 'import' });
export const openExportAnnotations = (): void => store.set({ dialog: 'export' });
export const closePackagesDialog = (): void => store.set({ dialog: null });
export const usePackagesDialog = (): PackagesDialog => useStore(store, (s) => s.dialog);

/** Called after an import wrote a reader layer (new or replaced). */
export const readersChanged = (): void => store.set((s) => ({ readersVersion: s.readersVersion + 1 }));
/** Changes whenever an import changed the store's readers: a dependency for reloading listReaders. */
export const useReadersVersion = (): number => useStore(store, (s) => s.readersVersion);
