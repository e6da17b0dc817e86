// Loads what the Agreement page shows: the store's readers (listReaders, again after every import), then the
// agreement report of the chosen pair (agreement({a, b, basis}); main caches it per sources and their revisions).
// Answers that arrive after the choice changed or the page closed are dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AgreementReport, ReaderInfo } from '../../../common/contractReaders.js';
import { ApiError, call } from '../../platform/api.js';
import { useReadersVersion } from '../packages/packagesState.js';
import type { AgreementChoice } from './agreementSources.js';

export type ReadersState = { phase: 'loading' } | { phase: 'ready'; readers: ReaderInfo[] } | { phase: 'error'; code: string; message: string };
export type ReportState =
  | { phase: 'idle' }
  | { phase: 'computing'; since: number }
  | { phase: 'ready'; report: AgreementReport }
  | { phase: 'error'; code: string; message: string };

function toError(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export function useReaders(): ReadersState {
  const version = useReadersVersion();
  const [state, setState] = useState<ReadersState>({ phase: 'loading' });
  useEffect(() => {
    let live = true;
    call('listReaders', {})
      .then((r) => live && setState({ phase: 'ready', readers: r.readers }))
      .catch((e: unknown) => live && setState({ phase: 'error', ...toError(e) }));
    return () => void (live = false);
  }, [version]);
  return state;
}

/** The report of `choice` (null: nothing to compare yet); `reload` asks again (after edits elsewhere). */
export function useAgreementReport(choice: AgreementChoice | null): { state: ReportState; reload: () => void } {
  const [state, setState] = useState<ReportState>({ phase: 'idle' });
  const generation = useRef(0);
  const version = useReadersVersion();
  const load = useCallback(() => {
    const gen = ++generation.current;
    if (!choice || choice.a === choice.b) {
      setState({ phase: 'idle' });
      return;
    }
    setState({ phase: 'computing', since: Date.now() });
    call('agreement', { a: choice.a, b: choice.b, basis: choice.basis })
      .then((report) => gen === generation.current && setState({ phase: 'ready', report }))
      .catch((e: unknown) => gen === generation.current && setState({ phase: 'error', ...toError(e) }));
  }, [choice]);
  useEffect(() => {
    load();
    const g = generation;
    return () => void g.current++;
  }, [load, version]);
  return { state, reload: load };
}
