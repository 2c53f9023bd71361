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
  /** A pooled connection for the caller alone until it calls `release` (with an error: closed
   *  rather than pooled), for a session of its own such as a COPY. Absent on the embedded database,
   *  whose one connection every query shares, and on a pool of one connection. */
  readonly lendConnection?: () => Promise<pg.PoolClient>;
  /** Closes pooled connections (the pool reopens on the next query): tools such as knex
   *  migrations need the embedded database's only connection to themselves. */
  releaseConnections(): Promise<void>;
  /** Whether the pool is busy (every connection taken, or requests waiting) and when the database
   *  last answered a query (epoch ms), so a readiness check need not queue behind long work. */
  liveness(): { busy: boolean; lastAnswerAt: number | undefined };
  /** The pool now: its size limit, connections open (in use or idle) and requests waiting for one
   *  (all 0 but `max` before the first query opens it). */
  poolUsage(): PoolUsage;
  /** Closes the pool and, for the embedded database, PGlite itself. */
  close(): Promise<void>;
}

export interface PoolUsage {
  max: number;
  inUse: number;
  idle: number;
  waiting: number;
}

/** No pooled connection could be had in time, or too many requests already wait for one: the
 *  caller should try again shortly (HTTP 503 with Retry-After). */
export class DatabaseBusyError extends Error {
  /** Seconds a client should wait before trying again. */
  readonly retryAfterSeconds = 2;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseBusyError';
  }
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent the embedded database under `dataDir` is used. */
  url?: string;
  dataDir: string;
  /** Per-statement limit on PostgreSQL (PGlite ignores statement_timeout). */
  statementTimeoutMs?: number;
  /** Pool size on PostgreSQL; the embedded database always has exactly one connection. */
  poolSize?: number;
  /** Longest wait for a pooled connection, connecting included, before DatabaseBusyError
   *  (default 10 s; 0 waits forever, for tools that own the database). */
  poolWaitMs?: number;
  /** Requests allowed to wait for a connection at once; one more is refused at once with
   *  DatabaseBusyError (default: no bound). */
  poolMaxWaiting?: number;
}

/** What createDatabase needs beyond the connection settings. */
interface PoolSettings {
  max: number;
  waitMs: number;
  maxWaiting: number;
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
    return createDatabase('postgis', connection, { ...poolSettings(options), max: options.poolSize ?? 10 });
  }
  const embedded = await startEmbedded(options.dataDir);
  const connection: pg.ClientConfig = {
    host: embedded.socketDir,
    user: 'postgres',
    database: 'postgres',
    types: typeParsers,
  };
  return createDatabase('embedded', connection, { ...poolSettings(options), max: 1 }, embedded);
}

const DEFAULT_POOL_WAIT_MS = 10_000;

function poolSettings(options: DatabaseOptions): Omit<PoolSettings, 'max'> {
  return { waitMs: options.poolWaitMs ?? DEFAULT_POOL_WAIT_MS, maxWaiting: options.poolMaxWaiting ?? Infinity };
}

/** pg-pool's messages for a connection not had in time (waiting for a free one, or connecting). */
const POOL_TIMEOUTS = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];

function createDatabase(kind: DatabaseKind, connection: pg.ClientConfig, settings: PoolSettings, embedded?: EmbeddedServer): Database {
  let pool: pg.Pool | undefined;
  let lastAnswerAt: number | undefined;
  let closed = false;
  const getPool = () => {
    // A late query (a job's last statement, a timer) must not reopen a pool on a closed database.
    if (closed) throw new Error('the database is closed');
    if (pool) return pool;
    pool = new pg.Pool({
      ...connection,
      max: settings.max,
      idleTimeoutMillis: kind === 'embedded' ? 0 : 30_000,
      connectionTimeoutMillis: settings.waitMs,
      // Every socket of the embedded database reaches the same PGlite session, where statements a
      // closed connection prepared live on, while pg forgets them with its client: without this,
      // a named (prepared) query fails with 42P05 "already exists" after any reconnect.
      ...(kind === 'embedded' ? { onConnect: (client: pg.ClientBase) => client.query('DEALLOCATE ALL') } : {}),
    });
    // An idle connection that fails (the server restarted, its socket closed) is dropped by the
    // pool, which opens another for the next query; no request waits on it, so none is told.
    pool.on('error', () => undefined);
    return pool;
  };
  /** A connection from the pool, or DatabaseBusyError when the wait would be too long. */
  const acquire = async <T>(use: (pool: pg.Pool) => Promise<T>): Promise<T> => {
    const current = getPool();
    if (current.waitingCount >= settings.maxWaiting) {
      throw new DatabaseBusyError(`${current.waitingCount} requests already wait for a database connection`);
    }
    try {
      return await use(current);
    } catch (error) {
      if (POOL_TIMEOUTS.includes((error as Error).message)) {
        throw new DatabaseBusyError(`no database connection within ${settings.waitMs} ms`);
      }
      throw error;
    }
  };
  /**
   * A connection for one holder until it calls `release`. pg reports a connection that fails
   * (killed, reset) with an 'error' event on its client, which the pool listens for only while the
   * client is idle: unheard, that event would end the process. The holder learns of the failure
   * from its query in flight or its next one instead, and the pool drops the client it gets back.
   */
  const checkOut = async (): Promise<pg.PoolClient> => {
    const client = await acquire((p) => p.connect());
    const heard = () => undefined;
    client.on('error', heard);
    const release = client.release;
    client.release = (error?: Error | boolean) => {
      client.removeListener('error', heard);
      release(error);
    };
    return client;
  };
  const answered = <T>(result: T): T => {
    lastAnswerAt = Date.now();
    return result;
  };
  return {
    kind,
    connection,
    query: <R extends Row>(text: string, params?: readonly unknown[], name?: string) =>
      acquire((p) => p.query<R>({ text, values: params as unknown[], name })).then(answered),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await checkOut();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: <R extends Row>(text: string, params?: readonly unknown[], name?: string) =>
            client.query<R>({ text, values: params as unknown[], name }).then(answered),
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
    // A pool of one has nothing left for the borrower's other queries (progress, heartbeats),
    // which would wait for the lent connection while it waits for them.
    ...(kind === 'postgis' && settings.max > 1 ? { lendConnection: checkOut } : {}),
    liveness() {
      const busy = pool !== undefined && (pool.waitingCount > 0 || (pool.totalCount >= settings.max && pool.idleCount === 0));
      return { busy, lastAnswerAt };
    },
    poolUsage() {
      if (!pool) return { max: settings.max, inUse: 0, idle: 0, waiting: 0 };
      return { max: settings.max, inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    async releaseConnections() {
      const current = pool;
      pool = undefined;
      await current?.end();
    },
    async close() {
      closed = true;
      await this.releaseConnections();
      await embedded?.stop();
    },
  };
}
