// The PostGIS bench database as the suites and their servers open it: one pool size, migrated and filled.
import pg from 'pg';
import { ensureBenchData } from '../data/bench-data.ts';
import { openDatabase, type Database } from '../../core/db/database.ts';
import { migrateLatest } from '../../core/db/migrate.ts';

const POOL_SIZE = 10;

/** The PostGIS bench database at `url`, with the pool every bench server and suite uses. */
export function openBenchDatabase(url: string): Promise<Database> {
  return openDatabase({ url, dataDir: '', poolSize: POOL_SIZE });
}

/**
 * For a suite: the bench database at `url`, migrated and filled with the generated data (closed again
 * if that fails); its URL is left in BENCH_DATABASE_URL for the server processes the suite forks.
 */
export async function openFilledBenchDatabase(url: string): Promise<Database> {
  process.env.BENCH_DATABASE_URL = url;
  const db = await openBenchDatabase(url);
  try {
    await migrateLatest(db);
    await ensureBenchData(db);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Runs `work` on a single client connected to `url`, closed afterwards. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops and creates the database `name` (reached at `url`) through the server at `adminUrl`, with the
 * extensions WebSIG needs, and migrates it: a suite's own scratch database, empty of data.
 */
export async function recreateDatabase(adminUrl: string, name: string, url: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  });
  await withClient(url, (c) => c.query('CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm; CREATE EXTENSION unaccent'));
  const db = await openDatabase({ url, dataDir: '' });
  try {
    await migrateLatest(db);
  } finally {
    await db.close();
  }
}
