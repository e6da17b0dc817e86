// Whether the Agreement page is open (issue 16 item 2), shared by the header button, View ▸ Agreement between
// readers… and the page.
import { createOpenFlag } from '../../state/openFlag.js';

const flag = createOpenFlag();

export const openAgreement = flag.open;
export const closeAgreement = flag.close;
export const useAgreementOpen = flag.useOpen;
