// Loads the dashboard's data (getDashboard: the dataset QA on the current labels, statuses, gradings). While the
// QA still runs, qaOverview is polled for "done of total series" so the dialog can show how far it is.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DashboardData } from '../../../common/contract.js';
import { call } from '../../platform/api.js';

export const PROGRESS_POLL_MS = 600;

export type DashboardState =
  | { phase: 'computing'; done: number; total: number }
  | { phase: 'ready'; data: DashboardData }
  | { phase: 'error'; message: string };

export function useDashboard(): { state: DashboardState; reload: () => void } {
  const [state, setState] = useState<DashboardState>({ phase: 'computing', done: 0, total: 0 });
  const generation = useRef(0);

  const load = useCallback(() => {
    const gen = ++generation.current;
    const current = (): boolean => gen === generation.current;
    setState({ phase: 'computing', done: 0, total: 0 });
    let timer: number | null = null;
    const poll = (): void => {
      call('qaOverview', {})
        .then((o) => {
          if (!current()) return;
          setState((s) => (s.phase === 'computing' ? { phase: 'computing', done: o.done, total: o.total } : s));
          if (o.state !== 'ready') timer = window.setTimeout(poll, PROGRESS_POLL_MS);
        })
        .catch(() => undefined); // the progress line only; getDashboard reports the failure
    };
    poll();
    call('getDashboard', {})
      .then((data) => current() && setState({ phase: 'ready', data }))
      .catch((e: unknown) => current() && setState({ phase: 'error', message: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        if (timer !== null) window.clearTimeout(timer);
      });
  }, []);

  useEffect(() => {
    load();
    const gen = generation;
    return () => {
      gen.current++; // answers that arrive after the dialog closed are dropped
    };
  }, [load]);

  return { state, reload: load };
}
