// What the change signal needs beyond layer_versions' counters: a random stamp per layer write, so
// that a database restored from an older copy never issues a stamp again for other data, and a
// random token naming this database, so that a database made anew never passes for the one it replaced.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // gen_random_uuid() is core PostgreSQL since 13: no extension needed. The volatile default gives
  // each existing row a stamp of its own.
  await knex.raw(`
    ALTER TABLE layer_versions ADD COLUMN stamp uuid NOT NULL DEFAULT gen_random_uuid();

    CREATE OR REPLACE FUNCTION websig_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO layer_versions AS v (layer) VALUES (TG_TABLE_NAME)
        ON CONFLICT (layer) DO UPDATE SET version = v.version + 1, stamp = gen_random_uuid(), updated_at = now();
      RETURN NULL;
    END $$;

    INSERT INTO app_settings (key, value) VALUES ('database_token', gen_random_uuid()::text);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM app_settings WHERE key = 'database_token';

    CREATE OR REPLACE FUNCTION websig_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO layer_versions AS v (layer) VALUES (TG_TABLE_NAME)
        ON CONFLICT (layer) DO UPDATE SET version = v.version + 1, updated_at = now();
      RETURN NULL;
    END $$;

    ALTER TABLE layer_versions DROP COLUMN stamp;
  `);
}
