// A data version per layer, bumped by statement-level triggers on every write to a layer table, so
// tile caches, ETags and TileJSON on every server instance can tell when a layer has changed.
import type { Knex } from 'knex';

// Hand-written history: the layer tables as they stood when this migration was written.
const LAYER_TABLES = [
  'fibre_phases', 'fibre_premises', 'wifi_hotspots', 'business_zones',
  'zone_lots', 'incidents', 'addresses', 'parcels',
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE layer_versions (
      layer text PRIMARY KEY,
      version bigint NOT NULL DEFAULT 1,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO layer_versions (layer) VALUES ${LAYER_TABLES.map((t) => `('${t}')`).join(', ')};

    -- An UPDATE of the row (not a sequence) so the new version becomes visible in the same commit as
    -- the data: a reader never sees a new version with old data. Concurrent writers of one layer
    -- queue on this row until the first commits, which is the price of that guarantee.
    CREATE FUNCTION websig_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO layer_versions AS v (layer) VALUES (TG_TABLE_NAME)
        ON CONFLICT (layer) DO UPDATE SET version = v.version + 1, updated_at = now();
      RETURN NULL;
    END $$;
  `);
  for (const table of LAYER_TABLES) {
    await knex.raw(`
      CREATE TRIGGER ${table}_layer_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION websig_bump_layer_version();
      CREATE TRIGGER ${table}_layer_version_truncate AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION websig_bump_layer_version();
    `);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of LAYER_TABLES) {
    await knex.raw(`
      DROP TRIGGER IF EXISTS ${table}_layer_version ON ${table};
      DROP TRIGGER IF EXISTS ${table}_layer_version_truncate ON ${table};
    `);
  }
  await knex.raw('DROP FUNCTION IF EXISTS websig_bump_layer_version(); DROP TABLE IF EXISTS layer_versions;');
}
