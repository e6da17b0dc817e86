// Repository of the people who annotate: a name per person, referenced by id from every journal row.
import { AppError } from '../../../../common/errors.js';
import type { StoreContext } from '../context.js';

/** Row id of an annotator in one store (ids are not comparable across stores). */
export type AnnotatorId = number & { readonly __brand: 'AnnotatorId' };

/** An annotator as stored. */
export interface Annotator {
  readonly id: AnnotatorId;
  readonly name: string;
  readonly createdAt: string;
}

/** Access to the `annotators` table. */
export interface AnnotatorsRepo {
  /** Id of the annotator called `name` (trimmed), created on first use. */
  ensure(name: string): AnnotatorId;
  get(id: AnnotatorId): Annotator | null;
  /** Display name of an annotator id (names never change, so they are cached); "annotator N" for an unknown id. */
  name(id: AnnotatorId): string;
  /** Every annotator, by id. */
  list(): Annotator[];
}

const COLUMNS = 'id, name, created_at';

interface AnnotatorRow {
  id: number;
  name: string;
  created_at: string;
}

const toAnnotator = (r: AnnotatorRow): Annotator => ({
  id: r.id as AnnotatorId,
  name: r.name,
  createdAt: r.created_at,
});

/** Creates the annotators repository; statements are prepared once here. */
export function createAnnotatorsRepo(ctx: StoreContext): AnnotatorsRepo {
  const { db } = ctx;
  const byName = db.prepare<{ name: string }, AnnotatorRow>(`SELECT ${COLUMNS} FROM annotators WHERE name = $name`);
  const byId = db.prepare<{ id: number }, AnnotatorRow>(`SELECT ${COLUMNS} FROM annotators WHERE id = $id`);
  const all = db.prepare<[], AnnotatorRow>(`SELECT ${COLUMNS} FROM annotators ORDER BY id`);
  const insert = db.prepare<{ name: string; now: string }>(
    'INSERT INTO annotators (name, created_at) VALUES ($name, $now)',
  );

  const names = new Map<AnnotatorId, string>();

  return {
    ensure(rawName) {
      const name = rawName.trim();
      if (name.length === 0 || name.length > 200) {
        throw new AppError('invalid_request', 'An annotator name must have 1 to 200 characters');
      }
      const existing = byName.get({ name });
      if (existing) return existing.id as AnnotatorId;
      return ctx.write(() => {
        const raced = byName.get({ name });
        if (raced) return raced.id as AnnotatorId;
        return Number(insert.run({ name, now: ctx.now() }).lastInsertRowid) as AnnotatorId;
      });
    },
    get(id) {
      const row = byId.get({ id });
      return row ? toAnnotator(row) : null;
    },
    name(id) {
      let n = names.get(id);
      if (n === undefined) {
        n = byId.get({ id })?.name ?? `annotator ${id}`;
        names.set(id, n);
      }
      return n;
    },
    list() {
      return all.all().map(toAnnotator);
    },
  };
}
