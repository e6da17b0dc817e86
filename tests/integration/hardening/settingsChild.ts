// A separate process for the settings test (tests/integration/hardening/settings.test.ts), so the test can run it
// under a file-size limit of 0 (every write to a file fails, as on a full disk):
//   node --import tsx tests/integration/hardening/settingsChild.ts <settings.json> <name>
// Saves the annotator name and prints one JSON line: {"saved":true} or {"error":code,"message":…,"typed":bool}.
import { AppError } from '../../../common/errors.js';
import { fileAnnotatorMemory } from '../../../main/core/identity.js';

const [file, name] = process.argv.slice(2);
if (!file || !name) throw new Error('usage: settingsChild <settings.json> <name>');
try {
  fileAnnotatorMemory(file).save(name);
  process.stdout.write(`${JSON.stringify({ saved: true })}\n`);
} catch (err) {
  const typed = err instanceof AppError;
  const code = typed ? err.code : ((err as NodeJS.ErrnoException).code ?? 'unknown');
  process.stdout.write(`${JSON.stringify({ error: code, message: String((err as Error).message), typed })}\n`);
}
