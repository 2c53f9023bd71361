// The ordered list of migrations, given to knex as a migration source so that it never has to
// load TypeScript files from disk by itself (tsx, vitest and plain Node then behave alike).
import type { Knex } from 'knex';
import * as layers from './20261129_001_layers.ts';
import * as platform from './20261129_002_platform.ts';
import * as layerVersions from './20261129_003_layer_versions.ts';
import * as search from './20261129_004_search.ts';
import * as imports from './20261129_005_imports.ts';
import * as changeSignal from './20261130_006_change_signal.ts';
import * as lotEditing from './20261130_007_lot_editing.ts';
import * as zoneLotsRestrict from './20261130_008_zone_lots_restrict.ts';
import * as importJobs from './20261130_009_import_jobs.ts';
import * as rateLimits from './20261201_010_rate_limits.ts';
import * as zaeCatalogue from './20261201_011_zae_catalogue.ts';
import * as incidentReports from './20261201_012_incident_reports.ts';
import * as zaeEstablishments from './20261201_013_zae_establishments.ts';
import * as inlinedAddressText from './20261201_014_inlined_address_text.ts';

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
  ['20261130_006_change_signal', changeSignal],
  ['20261130_007_lot_editing', lotEditing],
  ['20261130_008_zone_lots_restrict', zoneLotsRestrict],
  ['20261130_009_import_jobs', importJobs],
  ['20261201_010_rate_limits', rateLimits],
  ['20261201_011_zae_catalogue', zaeCatalogue],
  ['20261201_012_incident_reports', incidentReports],
  ['20261201_013_zae_establishments', zaeEstablishments],
  ['20261201_014_inlined_address_text', inlinedAddressText],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
