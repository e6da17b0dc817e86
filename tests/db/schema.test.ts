// Schema guard (after Actual's schema-guard): the schema produced by running every migration from empty must
// equal the committed tests/db/schema-snapshot.json, so any schema change is deliberate and reviewed.
// After adding a migration: UPDATE_SCHEMA_SNAPSHOT=1 npx vitest run tests/db/schema.test.ts, then review the diff.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, SCHEMA_VERSION } from '../../main/core/store/index.js';
import { tempDir } from './helpers.js';

const SNAPSHOT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schema-snapshot.json');

interface TableDump {
  strict: boolean;
  withoutRowid: boolean;
  columns: { name: string; type: string; notNull: boolean; default: string | null; pk: number }[];
  foreignKeys: { from: string; table: string; to: string | null; onDelete: string; onUpdate: string }[];
  indexes: { name: string; unique: boolean; origin: string; partial: boolean; columns: string[] }[];
  sql: string;
}

interface SchemaDump {
  userVersion: number;
  tables: Record<string, TableDump>;
  indexes: Record<string, string>;
  triggers: Record<string, string>;
}

const squash = (sql: string | null): string => (sql ?? '').replace(/\s+/g, ' ').trim();

/** Reads the whole schema of `file` through sqlite_master and the table-valued pragma functions. */
function dumpSchema(file: string): SchemaDump {
  const db = new Database(file, { readonly: true });
  try {
    type MasterRow = { type: string; name: string; sql: string | null };
    const master = db
      .prepare<[], MasterRow>(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
      )
      .all();
    const tables: Record<string, TableDump> = {};
    const indexes: Record<string, string> = {};
    const triggers: Record<string, string> = {};
    for (const m of master) {
      if (m.type === 'index' && m.sql !== null) indexes[m.name] = squash(m.sql);
      if (m.type === 'trigger') triggers[m.name] = squash(m.sql);
      if (m.type !== 'table') continue;
      const list = db
        .prepare<[string], { strict: number; wr: number }>(
          "SELECT strict, wr FROM pragma_table_list WHERE name = ? AND schema = 'main'",
        )
        .get(m.name);
      const columns = db
        .prepare<[string], { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
          'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid',
        )
        .all(m.name)
        .map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1, default: c.dflt_value, pk: c.pk }));
      const foreignKeys = db
        .prepare<[string], { from: string; table: string; to: string | null; on_delete: string; on_update: string }>(
          'SELECT "from", "table", "to", on_delete, on_update FROM pragma_foreign_key_list(?) ORDER BY id, seq',
        )
        .all(m.name)
        .map((f) => ({ from: f.from, table: f.table, to: f.to, onDelete: f.on_delete, onUpdate: f.on_update }));
      const tableIndexes = db
        .prepare<[string], { name: string; unique: number; origin: string; partial: number }>(
          'SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name',
        )
        .all(m.name)
        .map((i) => ({
          name: i.name,
          unique: i.unique === 1,
          origin: i.origin,
          partial: i.partial === 1,
          columns: db
            .prepare<[string], string>('SELECT coalesce(name, \'<expr>\') FROM pragma_index_info(?) ORDER BY seqno')
            .pluck()
            .all(i.name),
        }));
      tables[m.name] = {
        strict: list?.strict === 1,
        withoutRowid: list?.wr === 1,
        columns,
        foreignKeys,
        indexes: tableIndexes,
        sql: squash(m.sql),
      };
    }
    return { userVersion: Number(db.pragma('user_version', { simple: true })), tables, indexes, triggers };
  } finally {
    db.close();
  }
}

describe('schema', () => {
  const file = (): string => {
    const f = path.join(tempDir(), 'schema.sqlite');
    openStore(f).close();
    return f;
  };

  it('matches the committed snapshot', () => {
    const dump = dumpSchema(file());
    if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1') {
      fs.writeFileSync(SNAPSHOT, `${JSON.stringify(dump, null, 2)}\n`);
    }
    const committed: unknown = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8'));
    expect(dump).toEqual(committed);
    expect(dump.userVersion).toBe(SCHEMA_VERSION);
  });

  it('follows the conventions: STRICT tables, indexes named <table>_by_<cols>', () => {
    const dump = dumpSchema(file());
    for (const [name, table] of Object.entries(dump.tables)) {
      expect(table.strict, `${name} is STRICT`).toBe(true);
      for (const index of table.indexes.filter((i) => i.origin === 'c')) {
        expect(index.name.startsWith(`${name}_by_${index.columns.join('_')}`), index.name).toBe(true);
      }
    }
  });
});
