// Who is annotating (issue 5, item 6): asked once in the UI, remembered in a small JSON file in the app's data
// folder (web mode and CLI) or the Electron user-data folder, and carried by every journal and grading row.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where the chosen annotator name is remembered between launches. */
export interface AnnotatorMemory {
  load(): string | null;
  save(name: string): void;
}

/**
 * Remembers the annotator in `file` (JSON: {"annotator": "..."}), other keys of the file kept. A missing or
 * unreadable file means "not chosen yet": the UI asks again rather than the app failing to start.
 */
export function fileAnnotatorMemory(file: string): AnnotatorMemory {
  const read = (): Record<string, unknown> => {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  return {
    load() {
      const v = read().annotator;
      return typeof v === 'string' && v.trim().length > 0 ? v.trim() : null;
    },
    save(name) {
      const next = { ...read(), annotator: name };
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
      renameSync(tmp, file);
    },
  };
}
