// The Compare panel's sources (renderer/features/compare/compareSources.ts): names, the default pair by how many
// readers the store holds, and the remembered prefs per dataset (kept only while their sources still exist).
import { describe, expect, it } from 'vitest';
import type { ReaderInfo } from '../../../common/contractReaders.js';
import { compareOptions, defaultChoice, loadPrefs, savePrefs, sourceName } from '../../../renderer/features/compare/compareSources.js';

const reader = (name: string): ReaderInfo => ({
  name, importedBy: 'Adj', importedAt: '2026-01-01T00:00:00Z', packageCreatedAt: '2026-01-01T00:00:00Z', appVersion: '1', sha256: 'x'.repeat(64),
  seriesWithLabels: 1, gradedLevels: 1, grades: 1,
});
function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('compare sources', () => {
  it('names: you with the annotator, the original dataset, a reader by name', () => {
    expect(sourceName('local', 'Adj')).toBe('You (Adj)');
    expect(sourceName('local', null)).toBe('You');
    expect(sourceName('original', 'Adj')).toBe('Original dataset');
    expect(sourceName('reader:Reader B', 'Adj')).toBe('Reader B');
    expect(compareOptions([reader('R1'), reader('R2')])).toEqual(['local', 'original', 'reader:R1', 'reader:R2']);
  });

  it('defaults: the two readers; else you vs the one; else you vs the original', () => {
    expect(defaultChoice([reader('R1'), reader('R2'), reader('R3')])).toEqual({ a: 'reader:R1', b: 'reader:R2' });
    expect(defaultChoice([reader('R1')])).toEqual({ a: 'local', b: 'reader:R1' });
    expect(defaultChoice([])).toEqual({ a: 'local', b: 'original' });
  });

  it('remembers the choice per dataset; a pair naming a reader no longer here falls back; bad text too', () => {
    const s = memory();
    const readers = [reader('R1'), reader('R2')];
    expect(loadPrefs('ds', readers, s)).toEqual({ a: 'reader:R1', b: 'reader:R2', outline: true, open: true });
    expect(loadPrefs('ds', [], s)).toEqual({ a: 'local', b: 'original', outline: true, open: false });
    savePrefs('ds', { a: 'reader:R2', b: 'original', outline: false, open: true }, s);
    expect(loadPrefs('ds', readers, s)).toEqual({ a: 'reader:R2', b: 'original', outline: false, open: true });
    expect(loadPrefs('other', readers, s)).toEqual({ a: 'reader:R1', b: 'reader:R2', outline: true, open: true });
    // R2 gone: the default pair, the other prefs kept.
    expect(loadPrefs('ds', [reader('R1')], s)).toEqual({ a: 'local', b: 'reader:R1', outline: false, open: true });
    s.data.set([...s.data.keys()][0]!, '{not json');
    expect(loadPrefs('ds', readers, s)).toEqual({ a: 'reader:R1', b: 'reader:R2', outline: true, open: true });
  });
});
