// Contract part: export (issue 6). Merged into requestSchemas / Responses by contract.ts.
import { z } from 'zod';
import type { ErrorInfo } from './errors.js';
import { sourceRef } from './contractReaders.js';

export const EXPORT_FORMATS = ['mha', 'nifti'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An absolute path on POSIX (/…) or Windows (C:\…, \\server\share); checked against the source by the service. */
const absolutePath = z
  .string()
  .min(1, 'output folder is empty')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path holds a NUL character')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'output folder must be an absolute path');
const exportJobId = z.string().regex(/^export-\d+$/, 'export job id like export-1');

export const exportRequestSchemas = {
  /** Starts writing a revised dataset into outDir (via outDir.partial); progress via exportStatus. */
  startExport: z
    .object({
      outDir: absolutePath, format: z.enum(EXPORT_FORMATS), changedOnly: z.boolean(), force: z.boolean(),
      /** Labels and grades from: 'local' (default; the consensus in an adjudicator's store), 'original' or a reader. */
      source: sourceRef.optional(),
    })
    .strict(),
  exportStatus: z.object({ jobId: exportJobId }).strict(),
  cancelExport: z.object({ jobId: exportJobId }).strict(),
} as const;

/** What a finished export wrote. */
export interface ExportResult {
  /** Absolute path of the export folder. */
  outDir: string;
  format: ExportFormat;
  changedOnly: boolean;
  /** Files in the export folder, the manifest included. */
  filesWritten: number;
  bytesWritten: number;
  /** Absolute paths of export-manifest.json and CHANGES.md. */
  manifestFile: string;
  changesFile: string;
  seriesExported: number;
  /** Exported series whose labels differ from the original mask. */
  seriesChanged: number;
  gradingChanges: number;
  warnings: string[];
  durationMs: number;
}

export interface ExportStatus {
  jobId: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  phase: 'preparing' | 'writing' | 'finishing';
  filesDone: number;
  /** An estimate until the export finishes (series that turn out unchanged in a changed-only export drop out). */
  filesTotal: number;
  /** Work in bytes: files copied plus voxel bytes rebuilt or converted. */
  bytesDone: number;
  bytesTotal: number;
  /** Remaining time from the rate so far; null until it can be estimated. */
  etaSeconds: number | null;
  elapsedSeconds: number;
  /** The series being processed. */
  current: string | null;
  error?: ErrorInfo;
  result?: ExportResult;
}

export interface ExportResponses {
  startExport: { jobId: string };
  exportStatus: ExportStatus;
  /** The status after the cancel was requested (the job ends as 'cancelled' once its partial folder is removed). */
  cancelExport: ExportStatus;
}

