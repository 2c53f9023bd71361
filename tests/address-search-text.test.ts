// The searchable text of an address (migration 014): the text the full-text index was built on,
// NULLs and empty values included, and a function the planner inlines, so that neither an index
// build nor the search's ranking pays a SQL-function call per row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { openTestDatabase } from './helpers/test-db.ts';

/** [numero, rep, nom_voie, code_postal, nom_commune] */
const CASES: [number | null, string | null, string | null, string | null, string | null][] = [
  [12, 'bis', 'Rue de la Gare', '35137', 'Bédée'],
  [12, null, 'Rue de la Gare', '35137', 'Bédée'],
  [null, null, "Place de l'Église", null, 'Iffendic'],
  [3, '', 'Œuvre  Saint-Éloi', '', 'Montfort-sur-Meu'],
  [null, null, null, null, null],
  [0, 'A', null, '35160', null],
];

describe('the searchable text of an address', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it("is the text of concat_ws(' ', …) lowered and without accents, NULLs left out and empty values kept", async () => {
    for (const values of CASES) {
      const { rows } = await db.query<{ ours: string; reference: string }>(
        `SELECT websig_address_search_text($1, $2, $3, $4, $5) AS ours,
                websig_search_text(concat_ws(' ', $1::integer, $2::text, $3::text, $4::text, $5::text)) AS reference`, values);
      expect(rows[0]!.ours, JSON.stringify(values)).toBe(rows[0]!.reference);
    }
    const { rows } = await db.query<{ text: string }>(`SELECT websig_address_search_text(12, 'bis', 'Rue de la Gare', '35137', 'Bédée') AS text`);
    expect(rows[0]!.text).toBe('12 bis rue de la gare 35137 bedee');
  });

  it('is inlined by the planner, in a query and in the full-text index it must still match', async () => {
    const plan = async (sql: string) =>
      (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const ranking = await plan(`SELECT websig_address_search_text(numero, rep, nom_voie, code_postal, nom_commune) FROM addresses`);
    expect(ranking).not.toContain('websig_address_search_text');
    // The demo's few addresses would be read whole: the index is asked for, to see that it still matches.
    const search = await db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM addresses WHERE to_tsvector('simple'::regconfig,
        websig_address_search_text(numero, rep, nom_voie, code_postal, nom_commune)) @@ to_tsquery('simple', 'gare')`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(search).toContain('addresses_search_fts');
    expect(search).not.toContain('websig_address_search_text');
  });
});
