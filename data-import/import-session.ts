// The database side of one import: a transaction on a session of its own, and a row loader that
// streams into the staging table with COPY where the server allows it, else batched INSERTs.
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database, Queryable, Row } from '../core/db/database.ts';
import type { PropertyType } from '../core/layers/layer-def.ts';
import { PROPERTY_TYPES } from '../core/layers/property-types.ts';

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

export interface ImportSession extends Queryable {
  /** How rows reach the staging table: `copy` (COPY FROM STDIN) or `insert` (batched INSERTs). */
  readonly method: 'copy' | 'insert';
  /** Opens a loader into `table` (a quoted name) for `columns` (quoted names). */
  openLoader(table: string, columns: readonly LoadColumn[]): RowLoader;
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

/** Rows are sent in chunks of about this many characters. */
const COPY_CHUNK = 256 * 1024;

function copyLoader(client: pg.Client, table: string, columns: readonly LoadColumn[]): RowLoader {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM STDIN`));
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  const done = once(stream, 'finish');
  done.catch(() => undefined);
  let buffer = '';
  const encoders = columns.map((c) => copyEncoder(c.type));
  const flush = (): Promise<void> | undefined => {
    if (failure) throw failure;
    const chunk = buffer;
    buffer = '';
    if (stream.write(chunk)) return undefined;
    return once(stream, 'drain').then(() => undefined);
  };
  return {
    push(values) {
      let line = encoders[0]!(values[0]);
      for (let i = 1; i < values.length; i++) line += '\t' + encoders[i]!(values[i]);
      buffer += line + '\n';
      return buffer.length >= COPY_CHUNK ? flush() : undefined;
    },
    async finish() {
      if (buffer) await flush();
      stream.end();
      await done;
      if (failure) throw failure;
    },
    async abort() {
      if (stream.writableFinished || stream.destroyed) return;
      // CopyFail ends the COPY on the server, so the connection can take the ROLLBACK.
      const closed = once(stream, 'close').catch(() => undefined);
      stream.destroy(new Error('import stopped'));
      await closed;
    },
  };
}

// ---- batched INSERT … SELECT FROM json_to_recordset ------------------------------------------------

/** The column's type in the JSON records; geometries travel as hex EWKB text. */
const jsonType = (type: LoadColumnType) => (type === 'geometry' ? 'text' : PROPERTY_TYPES[type].sqlType);
const BATCH_ROWS = 2000;

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

// ---- sessions ------------------------------------------------------------------------------------

/**
 * A connection of our own, if the server gives it a session of its own. The embedded database
 * multiplexes every socket onto one backend (same pid), where COPY's sub-protocol cannot work and
 * temporary tables would be shared: there, the import runs in a pooled transaction instead.
 */
async function openDedicatedClient(db: Database): Promise<pg.Client | undefined> {
  const pooled = await db.query<{ pid: number } & Row>('SELECT pg_backend_pid() AS pid');
  const client = new pg.Client({ ...db.connection, application_name: 'websig-import' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const own = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    if (own.rows[0]!.pid !== pooled.rows[0]!.pid) return client;
  } catch {
    // No second connection: fall back to the pool.
  }
  await client.end().catch(() => undefined);
  return undefined;
}

/**
 * Runs `fn` in one transaction on an import session; commits when it returns, rolls back when it
 * throws (a dry run throws on purpose). Statement time limits are lifted: a large import is one
 * long transaction by design.
 */
export async function withImportSession<T>(db: Database, fn: (session: ImportSession) => Promise<T>): Promise<T> {
  const client = await openDedicatedClient(db);
  if (!client) {
    return db.transaction(async (tx) => {
      await tx.query('SET LOCAL statement_timeout = 0');
      return fn({ method: 'insert', query: tx.query, openLoader: (table, columns) => insertLoader(tx, table, columns) });
    });
  }
  let loader: RowLoader | undefined;
  try {
    await client.query('SET statement_timeout = 0');
    await client.query("SET temp_buffers = '256MB'");
    await client.query('BEGIN');
    const query = <R extends Row>(text: string, params?: readonly unknown[]) => client.query<R>(text, params as unknown[]);
    const result = await fn({ method: 'copy', query, openLoader: (table, columns) => (loader = copyLoader(client, table, columns)) });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await loader?.abort();
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
