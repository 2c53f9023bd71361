// Gets a database ready to serve: migrations, demo seed on a brand-new database, catalog check.
import type { Logger } from 'pino';
import type { Database } from '../core/db/database.ts';
import { migrateLatest } from '../core/db/migrate.ts';
import type { LayerRegistry } from '../core/layers/registry.ts';
import { checkCatalog } from '../core/layers/catalog-check.ts';
import { seedDemoData } from './seed/demo-seed.ts';

export interface PrepareOptions {
  seedDemo: boolean;
}

/** Migrates, seeds a brand-new database when asked, and fails loudly if tables and descriptions differ. */
export async function prepareDatabase(db: Database, layers: LayerRegistry, options: PrepareOptions, log: Logger): Promise<void> {
  const started = Date.now();
  const migration = await migrateLatest(db);
  log.info({ applied: migration.applied, ms: Date.now() - started }, 'migrations done');
  if (migration.brandNew && options.seedDemo) {
    const counts = await db.transaction((tx) => seedDemoData(tx));
    log.info({ counts, ms: Date.now() - started }, 'demo data seeded');
  }
  await checkCatalog(db, layers.all);
}
