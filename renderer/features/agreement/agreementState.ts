// Whether the Agreement page is open (issue 16 item 2): its own tiny store, so the header button, the command
// registry's action (View ▸ Agreement between readers…) and the page agree without a field in the app store.
import { createStore, useStore } from '../../state/store.js';

const store = createStore({ open: false });

export const openAgreement = (): void => store.set({ open: true });
export const closeAgreement = (): void => store.set({ open: false });
export const useAgreementOpen = (): boolean => useStore(store, (s) => s.open);
