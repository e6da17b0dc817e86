// Drives one export job through the service (startExport → exportStatus polling → cancelExport). Talks to main
// only through platform/api.ts; holds plain serialisable state.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ExportStatus, Request } from '../../../common/contract.js';
import { ApiError, call } from '../../platform/api.js';

export const POLL_MS = 250;

export interface ExportJobState {
  status: ExportStatus | null;
  /** A refused start (bad folder, existing folder without force, …) or a lost connection. */
  error: { code: string; message: string } | null;
  starting: boolean;
}

export function useExportJob() {
  const [state, setState] = useState<ExportJobState>({ status: null, error: null, starting: false });
  const timer = useRef<number | null>(null);
  const alive = useRef(true);

  const stopPolling = (): void => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
  };

  const poll = useCallback((jobId: string): void => {
    call('exportStatus', { jobId })
      .then((status) => {
        if (!alive.current) return;
        setState((s) => ({ ...s, status }));
        if (status.state === 'running') timer.current = window.setTimeout(() => poll(jobId), POLL_MS);
      })
      .catch((e: unknown) => {
        if (!alive.current) return;
        setState((s) => ({ ...s, error: toError(e) }));
      });
  }, []);

  const start = useCallback(
    (req: Request<'startExport'>): void => {
      stopPolling();
      setState({ status: null, error: null, starting: true });
      call('startExport', req)
        .then(({ jobId }) => {
          if (!alive.current) return;
          setState((s) => ({ ...s, starting: false }));
          poll(jobId);
        })
        .catch((e: unknown) => alive.current && setState({ status: null, error: toError(e), starting: false }));
    },
    [poll],
  );

  const cancel = useCallback((): void => {
    const jobId = state.status?.jobId;
    if (!jobId) return;
    call('cancelExport', { jobId })
      .then((status) => alive.current && setState((s) => ({ ...s, status })))
      .catch((e: unknown) => alive.current && setState((s) => ({ ...s, error: toError(e) })));
  }, [state.status?.jobId]);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      stopPolling();
    };
  }, []);

  return { ...state, start, cancel };
}

function toError(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** "1 min 05 s", "12 s", "—". */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
