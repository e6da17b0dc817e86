// Whether the dataset dashboard is open (issue 14 item 5): its own tiny store, so the header button, the command
// registry's action and the dialog agree without a field in the app store.
import { createStore, useStore } from '../../state/store.js';

const store = createStore({ open: false });

export const openDashboard = (): void => store.set({ open: true });
export const closeDashboard = (): void => store.set({ open: false });
export const isDashboardOpen = (): boolean => store.get().open;
export const useDashboardOpen = (): boolean => useStore(store, (s) => s.open);
