// Address, zone and parcel search: accent-free search text, full-text and trigram indexes, and the
// vocabulary of address words that typo-tolerant search corrects query words against.
import type { Knex } from 'knex';
import pg from 'pg';

/** The schema a function or extension lives in, quoted for use as a qualifier. */
async function schemaOf(knex: Knex, sql: string): Promise<string> {
  const { rows } = (await knex.raw(sql)) as { rows: { schema: string }[] };
  if (!rows[0]) throw new Error(`migration 004: no schema found by: ${sql}`);
  return pg.escapeIdentifier(rows[0].schema);
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS unaccent;');
  // Every name inside the function bodies is schema-qualified: PostgreSQL 17+ runs ANALYZE, VACUUM
  // and index builds with search_path = pg_catalog, where unqualified names in an index expression
  // would not resolve (the embedded database is PostgreSQL 18).
  const own = await schemaOf(knex, 'SELECT current_schema() AS schema');
  const ext = await schemaOf(knex, `SELECT n.nspname AS schema FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'`);
  await knex.raw(`
    -- unaccent() is only STABLE (its dictionary could change), so it cannot appear in an index
    -- expression; naming the dictionary explicitly makes the result fixed, which is what IMMUTABLE promises.
    CREATE FUNCTION ${own}.websig_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT ${ext}.unaccent('${ext.replace(/'/g, "''")}.unaccent'::regdictionary, $1) $$;

    -- Lower case without accents: what every search compares (pg_trgm and the 'simple' text-search
    -- parser then ignore punctuation by themselves).
    CREATE FUNCTION ${own}.websig_search_text(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT lower(${own}.websig_unaccent($1)) $$;

    -- The searchable text of a BAN address: "12 bis rue de la gare 35137 bedee".
    CREATE FUNCTION ${own}.websig_address_search_text(integer, text, text, text, text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ${own}.websig_search_text(concat_ws(' ', $1, $2, $3, $4, $5)) $$;

    -- Full-text index: every word of the query must be in the address, in any order.
    CREATE INDEX addresses_search_fts ON addresses USING gin (
      to_tsvector('simple'::regconfig, websig_address_search_text(numero, rep, nom_voie, code_postal, nom_commune)));

    -- Cadastral references ("Bédée AB 123") are looked up by commune, section and number.
    CREATE INDEX parcels_reference_idx ON parcels (commune, section, numero);

    -- Every word of the addresses, so that a misspelt query word can be replaced by the known words
    -- closest to it (trigram similarity on a few thousand words, not on every address).
    CREATE TABLE search_words (word text PRIMARY KEY);
    CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);

    -- Words come from street and commune names; numbers are never corrected. Words of deleted
    -- addresses stay: a stale word only offers a correction that then matches nothing.
    CREATE FUNCTION ${own}.websig_collect_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO ${own}.search_words (word)
      SELECT DISTINCT w
        FROM (SELECT DISTINCT nom_voie, nom_commune FROM new_rows) r,
             unnest(tsvector_to_array(to_tsvector('simple'::regconfig,
               ${own}.websig_search_text(concat_ws(' ', r.nom_voie, r.nom_commune))))) AS w
       WHERE length(w) >= 3 AND w ~ '[a-z]'
      ON CONFLICT (word) DO NOTHING;
      RETURN NULL;
    END $$;
    -- One trigger per event: a trigger with transition tables may not fire on several events.
    CREATE TRIGGER addresses_search_words_insert AFTER INSERT ON addresses
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${own}.websig_collect_search_words();
    CREATE TRIGGER addresses_search_words_update AFTER UPDATE ON addresses
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${own}.websig_collect_search_words();
  `);
  // Addresses already there (a database migrated after its import) get their words now.
  await knex.raw(`
    INSERT INTO search_words (word)
    SELECT DISTINCT w
      FROM (SELECT DISTINCT nom_voie, nom_commune FROM addresses) r,
           unnest(tsvector_to_array(to_tsvector('simple'::regconfig, websig_search_text(concat_ws(' ', r.nom_voie, r.nom_commune))))) AS w
     WHERE length(w) >= 3 AND w ~ '[a-z]'
    ON CONFLICT (word) DO NOTHING;
    ANALYZE search_words;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER IF EXISTS addresses_search_words_insert ON addresses;
    DROP TRIGGER IF EXISTS addresses_search_words_update ON addresses;
    DROP FUNCTION IF EXISTS websig_collect_search_words();
    DROP TABLE IF EXISTS search_words;
    DROP INDEX IF EXISTS parcels_reference_idx;
    DROP INDEX IF EXISTS addresses_search_fts;
    DROP FUNCTION IF EXISTS websig_address_search_text(integer, text, text, text, text);
    DROP FUNCTION IF EXISTS websig_search_text(text);
    DROP FUNCTION IF EXISTS websig_unaccent(text);
  `);
}
