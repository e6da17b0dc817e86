// Repository of store-level facts (key/value): when and by which app version the store was created, and which
// dataset it belongs to, so a store can be checked against the dataset folder it is opened for.
import { AppError } from '../../../../common/errors.js';
import type { StoreContext } from '../context.js';

/** The keys this build writes. Other keys may exist (written by newer builds) and are kept as they are. */
export const META_KEYS = {
  createdAt: 'created_at',
  createdAppVersion: 'created_app_version',
  lastAppVersion: 'last_app_version',
  datasetRoot: 'dataset_root',
  datasetFingerprint: 'dataset_fingerprint',
  datasetBoundAt: 'dataset_bound_at',
} as const;

/** The dataset a store belongs to. */
export interface DatasetIdentity {
  /** Absolute path of the dataset folder when it was last opened with this store. */
  readonly root: string;
  /** Content fingerprint of the dataset (computed by the dataset module), stable across moves. */
  readonly fingerprint: string;
  readonly boundAt: string;
}

export interface StoreInfo {
  readonly createdAt: string | null;
  readonly createdAppVersion: string | null;
  readonly lastAppVersion: string | null;
  readonly dataset: DatasetIdentity | null;
}

/** How a dataset relates to the one a store is bound to. */
export type DatasetMatch = 'unbound' | 'match' | 'moved' | 'mismatch';

/** Access to the `meta` table. */
export interface MetaRepo {
  get(key: string): string | null;
  set(key: string, value: string): void;
  info(): StoreInfo;
  /** 'moved' = same fingerprint, other root; 'mismatch' = another dataset. */
  checkDataset(dataset: { root: string; fingerprint: string }): DatasetMatch;
  /**
   * Binds the store to a dataset, or records its new root when it moved.
   * @throws AppError('conflict') when the store belongs to a dataset with another fingerprint.
   */
  bindDataset(dataset: { root: string; fingerprint: string }): DatasetIdentity;
}

/** Creates the meta repository; statements are prepared once here. */
export function createMetaRepo(ctx: StoreContext): MetaRepo {
  const { db } = ctx;
  const getStmt = db.prepare<{ key: string }, string>('SELECT value FROM meta WHERE key = $key').pluck();
  const setStmt = db.prepare<{ key: string; value: string }>(
    'INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const get = (key: string): string | null => getStmt.get({ key }) ?? null;

  function identity(): DatasetIdentity | null {
    const root = get(META_KEYS.datasetRoot);
    const fingerprint = get(META_KEYS.datasetFingerprint);
    const boundAt = get(META_KEYS.datasetBoundAt);
    return root === null || fingerprint === null || boundAt === null ? null : { root, fingerprint, boundAt };
  }

  function check(dataset: { root: string; fingerprint: string }): DatasetMatch {
    const bound = identity();
    if (bound === null) return 'unbound';
    if (bound.fingerprint !== dataset.fingerprint) return 'mismatch';
    return bound.root === dataset.root ? 'match' : 'moved';
  }

  return {
    get,
    set(key, value) {
      ctx.write(() => setStmt.run({ key, value }));
    },
    info() {
      return {
        createdAt: get(META_KEYS.createdAt),
        createdAppVersion: get(META_KEYS.createdAppVersion),
        lastAppVersion: get(META_KEYS.lastAppVersion),
        dataset: identity(),
      };
    },
    checkDataset: check,
    bindDataset(dataset) {
      return ctx.write(() => {
        const match = check(dataset);
        if (match === 'mismatch') {
          throw new AppError('conflict', 'This annotation store belongs to another dataset (fingerprints differ)');
        }
        if (match !== 'match') {
          setStmt.run({ key: META_KEYS.datasetRoot, value: dataset.root });
          setStmt.run({ key: META_KEYS.datasetFingerprint, value: dataset.fingerprint });
          setStmt.run({ key: META_KEYS.datasetBoundAt, value: ctx.now() });
        }
        const bound = identity();
        if (bound === null) throw new AppError('db', 'Dataset identity vanished while being written');
        return bound;
      });
    },
  };
}

/** Records creation facts once and the app version of this open; runs on every writable open. */
export function recordOpen(ctx: StoreContext, appVersion: string): void {
  const insertIfMissing = ctx.db.prepare<{ key: string; value: string }>(
    'INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING',
  );
  const upsert = ctx.db.prepare<{ key: string; value: string }>(
    'INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  ctx.write(() => {
    insertIfMissing.run({ key: META_KEYS.createdAt, value: ctx.now() });
    insertIfMissing.run({ key: META_KEYS.createdAppVersion, value: appVersion });
    upsert.run({ key: META_KEYS.lastAppVersion, value: appVersion });
  });
}
