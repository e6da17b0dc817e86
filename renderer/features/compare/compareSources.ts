// The two sources the Compare panel sets side by side (common/contractReaders.ts SourceRef): this store ('local',
// shown as "You (<annotator>)"), the original dataset, each imported reader; the default pair, and the choice and
// the panel's open/outline state remembered per dataset (localStorage). Pure apart from the storage access.
import type { ReaderInfo, SourceRef } from '../../../common/contractReaders.js';
import { readerOf } from '../../../common/contractReaders.js';

export interface CompareChoice {
  a: SourceRef;
  b: SourceRef;
}

export interface ComparePrefs extends CompareChoice {
  /** B's labels drawn as outlines over the labels. */
  outline: boolean;
  /** The panel's body shown (and the comparison on: a collapsed panel fetches nothing and draws no outline). */
  open: boolean;
}

/** Every source of this store, in selector order: You, the original dataset, then the readers by name. */
export function compareOptions(readers: readonly ReaderInfo[]): SourceRef[] {
  return ['local', 'original', ...readers.map((r): SourceRef => `reader:${r.name}`)];
}

/** How a source is shown: "You (Adj)", "Original dataset", "Reader B". */
export function sourceName(ref: SourceRef, annotator: string | null): string {
  if (ref === 'local') return annotator ? `You (${annotator})` : 'You';
  if (ref === 'original') return 'Original dataset';
  return readerOf(ref) ?? ref;
}

/** The default pair: the two (first two) imported readers; else you vs the one reader; else you vs the original. */
export function defaultChoice(readers: readonly ReaderInfo[]): CompareChoice {
  const r = readers.map((x): SourceRef => `reader:${x.name}`);
  if (r.length >= 2) return { a: r[0]!, b: r[1]! };
  if (r.length === 1) return { a: 'local', b: r[0]! };
  return { a: 'local', b: 'original' };
}

const key = (dataset: string): string => `spine-ws.compare.${encodeURIComponent(dataset)}`;

/**
 * The remembered prefs of a dataset, its pair only if both sources still exist in this store; else the default pair,
 * outlined, and the panel open when the store holds a reader.
 */
export function loadPrefs(dataset: string, readers: readonly ReaderInfo[], storage: Pick<Storage, 'getItem'> | null = browserStorage()): ComparePrefs {
  const fallback: ComparePrefs = { ...defaultChoice(readers), outline: true, open: readers.length > 0 };
  try {
    const raw = storage?.getItem(key(dataset));
    if (!raw) return fallback;
    const v = JSON.parse(raw) as Partial<ComparePrefs>;
    const options: string[] = compareOptions(readers);
    const ok = (s: unknown): s is SourceRef => typeof s === 'string' && options.includes(s);
    const bool = (x: unknown, d: boolean): boolean => (typeof x === 'boolean' ? x : d);
    const pair = ok(v.a) && ok(v.b) && v.a !== v.b ? { a: v.a, b: v.b } : defaultChoice(readers);
    return { ...pair, outline: bool(v.outline, true), open: bool(v.open, fallback.open) };
  } catch {
    return fallback; // unreadable: the default
  }
}

export function savePrefs(dataset: string, p: ComparePrefs, storage: Pick<Storage, 'setItem'> | null = browserStorage()): void {
  try {
    storage?.setItem(key(dataset), JSON.stringify(p));
  } catch {
    // storage full or disabled: the choice is simply not remembered
  }
}

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
