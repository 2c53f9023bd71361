// What an import needs of its database, and how rows reach the staging table: COPY on a
// connection of its own where the database lends one, else batched INSERTs, each its own statement.
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database, Queryable } from '../core/db/database.ts';
import type { PropertyType } from '../core/layers/layer-def.ts';
import { PROPERTY_TYPES } from '../core/layers/property-types.ts';

/**
 * The database an import runs on: statements, one short transaction for the swap into the live
 * layer, and, where it can, a connection lent for the COPY. The app's Database is one; so is the
 * bridge an import job's process uses to reach the embedded database through the server
 * (data-import/job-database.ts).
 */
export type ImportDatabase = Pick<Database, 'kind' | 'query' | 'transaction' | 'lendConnection'> & {
  /** The import's statements share their connection with the server's readers (the embedded
   *  database's only one), who wait for each: every step must then stay short. */
  readonly sharedWithReaders?: boolean;
};

export type LoadColumnType = PropertyType | 'geometry';

export interface LoadColumn {
  name: string;
  type: LoadColumnType;
}

export interface RowLoader {
  /** Queues one row (values in column order); returns a promise only when the caller must wait. */
  push(values: unknown[]): Promise<void> | undefined;
  /** Sends what is queued and ends the load. */
  finish(): Promise<void>;
  /** Gives up a load that is still open (the transaction is then rolled back). */
  abort(): Promise<void>;
}

export interface StageLoader extends RowLoader {
  /** How rows reach the staging table: `copy` (COPY FROM STDIN) or `insert` (batched INSERTs). */
  readonly method: 'copy' | 'insert';
}

// ---- COPY text format ---------------------------------------------------------------------------

const COPY_SPECIALS = /[\\\t\n\r]/g;
const HAS_COPY_SPECIALS = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeCopy = (s: string) => (HAS_COPY_SPECIALS.test(s) ? s.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]!) : s);

/** A PostgreSQL array literal of text items. */
export function textArrayLiteral(items: readonly string[]): string {
  return `{${items.map((i) => `"${i.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * The function writing one column's values in COPY text format (`\N` for null), chosen by the
 * JavaScript type imported values have (geometries are hex EWKB text).
 */
export function copyEncoder(type: LoadColumnType): (value: unknown) => string {
  switch (type === 'geometry' ? 'hex' : PROPERTY_TYPES[type].importedAs) {
    case 'boolean':
      return (v) => (v === null || v === undefined ? '\\N' : v ? 't' : 'f');
    case 'string[]':
      return (v) => (v === null || v === undefined ? '\\N' : escapeCopy(textArrayLiteral(v as string[])));
    // Numbers and hex hold no character that COPY escapes.
    case 'number':
    case 'hex':
      return (v) => (v === null || v === undefined ? '\\N' : String(v));
    case 'string':
      return (v) => (v === null || v === undefined ? '\\N' : escapeCopy(String(v)));
  }
}

/** Rows are sent in chunks of this many bytes (a row longer than that goes alone). */
const COPY_CHUNK = 64 * 1024;

function copyLoader(client: pg.ClientBase, table: string, columns: readonly LoadColumn[]): RowLoader {
  // One COPY statement for the whole file: it writes only the staging table, so it may be long.
  const stream = client.query(copyFrom(`COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM STDIN`));
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  const done = once(stream, 'finish');
  done.catch(() => undefined);
  // Each row is written into a byte buffer as soon as it is encoded: rows held as strings until a
  // chunk is full would survive every young-generation collection meanwhile, and be copied by each.
  let chunk = Buffer.allocUnsafe(COPY_CHUNK);
  let used = 0;
  const encoders = columns.map((c) => copyEncoder(c.type));
  const send = (bytes: Buffer): Promise<void> | undefined => {
    if (failure) throw failure;
    if (stream.write(bytes)) return undefined;
    return once(stream, 'drain').then(() => undefined);
  };
  const flush = (): Promise<void> | undefined => {
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(COPY_CHUNK);
    used = 0;
    return send(full);
  };
  return {
    push(values) {
      let line = encoders[0]!(values[0]);
      for (let i = 1; i < values.length; i++) line += '\t' + encoders[i]!(values[i]);
      line += '\n';
      // Room for the row's worst case (3 UTF-8 bytes per UTF-16 unit), so it is never cut.
      const room = 3 * line.length;
      if (used + room <= COPY_CHUNK) {
        used += chunk.write(line, used);
        return undefined;
      }
      const flushed = used > 0 ? flush() : undefined;
      if (room <= COPY_CHUNK) {
        used += chunk.write(line, used);
        return flushed;
      }
      // A row longer than a chunk goes alone, as its own bytes.
      const alone = send(Buffer.from(line, 'utf8'));
      return flushed && alone ? Promise.all([flushed, alone]).then(() => undefined) : (flushed ?? alone);
    },
    async finish() {
      if (used > 0) await flush();
      stream.end();
      await done;
      if (failure) throw failure;
    },
    async abort() {
      // A COPY the server refused (a missing table) or that ended has nothing left to stop, and
      // its stream would never close.
      if (failure || stream.writableFinished || stream.destroyed) return;
      // CopyFail ends the COPY on the server, so the connection can be closed cleanly.
      const closed = once(stream, 'close').catch(() => undefined);
      stream.destroy(new Error('import stopped'));
      await closed;
    },
  };
}

// ---- batched INSERT … SELECT FROM json_to_recordset ------------------------------------------------

/** The column's type in the JSON records; geometries travel as hex EWKB text. */
const jsonType = (type: LoadColumnType) => (type === 'geometry' ? 'text' : PROPERTY_TYPES[type].sqlType);
/** Rows per INSERT: each batch is one short statement, and other queries run between batches. */
const BATCH_ROWS = 1000;

function insertLoader(db: Queryable, table: string, columns: readonly LoadColumn[]): RowLoader {
  // Positional keys keep the JSON small and free of quoting questions.
  const keys = columns.map((_, i) => `c${i}`);
  const select = columns.map((c, i) => (c.type === 'geometry' ? `${keys[i]}::geometry` : keys[i])).join(', ');
  const record = columns.map((c, i) => `${keys[i]} ${jsonType(c.type)}`).join(', ');
  const sql = `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT ${select} FROM json_to_recordset($1::json) AS r(${record})`;
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    const rows = batch;
    batch = [];
    await db.query(sql, [JSON.stringify(rows)]);
  };
  return {
    push(values) {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < values.length; i++) row[keys[i]!] = values[i] ?? null;
      batch.push(row);
      return batch.length >= BATCH_ROWS ? flush() : undefined;
    },
    async finish() {
      if (batch.length) await flush();
    },
    async abort() {
      batch = [];
    },
  };
}

// ---- loaders ------------------------------------------------------------------------------------

/** The COPY connection's name in pg_stat_activity while it loads. */
const COPY_APPLICATION = 'websig-import';

/** Opens a loader into `table` (a quoted name) for `columns` (quoted names); `finish` or `abort` closes it. */
export async function openStageLoader(db: ImportDatabase, table: string, columns: readonly LoadColumn[]): Promise<StageLoader> {
  if (!db.lendConnection) return { method: 'insert', ...insertLoader(db, table, columns) };
  // A pooled connection rather than a new one: none to open, and pg-pool lends the one last
  // returned, which takes the import's checks and merge after the COPY. One backend then loads
  // PostGIS and the source system's PROJ transformation (about 30 ms each time), during the COPY,
  // while the reader is busy with the next rows.
  const client = await db.lendConnection();
  let copy: RowLoader;
  try {
    // The staging table is the import's own: no time limit, and no NOTICE per invalid polygon.
    await client.query(`SET statement_timeout = 0; SET client_min_messages = warning; SET application_name = '${COPY_APPLICATION}'`);
    copy = copyLoader(client, table, columns);
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  // Back to the pool with the pool's settings, or closed if they cannot be restored; once, since
  // the pipeline aborts a load whose finish failed.
  let returned: Promise<void> | undefined;
  const giveBack = () =>
    (returned ??= client.query('RESET statement_timeout; RESET client_min_messages; RESET application_name').then(
      () => client.release(),
      (error: Error) => client.release(error),
    ));
  const close = () => {
    returned ??= Promise.resolve(client.release(new Error('import stopped')));
    return returned;
  };
  return {
    method: 'copy',
    push: (values) => copy.push(values),
    finish: () => copy.finish().finally(giveBack),
    abort: () => copy.abort().finally(close),
  };
}
