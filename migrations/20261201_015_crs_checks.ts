// The .prj texts PROJ has been seen to read as the EPSG system they were identified with: the
// cross-check (data-import/crs.ts) sets up a PROJ transformation from the WKT, about 15 ms that
// every delivery of an operator paid again for the same .prj. Keyed by the PROJ version, whose
// reading it records; only agreements are kept (a disagreement stops the import).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE crs_checks (
      wkt_sha256 text NOT NULL,
      srid integer NOT NULL,
      proj_version text NOT NULL,
      checked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (wkt_sha256, srid, proj_version)
    )
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE crs_checks');
}
