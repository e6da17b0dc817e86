// Whether the grading layout is shown, and the link of its open views: its own tiny store, so the header button,
// the command registry's actions (G, ← / →, Home) and the grading dock's level choice reach the layout without a
// field in the app store.
import type { GradingLevel } from '../../../common/contract.js';
import { createStore, useStore } from '../../state/store.js';
import type { ViewLink } from './linkViews.js';

const store = createStore({ open: false });
let link: ViewLink | null = null;
/** The last level chosen in the dock while the layout was open (re-applied when the views are rebuilt). */
let lastLevel: GradingLevel | null = null;

export const useGradingLayoutOpen = (): boolean => useStore(store, (s) => s.open);
export const isGradingLayoutOpen = (): boolean => store.get().open;
export function toggleGradingLayout(): void {
  store.set((s) => ({ open: !s.open }));
  lastLevel = null;
}
export const closeGradingLayout = (): void => store.set({ open: false });

let linkPatient: number | null = null;

/** The layout's views register their link while shown (null when they go); a level of the same patient is kept. */
export function setActiveLink(next: ViewLink | null, patientId: number | null = null): void {
  link = next;
  if (!next) return;
  if (patientId !== linkPatient) lastLevel = null;
  linkPatient = patientId;
  if (lastLevel) next.goToLevel(lastLevel);
}

/**
 * A level chosen in the grading dock, or clicked in the view `keep` (which stays put): every other view of the
 * layout centres on its own disc (no-op while closed).
 */
export function gradingLayoutLevel(level: GradingLevel, keep?: string): void {
  if (!store.get().open) return;
  lastLevel = level;
  link?.goToLevel(level, keep);
}

/** Actions of the registry's grading-layout commands (App.tsx spreads them into its action table). */
export const gradingLayoutActions = {
  'grading-layout': toggleGradingLayout,
  'grading-mid-previous': () => link?.step(-1),
  'grading-mid-next': () => link?.step(1),
  'grading-mid': () => link?.toMid(),
} as const;

/**
 * "mid", "mid −1", "mid +2": a view's slice relative to its mid-sagittal slice; with the distance between its
 * slices, also in millimetres: "mid +1 (3.3 mm)" (a T2 SPACE slice is thinner than a T1 one).
 */
export function offsetText(offset: number, sliceMm?: number): string {
  if (offset === 0) return 'mid';
  const slices = `mid ${offset > 0 ? '+' : '−'}${Math.abs(offset)}`;
  return sliceMm === undefined ? slices : `${slices} (${(Math.abs(offset) * sliceMm).toFixed(1)} mm)`;
}
