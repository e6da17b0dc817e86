// Export jobs behind the service's startExport / exportStatus / cancelExport: one export at a time per workstation,
// progress with a remaining-time estimate, cancel. The request is checked (absolute path, not in or around the
// source, existing folder refused without force) before a job is created, so those errors come back at once.
import type { ExportResult, ExportStatus, Request, Responses } from '../../../common/contract.js';
import { AppError, toErrorInfo } from '../../../common/errors.js';
import { checkSource } from '../readers/sources.js';
import { runExport } from './engine.js';
import { ExportCancelledError, type ExportDeps, type ExportProgress } from './types.js';
import { preflight } from './target.js';

export interface ExportJobs {
  start(req: Request<'startExport'>): Responses['startExport'];
  status(jobId: string): ExportStatus;
  cancel(jobId: string): ExportStatus;
  /** Cancels a running export and waits until its partial folder is gone. */
  close(): Promise<void>;
}

interface Job {
  id: string;
  startedAt: number;
  state: ExportStatus['state'];
  progress: ExportProgress;
  /** When bytes first moved (the estimate ignores the preparing phase). */
  rateFrom: { t: number; bytes: number } | null;
  controller: AbortController;
  done: Promise<void>;
  error?: ExportStatus['error'];
  result?: ExportResult;
}

const KEEP_FINISHED = 10;

export function createExportJobs(deps: () => ExportDeps): ExportJobs {
  const jobs = new Map<string, Job>();
  let next = 1;

  const get = (jobId: string): Job => {
    const j = jobs.get(jobId);
    if (!j) throw new AppError('not_found', `No export job ${jobId}`);
    return j;
  };

  const status = (j: Job): ExportStatus => {
    const now = performance.now();
    const p = j.progress;
    let eta: number | null = null;
    if (j.state === 'running' && j.rateFrom && p.bytesDone > j.rateFrom.bytes && now - j.rateFrom.t > 500) {
      const rate = (p.bytesDone - j.rateFrom.bytes) / (now - j.rateFrom.t); // bytes per ms
      eta = Math.max(0, Math.round((p.bytesTotal - p.bytesDone) / rate / 100) / 10);
    } else if (j.state !== 'running') eta = 0;
    const s: ExportStatus = {
      jobId: j.id,
      state: j.state,
      phase: p.phase,
      filesDone: p.filesDone,
      filesTotal: Math.max(p.filesTotal, p.filesDone),
      bytesDone: Math.min(p.bytesDone, p.bytesTotal),
      bytesTotal: p.bytesTotal,
      etaSeconds: eta,
      elapsedSeconds: Math.round((now - j.startedAt) / 100) / 10,
      current: p.current,
    };
    if (j.error) s.error = j.error;
    if (j.result) s.result = j.result;
    return s;
  };

  return {
    start(req) {
      const running = [...jobs.values()].find((j) => j.state === 'running');
      if (running) throw new AppError('conflict', `Export ${running.id} is still running; wait for it or cancel it`);
      const d = deps();
      preflight(req.outDir, d.index.root, d.storeFile, req.force);
      if (req.source !== undefined) checkSource(d.store, req.source); // an unknown reader is refused at once
      const id = `export-${next++}`;
      const controller = new AbortController();
      const job: Job = {
        id,
        startedAt: performance.now(),
        state: 'running',
        progress: { phase: 'preparing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, current: null },
        rateFrom: null,
        controller,
        done: Promise.resolve(),
      };
      job.done = runExport(d, req, {
        signal: controller.signal,
        onProgress: (p) => {
          job.progress = p;
          if (!job.rateFrom && p.phase === 'writing') job.rateFrom = { t: performance.now(), bytes: p.bytesDone };
        },
      }).then(
        (result) => {
          job.state = 'done';
          job.result = result;
        },
        (err: unknown) => {
          if (err instanceof ExportCancelledError) job.state = 'cancelled';
          else {
            job.state = 'failed';
            job.error = toErrorInfo(err);
            if (!(err instanceof AppError)) process.emitWarning(`export ${id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          }
        },
      );
      jobs.set(id, job);
      const finished = [...jobs.values()].filter((j) => j.state !== 'running');
      for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) jobs.delete(old.id);
      return { jobId: id };
    },
    status: (jobId) => status(get(jobId)),
    cancel(jobId) {
      const j = get(jobId);
      if (j.state === 'running') j.controller.abort();
      return status(j);
    },
    async close() {
      for (const j of jobs.values()) if (j.state === 'running') j.controller.abort();
      await Promise.all([...jobs.values()].map((j) => j.done));
    },
  };
}
