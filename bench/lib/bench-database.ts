// The PostGIS bench database as the suites and their servers open it: one pool size, migrated and filled.
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
