// A separate process for tests/db/firstValues.test.ts (`node --import tsx tests/db/firstValuesChild.ts <file>`):
// runs the real migrations on a version-40 store, but once migration 50 has done all its work (still inside the
// migration transaction) it prints {"migrating":true} and waits, so the test can kill it (SIGKILL) mid-migration.
import Database from 'better-sqlite3';
import up0050 from '../../main/core/store/migrations/0050-grading-first-values.js';
import { MIGRATIONS, runMigrations } from '../../main/core/store/migrations/index.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: firstValuesChild <file>');
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
const stalled = MIGRATIONS.map((m) =>
  m.version !== 50
    ? m
    : {
        ...m,
        up: (d: Database.Database) => {
          up0050(d);
          process.stdout.write(`${JSON.stringify({ migrating: true, pid: process.pid })}\n`);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000); // killed long before
        },
      },
);
runMigrations(db, file, stalled);
process.stdout.write(`${JSON.stringify({ finished: true })}\n`);
