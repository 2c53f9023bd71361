// A large replace (and, where readers share the connection, a large upsert or append) written beside
// the live layer: its next table (a copy of the live table's definition) is filled from the staging
// table (and, for an upsert or append, the live rows it keeps) in steps, indexed, then swapped in by one short
// transaction that drops the live table and gives the new one its name and the names of its
// indexes, identity sequences and triggers. Readers keep the live table until that commit and
// never wait for the writing. Only where nothing else depends on the live table (foreign keys,
// views, row triggers on insert, grants…): otherwise the pipeline merges in place.
import type { Queryable, Row } from '../core/db/database.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ident } from '../core/layers/layer-sql.ts';
import { PAGE_COUNT_SQL, copyLiveSql, fillKeyedSql, fillNewSql } from './import-sql.ts';
import type { createStepper } from './import-progress.ts';
import type { TargetColumn } from './mapping.ts';
import type { ImportDatabase } from './stage-loader.ts';

/** The next table of run `runId` (quoted). */
export const buildTable = (runId: number): string => ident(`import_build_${runId}`);

/** Columns every layer table may hold beyond its properties (the migrations' platform columns). */
const PLATFORM_COLUMNS = new Set(['id', 'fid', 'geom', 'geom_3857', 'created_at', 'updated_at']);

/** Lock wait of the swap on PostGIS, and attempts before the swap gives way to a merge. */
export const SWAP_LOCK_TIMEOUT_MS = 1000;
export const SWAP_ATTEMPTS = 5;

/**
 * Why the live table cannot be swapped, one reason per row (none: it can). A plain table of the
 * current schema, owned by us, with no grant, option, policy, inheritance or publication, no foreign
 * key either way, no view on it, and only triggers the swap can keep: row triggers on UPDATE alone
 * (the new rows are inserted, not updated), and statement triggers without transition tables that
 * fire on DELETE if they fire on any write (the swap fires them once, as a merge would, e.g. the
 * layer's version bump; pg_trigger.tgtype bits: 1 row, 4 insert, 8 delete, 16 update, 32 truncate).
 */
const OBSTACLES_SQL = `
  WITH t AS (SELECT c.* FROM pg_class c WHERE c.oid = $1::regclass)
  SELECT reason FROM t, LATERAL (VALUES
    (CASE WHEN t.relkind <> 'r' THEN 'not a plain table' END),
    (CASE WHEN t.relnamespace <> (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) THEN 'outside the current schema' END),
    (CASE WHEN pg_get_userbyid(t.relowner) <> current_user THEN 'owned by another role' END),
    (CASE WHEN t.relacl IS NOT NULL THEN 'grants on the table' END),
    (CASE WHEN t.reloptions IS NOT NULL THEN 'storage options' END),
    (CASE WHEN t.relrowsecurity OR EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t.oid) THEN 'row-level security' END),
    (CASE WHEN obj_description(t.oid, 'pg_class') IS NOT NULL THEN 'a comment on the table' END),
    (CASE WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND (k.conrelid = t.oid OR k.confrelid = t.oid)) THEN 'foreign keys' END),
    (CASE WHEN EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = t.oid OR h.inhparent = t.oid) THEN 'inheritance' END),
    (CASE WHEN EXISTS (SELECT 1 FROM pg_publication_rel p WHERE p.prrelid = t.oid) THEN 'a publication' END),
    (CASE WHEN EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid
                        WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = t.oid AND w.ev_class <> t.oid) THEN 'views' END),
    (CASE WHEN EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = t.oid AND NOT g.tgisinternal
                        AND (g.tgnewtable IS NOT NULL OR g.tgoldtable IS NOT NULL
                             OR CASE WHEN g.tgtype & 1 = 1 THEN g.tgtype & (4 | 8 | 32) <> 0 ELSE g.tgtype & (4 | 16) <> 0 AND g.tgtype & 8 = 0 END))
          THEN 'triggers the swap cannot keep' END)
  ) AS r(reason) WHERE reason IS NOT NULL`;

/** The table's columns: name, and generated (s or ''). */
const COLUMNS_SQL = `SELECT a.attname AS name, a.attgenerated AS generated
  FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

/**
 * The table's indexes: name, a signature free of names (method, uniqueness, columns, predicate) to
 * pair the next table's indexes with the live ones, the statements that make them again, and the
 * constraint they back.
 */
const INDEXES_SQL = `
  SELECT c.relname AS name,
         concat_ws('|', am.amname, i.indisunique, i.indisprimary,
           (SELECT string_agg(pg_get_indexdef(i.indexrelid, n, true), ',' ORDER BY n) FROM generate_series(1, i.indnatts) n),
           pg_get_expr(i.indpred, i.indrelid, true)) AS signature,
         pg_get_indexdef(i.indexrelid) AS definition, k.conname AS constraint_name, pg_get_constraintdef(k.oid) AS constraint_definition
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
    LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
   WHERE i.indrelid = $1::regclass ORDER BY c.relname`;

/** The table's identity sequences: the column and the sequence's (bare) name. */
const SEQUENCES_SQL = `
  SELECT a.attname AS column, s.relname AS name
    FROM pg_attribute a JOIN pg_class s ON s.oid = pg_get_serial_sequence($1, a.attname)::regclass
   WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity <> ''`;

/** The statements that make the table's own triggers again (they name the table, not its oid). */
const TRIGGERS_SQL = `SELECT pg_get_triggerdef(g.oid) AS definition FROM pg_trigger g WHERE g.tgrelid = $1::regclass AND NOT g.tgisinternal ORDER BY g.tgname`;

/** The layer's data version (bumped by every write): a swap may only replace what the fill read. */
const VERSION_SQL = `SELECT coalesce((SELECT version FROM layer_versions WHERE layer = $1), 0) AS version`;

interface IndexInfo { name: string; signature: string; definition: string; constraint_name: string | null; constraint_definition: string | null }

/** What the swap needs, read from the catalog once the next table exists. */
export interface RebuildPlan {
  /** The next table (quoted). */
  table: string;
  /** Index renames, next table's name → live name. */
  indexNames: [string, string][];
  /** Identity sequence renames, next table's name → live name. */
  sequenceNames: [string, string][];
  /** CREATE TRIGGER statements of the live table. */
  triggers: string[];
  /** The layer's data version when the fill began. */
  version: number;
}

export interface RebuildInput {
  db: ImportDatabase;
  runId: number;
  layer: LayerDef;
  /** The staging table (quoted). */
  stage: string;
  columns: readonly TargetColumn[];
  key: string | undefined;
  /** An upsert or append: the live rows the delivery does not replace are kept (a replace drops them). */
  keepLive: boolean;
  /** Live features when the import began (for progress). */
  liveCount: number;
}

/** How the fill is paced (import-progress.ts createStepper): passes over staged rows, or over another table's pages. */
export type FillSteps = Pick<ReturnType<typeof createStepper>, 'pass' | 'passOver'>;

/** Pages of live rows copied by the first step of the copy (a few thousand small features); later steps are sized from their time. */
const FIRST_COPY_PAGES = 20;

/** Why the live layer cannot be rebuilt beside itself, or undefined when it can. */
export async function rebuildObstacle(db: Queryable, layer: LayerDef, columns: readonly TargetColumn[]): Promise<string | undefined> {
  const live = ident(layer.id);
  const obstacles = await db.query<{ reason: string } & Row>(OBSTACLES_SQL, [live]);
  if (obstacles.rows.length) return obstacles.rows.map((r) => r.reason).join(', ');
  // Every column the copy writes must be one the description (or the platform) knows.
  const known = new Set([...PLATFORM_COLUMNS, ...layer.properties.map((p) => p.name), ...columns.map((c) => c.name)]);
  const unknown = (await db.query<{ name: string } & Row>(COLUMNS_SQL, [live])).rows.filter((c) => !known.has(c.name));
  if (unknown.length) return `columns outside the layer's description (${unknown.map((c) => c.name).join(', ')})`;
  return undefined;
}

/** Pairs each index of the next table with the live index of the same signature; undefined if they do not pair one to one. */
function pairIndexes(next: readonly IndexInfo[], live: readonly IndexInfo[]): [string, string][] | undefined {
  if (next.length !== live.length) return undefined;
  const free = [...live];
  const pairs: [string, string][] = [];
  for (const index of next) {
    const at = free.findIndex((l) => l.signature === index.signature);
    if (at < 0) return undefined;
    pairs.push([index.name, free.splice(at, 1)[0]!.name]);
  }
  return pairs;
}

/**
 * Creates the next table and fills it from the staging table: every delivered row, keeping the
 * identity, untouched columns and (if unchanged) the whole row of the live feature with the same
 * key; for an upsert or append, first the live rows the delivery does not replace, copied over
 * ranges of the live table's pages. `steps` paces each pass. Where readers share the connection, the
 * indexes exist from the start (each step maintains them, and stays short); elsewhere they are
 * built once the rows are in, which costs less. Returns the plan, or undefined (and no table) when
 * the indexes of the copy do not pair with the live ones.
 */
export async function buildNextTable(input: RebuildInput, steps: FillSteps): Promise<RebuildPlan | undefined> {
  const { db, runId, layer, stage, columns, key, keepLive, liveCount } = input;
  const live = ident(layer.id);
  const table = buildTable(runId);
  const version = (await db.query<{ version: number } & Row>(VERSION_SQL, [layer.id])).rows[0]!.version;
  await db.query(`CREATE TABLE ${table} (LIKE ${live} INCLUDING ALL)`);
  const nextIndexes = (await db.query<IndexInfo & Row>(INDEXES_SQL, [table])).rows;
  const indexNames = pairIndexes(nextIndexes, (await db.query<IndexInfo & Row>(INDEXES_SQL, [live])).rows);
  if (!indexNames) {
    await db.query(`DROP TABLE ${table}`);
    return undefined;
  }
  const liveSequences = (await db.query<{ column: string; name: string } & Row>(SEQUENCES_SQL, [live])).rows;
  const nextSequences = new Map((await db.query<{ column: string; name: string } & Row>(SEQUENCES_SQL, [table])).rows.map((s) => [s.column, s.name]));
  const sequenceNames = liveSequences.map((s): [string, string] => [nextSequences.get(s.column)!, s.name]);
  // New features number on from the live layer's sequences (and from any id stored past them).
  for (const s of liveSequences) {
    const column = ident(s.column);
    await db.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), greatest(coalesce(pg_sequence_last_value(pg_get_serial_sequence($3, $2)::regclass), 0),
              (SELECT coalesce(max(${column}), 0) FROM ${live})) + 1, false)`,
      [table, s.column, live],
    );
  }
  const deferIndexes = !db.sharedWithReaders;
  if (deferIndexes) {
    for (const index of nextIndexes) {
      await db.query(index.constraint_name ? `ALTER TABLE ${table} DROP CONSTRAINT ${ident(index.constraint_name)}` : `DROP INDEX ${ident(index.name)}`);
    }
  }
  const liveColumns = (await db.query<{ name: string; generated: string } & Row>(COLUMNS_SQL, [live])).rows;
  const mapped = new Set(columns.map((c) => c.name));
  const carried = liveColumns.filter((c) => c.generated === '' && c.name !== 'geom' && !mapped.has(c.name)).map((c) => c.name);
  if (keepLive) {
    // The live rows first, so that the table keeps their order, the delivery's new rows after them.
    const copy = copyLiveSql(table, stage, layer, liveColumns.filter((c) => c.generated === '').map((c) => c.name), key);
    const units = (await db.query<{ n: number } & Row>(PAGE_COUNT_SQL, [live])).rows[0]!.n;
    await steps.passOver({ units, first: FIRST_COPY_PAGES, rows: liveCount }, (from, to) => db.query(copy, [from, to]).then(() => undefined));
  }
  const statements = key ? fillKeyedSql(table, stage, layer, columns, key, carried) : [fillNewSql(table, stage, columns)];
  await steps.pass(async (from, to) => {
    for (const sql of statements) await db.query(sql, [from, to]);
  });
  if (deferIndexes) {
    // Built side by side: each index reads the table on a connection of its own.
    await Promise.all(nextIndexes.map((index) =>
      db.query(index.constraint_name ? `ALTER TABLE ${table} ADD CONSTRAINT ${ident(index.constraint_name)} ${index.constraint_definition}` : index.definition)));
  }
  await db.query(`ANALYZE ${table}`);
  const triggers = (await db.query<{ definition: string } & Row>(TRIGGERS_SQL, [live])).rows.map((t) => t.definition);
  return { table, indexNames, sequenceNames, triggers, version };
}

/** A lock the swap could not get in time (PostgreSQL's lock_not_available). */
export const isLockTimeout = (error: unknown) => (error as { code?: string })?.code === '55P03';

/**
 * Swaps the next table in, inside the caller's transaction: false (nothing done) when the live layer
 * was written since the fill began, so the caller merges instead. The exclusive lock is taken first,
 * bounded by SWAP_LOCK_TIMEOUT_MS on PostGIS (a reader holding the table makes it fail with
 * 55P03, to be retried), and held only for these few catalog statements.
 */
export async function swapIn(tx: Queryable, layer: LayerDef, plan: RebuildPlan, kind: ImportDatabase['kind']): Promise<boolean> {
  const live = ident(layer.id);
  if (kind === 'postgis') await tx.query(`SET LOCAL lock_timeout = ${SWAP_LOCK_TIMEOUT_MS}`);
  await tx.query(`LOCK TABLE ${live} IN ACCESS EXCLUSIVE MODE`);
  const version = (await tx.query<{ version: number } & Row>(VERSION_SQL, [layer.id])).rows[0]!.version;
  if (version !== plan.version) return false;
  if (kind === 'postgis') await tx.query('SET LOCAL lock_timeout = 0');
  await tx.query(`DROP TABLE ${live}`);
  await tx.query(`ALTER TABLE ${plan.table} RENAME TO ${live}`);
  for (const [from, to] of plan.indexNames) await tx.query(`ALTER INDEX ${ident(from)} RENAME TO ${ident(to)}`);
  for (const [from, to] of plan.sequenceNames) await tx.query(`ALTER SEQUENCE ${ident(from)} RENAME TO ${ident(to)}`);
  for (const trigger of plan.triggers) await tx.query(trigger);
  // A write that changes no row fires the statement triggers once: the layer's version moves as with any write.
  await tx.query(`DELETE FROM ${live} WHERE false`);
  return true;
}
