// Reader names must identify one person unambiguously: "José" with a composed é (NFC) and with e + combining acute
// (NFD) is one reader, and a name with bidirectional text controls (which make it display as another name) is
// refused by the annotator-name schema that packages and requests share.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotatorName } from '../../common/schemas.js';
import { openStore, type NewReaderLayer, type Store } from '../../main/core/store/index.js';
import { catchAppError, fakeClock, tempDir } from './helpers.js';

const NFC = 'Jos\u00e9';
const NFD = 'Jose\u0301';

function layer(store: Store, name: string, sha: string): NewReaderLayer {
  return {
    name, sha256: sha.repeat(64), packageCreatedAt: '2026-12-01T10:00:00.000Z', appVersion: '1', datasetFingerprint: 'f'.repeat(64),
    importedBy: store.annotators.ensure('Adj'), labels: [],
    grades: [{ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: 3, firstValue: 3, setAt: null }],
  };
}

describe('reader names', () => {
  it('one reader whatever the Unicode normalisation of the name', () => {
    const store = openStore(path.join(tempDir(), 'a.sqlite'), { now: fakeClock() });
    try {
      expect(NFC).not.toBe(NFD);
      const first = store.readers.importLayer(layer(store, NFD, 'a'));
      expect(first.reader.name).toBe(NFC);
      expect(store.readers.importLayer(layer(store, NFC, 'a')).alreadyImported).toBe(true);
      catchAppError(() => store.readers.importLayer(layer(store, NFC, 'b')), 'conflict');
      expect(store.readers.byName(NFD)?.id).toBe(first.reader.id);
      expect(store.readers.list()).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('refuses bidirectional text controls in a name, accepts ordinary non-Latin names', () => {
    for (const bad of ['Reader \u202eB', '\u2066Reader A\u2069', 'Dr\u202d X']) expect(annotatorName.safeParse(bad).success).toBe(false);
    for (const ok of ['Reader A', 'José', 'د. سمير', '田中 太郎', 'O\u2019Brien']) expect(annotatorName.safeParse(ok).success).toBe(true);
  });
});
