// The Compare panel's key command (renderer/commands.ts 'compare-outline', Shift+O): App.tsx's action emits here and
// the open panel (useCompare) flips B's outline, opening itself first when it was collapsed.
import { createChannel } from '../../state/store.js';

export const compareOutlineToggles = createChannel<void>();

/** The 'compare-outline' command's action. */
export const toggleCompareOutline = (): void => compareOutlineToggles.emit(undefined);
