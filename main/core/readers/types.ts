// Shared types of main/core/readers.
import type { ReaderResponses } from '../../../common/contractReaders.js';

export type ReaderMethod = keyof ReaderResponses;
