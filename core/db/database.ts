// One database API for both back-ends: a `pg` pool against PostGIS, or against the embedded PGlite.
import pg from 'pg';
import { startEmbedded, type EmbeddedServer } from './embedded.ts';

export type DatabaseKind = 'postgis' | 'embedded';
export type Row = Record<string, unknown>;

export interface Queryable {
  /** Runs one statement; a `name` prepares it once per connection and reuses the plan (hot paths). */
  query<R extends Row = Row>(text: string, params?: readonly unknown[], name?: string): Promise<pg.QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Connection settings, for tools (knex migrations) that open their own connection. */
  readonly connection: pg.ClientConfig;
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes pooled connections (the pool reopens on the next query): tools such as knex
   *  migrations need the embedded database's only connection to themselves. */
  releaseConnections(): Promise<void>;
  /** Closes the pool and, for the embedded database, PGlite itself. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent the embedded database under `dataDir` is used. */
  url?: string;
  dataDir: string;
  /** Per-statement limit on PostgreSQL (PGlite ignores statement_timeout). */
  statementTimeoutMs?: number;
  /** Pool size on PostgreSQL; the embedded database always has exactly one connection. */
  poolSize?: number;
}

// int8 (counts, bigint ids) as numbers: our counts stay far below 2^53. Dates stay 'YYYY-MM-DD'
// strings so no time zone shifts them.
const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 1700) return (v: string) => Number(v);
    if (oid === 1082) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/** Opens the database named by the options: PostGIS when `url` is set, else the embedded one. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const connection: pg.ClientConfig = {
      connectionString: options.url,
      types: typeParsers,
      application_name: 'websig',
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    };
    return createDatabase('postgis', connection, options.poolSize ?? 10);
  }
  const embedded = await startEmbedded(options.dataDir);
  const connection: pg.ClientConfig = {
    host: embedded.socketDir,
    user: 'postgres',
    database: 'postgres',
    types: typeParsers,
  };
  return createDatabase('embedded', connection, 1, embedded);
}

function createDatabase(kind: DatabaseKind, connection: pg.ClientConfig, max: number, embedded?: EmbeddedServer): Database {
  let pool: pg.Pool | undefined;
  const getPool = () => {
    pool ??= new pg.Pool({ ...connection, max, idleTimeoutMillis: kind === 'embedded' ? 0 : 30_000 });
    return pool;
  };
  return {
    kind,
    connection,
    query: <R extends Row>(text: string, params?: readonly unknown[], name?: string) =>
      getPool().query<R>({ text, values: params as unknown[], name }),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await getPool().connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: <R extends Row>(text: string, params?: readonly unknown[], name?: string) =>
            client.query<R>({ text, values: params as unknown[], name }),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async releaseConnections() {
      const current = pool;
      pool = undefined;
      await current?.end();
    },
    async close() {
      await this.releaseConnections();
      await embedded?.stop();
    },
  };
}
