// The searchable text of an address, written so that the planner inlines it. concat_ws() is only
// STABLE (it may call any type's output function), and an IMMUTABLE SQL function whose body is not
// immutable is never inlined: every call went through the SQL-function executor, about four times
// the cost of the text itself — paid per row by the full-text index build of an import and by the
// search's ranking of each candidate. The same text, with the same NULLs left out, is built here
// from immutable operators only, so the index on it stays valid without a rebuild.
import type { Knex } from 'knex';
import pg from 'pg';

/** The schema the migrations run in, quoted: PostgreSQL 17+ runs index builds with search_path = pg_catalog. */
async function ownSchema(knex: Knex): Promise<string> {
  const { rows } = (await knex.raw('SELECT current_schema() AS schema')) as { rows: { schema: string }[] };
  return pg.escapeIdentifier(rows[0]!.schema);
}

export async function up(knex: Knex): Promise<void> {
  const own = await ownSchema(knex);
  // Each present value preceded by a space, then the first space cut: concat_ws(' ', …) exactly.
  await knex.raw(`
    CREATE OR REPLACE FUNCTION ${own}.websig_address_search_text(integer, text, text, text, text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ${own}.websig_search_text(substr(
        coalesce(' ' || $1::text, '') || coalesce(' ' || $2, '') || coalesce(' ' || $3, '')
          || coalesce(' ' || $4, '') || coalesce(' ' || $5, ''), 2)) $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  const own = await ownSchema(knex);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION ${own}.websig_address_search_text(integer, text, text, text, text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ${own}.websig_search_text(concat_ws(' ', $1, $2, $3, $4, $5)) $$;
  `);
}
