// PLACEHOLDER until its owner lands it (issue 16).
import type { Service } from '../../../common/contract.js';
import { AppError } from '../../../common/errors.js';
import type { ReaderDeps } from './deps.js';

type M = 'listReaders' | 'importAnnotations' | 'exportAnnotations';
export function createPackageMethods(_deps: ReaderDeps): Pick<Service, M> {
  const todo = async (): Promise<never> => { throw new AppError('internal', 'not built yet'); };
  return { listReaders: todo, importAnnotations: todo, exportAnnotations: todo };
}
