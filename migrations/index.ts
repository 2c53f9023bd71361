// The ordered list of migrations, given to knex as a migration source so that it never has to
// load TypeScript files from disk by itself (tsx, vitest and plain Node then behave alike). Each is
// loaded when knex asks for it: the import CLI, which only compares the names with those applied,
// starts without loading any.
import type { Knex } from 'knex';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const MIGRATIONS: ReadonlyArray<readonly [string, () => Promise<Migration>]> = [
  ['20261129_001_layers', () => import('./20261129_001_layers.ts')],
  ['20261129_002_platform', () => import('./20261129_002_platform.ts')],
  ['20261129_003_layer_versions', () => import('./20261129_003_layer_versions.ts')],
  ['20261129_004_search', () => import('./20261129_004_search.ts')],
  ['20261129_005_imports', () => import('./20261129_005_imports.ts')],
  ['20261130_006_change_signal', () => import('./20261130_006_change_signal.ts')],
  ['20261130_007_lot_editing', () => import('./20261130_007_lot_editing.ts')],
  ['20261130_008_zone_lots_restrict', () => import('./20261130_008_zone_lots_restrict.ts')],
  ['20261130_009_import_jobs', () => import('./20261130_009_import_jobs.ts')],
  ['20261201_010_rate_limits', () => import('./20261201_010_rate_limits.ts')],
  ['20261201_011_zae_catalogue', () => import('./20261201_011_zae_catalogue.ts')],
  ['20261201_012_incident_reports', () => import('./20261201_012_incident_reports.ts')],
  ['20261201_013_zae_establishments', () => import('./20261201_013_zae_establishments.ts')],
  ['20261201_014_inlined_address_text', () => import('./20261201_014_inlined_address_text.ts')],
  ['20261201_015_crs_checks', () => import('./20261201_015_crs_checks.ts')],
];

export const migrationSource: Knex.MigrationSource<readonly [string, () => Promise<Migration>]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: ([, load]) => load(),
};
