// Several readers (issue 16): the contract methods of common/contractReaders.ts, one module per area.
//   packageService.ts      listReaders, importAnnotations, exportAnnotations (package.ts: the file format)
//   agreementService.ts    agreement, seriesAgreement, readerLabels (agreement.ts: the figures, pure)
//   adjudicationService.ts adjudicate, adjudicationProgress, and the checks of commitEdit's `adjudication`
import type { Service } from '../../../common/contract.js';
import type { ReaderMethod } from './types.js';
import type { ReaderDeps } from './deps.js';
import { createPackageMethods } from './packageService.js';
import { createAgreementMethods } from './agreementService.js';
import { createAdjudicationMethods } from './adjudicationService.js';

export type { ReaderDeps } from './deps.js';
export { commitLabelEdit } from './adjudicate.js';
export { getAgreementReport } from './agreementService.js';

export function createReaderMethods(deps: ReaderDeps): Pick<Service, ReaderMethod> {
  return { ...createPackageMethods(deps), ...createAgreementMethods(deps), ...createAdjudicationMethods(deps) };
}
