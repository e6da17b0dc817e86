// Whether the dataset dashboard is open (issue 14 item 5), shared by the header button, the command registry's
// action and the dialog.
import { createOpenFlag } from '../../state/openFlag.js';

const flag = createOpenFlag();

export const openDashboard = flag.open;
export const closeDashboard = flag.close;
export const isDashboardOpen = flag.isOpen;
export const useDashboardOpen = flag.useOpen;
