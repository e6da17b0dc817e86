// A page or dialog's "is it open" flag as its own tiny store, so a header button, the command registry's action and
// the page itself agree without a field in the app store (the dataset dashboard, the Agreement page).
import { createStore, useStore } from './store.js';

export interface OpenFlag {
  readonly open: () => void;
  readonly close: () => void;
  readonly isOpen: () => boolean;
  /** React hook: re-renders when the flag changes. */
  readonly useOpen: () => boolean;
}

export function createOpenFlag(): OpenFlag {
  const store = createStore({ open: false });
  return {
    open: () => store.set({ open: true }),
    close: () => store.set({ open: false }),
    isOpen: () => store.get().open,
    useOpen: () => useStore(store, (s) => s.open),
  };
}
