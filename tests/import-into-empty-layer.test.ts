// A keyed import merged into a layer that is empty, and whose statistics say so (emptied, then
// vacuumed): every row is inserted without being looked up in the live table. That lookup was
// planned as a nested loop over a sequential scan of the empty table, which the same statement then
// fills: quadratic, 2,500,000 addresses still not written after 18 minutes.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport } from '../data-import/pipeline.ts';
import { mergeSql } from '../data-import/import-sql.ts';
import { targetColumns } from '../data-import/mapping.ts';
import { writeText } from './helpers/import-fixtures.ts';
import { useImportTestBed } from './helpers/import-test-bed.ts';

const layers = createLayerRegistry();
const addresses = layers.get('addresses')!;

describe('an import into an empty layer', () => {
  let db: Database;
  let dir: string;
  useImportTestBed((bed) => ({ db, dir } = bed));

  it('inserts every row without looking it up in the live table', () => {
    const columns = targetColumns(addresses);
    for (const mode of ['replace', 'upsert'] as const) {
      const statements = mergeSql('"stage"', addresses, columns, mode, 'id', true);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^INSERT INTO "addresses"/);
      expect(statements[0]).not.toMatch(/"addresses" l/);
      // A layer with features still has its rows looked up (kept, updated or deleted).
      expect(mergeSql('"stage"', addresses, columns, mode, 'id', false).join('\n')).toMatch(/NOT EXISTS \(SELECT 1 FROM "addresses" l/);
    }
  });

  it('writes every delivered address into the emptied and vacuumed layer, its words in the search vocabulary', async () => {
    await db.query('DELETE FROM addresses');
    await db.query('VACUUM (ANALYZE) addresses');
    const file = writeText(join(dir, 'adresses.csv'), ['id;numero;nom_voie;code_postal;code_insee;nom_commune;lon;lat',
      '35023_9001_00001;1;Rue des Vides;35137;35023;Bédée;-1.9500;48.1400',
      '35023_9001_00003;3;Rue des Vides;35137;35023;Bédée;-1.9501;48.1401',
      '35023_9001_00005;5;Rue des Vides;35137;35023;Bédée;-1.9502;48.1402'].join('\n') + '\n');
    const summary = await runImport(db, layers, { layer: 'addresses', file, mode: 'replace', confirmed: true });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.swap).toBe('merge');
    expect(summary.written).toEqual({ inserted: 3, updated: 0, deleted: 0 });
    const { rows } = await db.query<{ id: string }>('SELECT id FROM addresses ORDER BY fid');
    expect(rows.map((r) => r.id)).toEqual(['35023_9001_00001', '35023_9001_00003', '35023_9001_00005']);
    const words = await db.query<{ n: number }>(`SELECT count(*) AS n FROM search_words WHERE word = 'vides'`);
    expect(words.rows[0]!.n).toBe(1);
  });
});
