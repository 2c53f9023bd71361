// The one way of knowing that data changed, for tiles, OGC API and downloads alike: each layer's
// version (table layer_versions, bumped by triggers in the writing transaction) and the identity of
// the database it was read from, re-read together at most once per freshness window, in one query
// shared by all the requests of that window.
import { hash } from 'node:crypto';
import type { Queryable } from './database.ts';

export interface LayerVersion {
  /** Counts the writes to the layer: readable, but a database restored from a copy counts again from the copy's value. */
  readonly version: number;
  /** Drawn at random by each write (a uuid): no database, restored or not, draws it again for other data. */
  readonly stamp: string;
  /** When the layer was last written: its Last-Modified. */
  readonly updatedAt: Date;
}

/** The data as one read saw it. */
export interface DataState {
  /** Names the database the versions come from; changes when it is restored or re-created (see IDENTITY_PARTS). */
  readonly identity: string;
  readonly layers: ReadonlyMap<string, LayerVersion>;
}

export interface ChangeSignal {
  /** The state read by a query that started at most `freshnessMs` before this call. */
  current(): Promise<DataState>;
  /** The state read by a query started now, which the next `current()` calls then share. */
  fresh(): Promise<DataState>;
}

// What the identity is made of, each for the restores it reveals:
// - a random token the migrations store: a database created anew (even from the same template, as
//   embedded databases are) gets another one;
// - the database's OID: a dump restored into a new database;
// - layer_versions' OID: a dump restored over the same database (pg_restore --clean re-creates it);
// - the cluster's system identifier: another cluster (another initdb, pg_upgrade);
// - the timeline of the last checkpoint: a point-in-time recovery, which starts a new timeline.
// A file copy put back in place reveals none of these, but then the data is that of the copy, whose
// stamps it also brings back, and whatever is written next draws new stamps.
const IDENTITY_PARTS = [
  `(SELECT value FROM app_settings WHERE key = 'database_token')`,
  '(SELECT oid FROM pg_database WHERE datname = current_database())',
  `to_regclass('layer_versions')::oid`,
];
// Readable by every role on PostgreSQL 15 and PGlite, but a hosted service may revoke them.
const CONTROL_PARTS = ['(SELECT system_identifier FROM pg_control_system())', '(SELECT timeline_id FROM pg_control_checkpoint())'];
/** insufficient_privilege, undefined_function: the control functions are not ours to call here. */
const CONTROL_UNAVAILABLE = new Set(['42501', '42883']);

const stateSql = (parts: readonly string[]) =>
  `SELECT i.identity, v.layer, v.version, v.stamp::text AS stamp, v.updated_at
     FROM (SELECT concat_ws(' ', ${parts.join(', ')}) AS identity) i LEFT JOIN layer_versions v ON true`;

interface StateRow {
  identity: string;
  layer: string | null;
  version: number;
  stamp: string;
  updated_at: Date;
}

interface Read {
  startedAt: number;
  state: Promise<DataState>;
}

/** `freshnessMs` 0 reads on every call; `now` is injectable for tests. */
export function createChangeSignal(db: Queryable, freshnessMs: number, now: () => number = performance.now.bind(performance)): ChangeSignal {
  let withControl = true;
  const query = async () => {
    const sql = stateSql(withControl ? [...IDENTITY_PARTS, ...CONTROL_PARTS] : IDENTITY_PARTS);
    try {
      return await db.query<StateRow & Record<string, unknown>>(sql);
    } catch (error) {
      if (!withControl || !CONTROL_UNAVAILABLE.has((error as { code?: string }).code ?? '')) throw error;
      // Without them the identity still reveals restores into another database or over this one.
      withControl = false;
      return query();
    }
  };
  let latest: Read | undefined;
  const read = (): Read => {
    const startedAt = now();
    const state = query().then(({ rows }): DataState => ({
      identity: hash('sha1', rows[0]!.identity, 'base64url').slice(0, 12),
      layers: new Map(rows.filter((r) => r.layer !== null)
        .map((r) => [r.layer!, { version: r.version, stamp: r.stamp, updatedAt: r.updated_at }])),
    }));
    const attempt = { startedAt, state };
    // A failed read is not reused: the next request tries again.
    state.catch(() => { if (latest === attempt) latest = undefined; });
    return attempt;
  };
  return {
    current() {
      // A read still in flight counts as fresh if it started recently enough: requests share it.
      if (!latest || latest.startedAt < now() - freshnessMs || freshnessMs === 0) latest = read();
      return latest.state;
    },
    fresh() {
      latest = read();
      return latest.state;
    },
  };
}

/**
 * The version of a set of layers as it goes into cache keys, ETags and TileJSON's data_version:
 * `identity/layer:version.stamp,…`. Equal tags mean the same data in the same database.
 */
export function versionTag(state: DataState, layerIds: readonly string[]): string {
  return formatVersionTag(state.identity, layerIds, (id) => state.layers.get(id));
}

/** The same tag from versions read elsewhere (by a tile's own statement, in its snapshot). */
export function formatVersionTag(
  identity: string, layerIds: readonly string[], versionOf: (id: string) => Pick<LayerVersion, 'version' | 'stamp'> | undefined,
): string {
  return `${identity}/${layerIds.map((id) => {
    const v = versionOf(id);
    return v ? `${id}:${v.version}.${v.stamp.slice(0, 8)}` : `${id}:0`;
  }).join(',')}`;
}

/** A short token for a version tag, as URLs carry it (`?v=`): a tag's hash, so it says nothing of the database. */
export function versionToken(tag: string): string {
  return hash('sha1', tag, 'base64url').slice(0, 16);
}

/** The last write to any of the layers, if one is recorded. */
export function lastModified(state: DataState, layerIds: readonly string[]): Date | undefined {
  let last: Date | undefined;
  for (const id of layerIds) {
    const at = state.layers.get(id)?.updatedAt;
    if (at && (!last || at > last)) last = at;
  }
  return last;
}

/** Values worth one query per version of the data (a layer's extent, its summary), shared by concurrent requests. */
export interface VersionedMemo<T> {
  /** The value kept for `key` if it was read at `tag`, else `read()`'s, kept in its place. */
  get(key: string, tag: string, read: () => Promise<T>): Promise<T>;
}

/** One entry per key, so the memo holds as many values as there are keys (layers), whatever the versions. */
export function createVersionedMemo<T>(): VersionedMemo<T> {
  const entries = new Map<string, { tag: string; value: Promise<T> }>();
  return {
    get(key, tag, read) {
      const kept = entries.get(key);
      if (kept?.tag === tag) return kept.value;
      const value = read();
      // A failed read is forgotten, so the next request tries again.
      value.catch(() => { if (entries.get(key)?.value === value) entries.delete(key); });
      entries.set(key, { tag, value });
      return value;
    },
  };
}
