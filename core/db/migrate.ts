// Applies the knex migrations (the same on PostGIS and on the embedded database).
import knexFactory, { type Knex } from 'knex';
import type { Database } from './database.ts';
import { migrationSource } from '../../migrations/index.ts';

export interface MigrationOutcome {
  /** True when no migration of ours had ever been applied: the database is brand new. */
  brandNew: boolean;
  applied: string[];
}

/** A knex instance on the app's database, with one connection (the embedded database has no more). */
function openKnex(db: Database): Knex {
  // knex only runs DDL and its bookkeeping here, so pg's default type parsers are fine.
  const connection = { ...db.connection, types: undefined } as Knex.PgConnectionConfig;
  return knexFactory({ client: 'pg', connection, pool: { min: 0, max: 1 } });
}

/** Brings the schema up to date; tells whether the database was brand new (to seed it). */
export async function migrateLatest(db: Database): Promise<MigrationOutcome> {
  await db.releaseConnections();
  const knex = openKnex(db);
  try {
    const before = await knex.migrate.currentVersion({ migrationSource });
    const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
    return { brandNew: before === 'none', applied };
  } finally {
    await knex.destroy();
  }
}

/** Rolls every migration back (tests use it to prove migrations are re-runnable). */
export async function migrateRollbackAll(db: Database): Promise<void> {
  await db.releaseConnections();
  const knex = openKnex(db);
  try {
    await knex.migrate.rollback({ migrationSource }, true);
  } finally {
    await knex.destroy();
  }
}
