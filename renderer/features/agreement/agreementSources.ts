// The sources the Agreement page compares (common/contractReaders.ts SourceRef): this store ('local', shown as
// "You"), the original dataset, and each imported reader; how they are named on screen, which pair is chosen by
// default, and the choice remembered per dataset (localStorage). Pure apart from the storage access.
import type { GradeBasis, ReaderInfo, SourceRef } from '../../../common/contractReaders.js';
import { GRADE_BASES } from '../../../common/contractReaders.js';
import { compareOptions as sourceOptions, defaultChoice as defaultPair } from '../compare/compareSources.js';

export interface AgreementChoice {
  a: SourceRef;
  b: SourceRef;
  basis: GradeBasis;
}

// The source list, names and default pair are the Compare panel's, so both name and pick sources alike.
export { compareOptions as sourceOptions, sourceName } from '../compare/compareSources.js';

/** The default pair (the Compare panel's: the first two readers; else you vs the one reader; else you vs the
 *  original dataset), current grades. */
export function defaultChoice(readers: readonly ReaderInfo[]): AgreementChoice {
  return { ...defaultPair(readers), basis: 'current' };
}

const key = (dataset: string): string => `spine.agreement.${dataset}`;

/** The remembered choice if its sources still exist in this store, else the default. */
export function loadChoice(dataset: string, readers: readonly ReaderInfo[]): AgreementChoice {
  const fallback = defaultChoice(readers);
  try {
    const raw = window.localStorage.getItem(key(dataset));
    if (!raw) return fallback;
    const v = JSON.parse(raw) as Partial<AgreementChoice>;
    const options = sourceOptions(readers);
    const ok = (s: unknown): s is SourceRef => typeof s === 'string' && (options as string[]).includes(s);
    if (!ok(v.a) || !ok(v.b) || v.a === v.b) return fallback;
    const basis = (GRADE_BASES as readonly string[]).includes(v.basis ?? '') ? (v.basis as GradeBasis) : 'current';
    return { a: v.a, b: v.b, basis };
  } catch {
    return fallback; // storage unavailable or unreadable: the default pair
  }
}

export function saveChoice(dataset: string, c: AgreementChoice): void {
  try {
    window.localStorage.setItem(key(dataset), JSON.stringify(c));
  } catch {
    // storage full or disabled: the choice is simply not remembered
  }
}

/** Landis & Koch's words for a κ, as reviewers read them. */
export function kappaWords(k: number | null): string {
  if (k === null) return 'undefined';
  if (k < 0) return 'poor';
  if (k <= 0.2) return 'slight';
  if (k <= 0.4) return 'fair';
  if (k <= 0.6) return 'moderate';
  if (k <= 0.8) return 'substantial';
  return 'almost perfect';
}
