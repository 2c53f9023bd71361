// Opens an isolated database for one test file: a private schema on PostGIS, or a private copy of
// the embedded template. Both come migrated and seeded with the demo data.
import { inject } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseOptions } from '../../core/db/database.ts';
import { prepareDatabase } from '../../server/startup.ts';
import { createLayerRegistry } from '../../core/layers/registry.ts';
import { createLogger } from '../../server/logger.ts';

export interface TestDatabaseOptions {
  /** Migrate and seed (default true); false gives an empty database with no migration applied. */
  prepared?: boolean;
  /** Pool settings (on PostGIS the size defaults to 4; the embedded database always has one connection). */
  pool?: Pick<DatabaseOptions, 'poolSize' | 'poolWaitMs' | 'poolMaxWaiting'>;
}

/** A fresh database for this test file; its `close()` also removes it. */
export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  const prepared = options.prepared ?? true;
  const url = inject('databaseUrl');
  if (url) return openPostgisSchema(url, prepared, options.pool);
  const dir = mkdtempSync(join(tmpdir(), 'websig-test-'));
  if (prepared) cpSync(inject('templateDir'), dir, { recursive: true, filter: (src) => !src.endsWith('.websig.lock') });
  const db = await openDatabase({ dataDir: dir, ...options.pool });
  return withCleanup(db, async () => rmSync(dir, { recursive: true, force: true }));
}

async function openPostgisSchema(url: string, prepared: boolean, pool: TestDatabaseOptions['pool']): Promise<Database> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema},public`);
  if (prepared) {
    // Prepared on a pool of its own: the test's pool settings may be too tight for start-up.
    const setup = await openDatabase({ url: scoped.toString(), dataDir: '', poolSize: 4 });
    try {
      await prepareDatabase(setup, createLayerRegistry(), { seedDemo: true }, createLogger('warn'));
    } finally {
      await setup.close();
    }
  }
  const db = await openDatabase({ url: scoped.toString(), dataDir: '', poolSize: 4, ...pool });
  return withCleanup(db, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  });
}

function withCleanup(db: Database, cleanup: () => Promise<void>): Database {
  return {
    ...db,
    async close() {
      await db.close();
      await cleanup();
    },
  };
}

/**
 * A second pool on the same database, as a second server instance would open: on PostGIS its own
 * connections to the same schema; on the embedded database (one process owns its directory, and
 * every connection shares PGlite's one session) the same pool, whose `close()` then does nothing.
 */
export async function openSiblingDatabase(db: Database): Promise<Database> {
  if (db.kind === 'embedded') return { ...db, close: async () => undefined };
  return openDatabase({ url: db.connection.connectionString!, dataDir: '', poolSize: 4 });
}
