// Import runs: what a run found out about its file (format, encoding, coordinate system, member,
// warnings, failure message) next to its counts and diff, and a listing index for staff.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE import_runs ADD COLUMN details jsonb;
    CREATE INDEX import_runs_started_idx ON import_runs (started_at DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS import_runs_started_idx;
    ALTER TABLE import_runs DROP COLUMN IF EXISTS details;
  `);
}
