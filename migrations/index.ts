// The ordered list of migrations, given to knex as a migration source so that it never has to
// load TypeScript files from disk by itself (tsx, vitest and plain Node then behave alike).
import type { Knex } from 'knex';
import * as layers from './20261129_001_layers.ts';
import * as platform from './20261129_002_platform.ts';
import * as layerVersions from './20261129_003_layer_versions.ts';
import * as search from './20261129_004_search.ts';
import * as imports from './20261129_005_imports.ts';
import * as importJobs from './20261201_006_import_jobs.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261129_001_layers', layers],
  ['20261129_002_platform', platform],
  ['20261129_003_layer_versions', layerVersions],
  ['20261129_004_search', search],
  ['20261129_005_imports', imports],
  ['20261201_006_import_jobs', importJobs],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
