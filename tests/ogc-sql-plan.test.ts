// The plans of the OGC items SQL as the server runs it: a named statement, which PostgreSQL plans
// once with its parameters unknown (the generic plan). Read with EXPLAIN on the test database;
// no timing is asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { featurePageSql, prepareLayerSql } from '../server/features/feature-sql.ts';
import { parseFeatureQuery } from '../server/features/ogc-query.ts';
import { openTestDatabase } from './helpers/test-db.ts';

const parcels = prepareLayerSql(createLayerRegistry().all.find((l) => l.id === 'parcels')!);

/** The generic plan of `sql` (its parameters as PREPARE infers them from their casts), with every expression each node evaluates. */
async function genericPlanOf(db: Database, sql: string, values: readonly number[]): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await tx.query(`PREPARE ogc_plan_test AS ${sql}`);
    try {
      // EXECUTE takes its arguments as SQL text; these are numbers made by the test.
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) EXECUTE ogc_plan_test(${values.join(', ')})`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await tx.query('DEALLOCATE ogc_plan_test');
    }
  });
}

/** The plan lines evaluated for each candidate row. */
const rowConditions = (plan: string) => plan.split('\n').filter((l) => /^\s*(Filter|Recheck Cond|Index Cond):/.test(l)).join('\n');

describe('OGC items SQL plans', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it('builds the bbox once per statement, not once per candidate row, in the generic plan', async () => {
    for (const [bbox, crs] of [['-1.95,48.13,-1.94,48.137', undefined], ['320000,6780000,330000,6790000', 'http://www.opengis.net/def/crs/EPSG/0/2154']] as const) {
      const q = parseFeatureQuery({ bbox, limit: '100', ...(crs ? { 'bbox-crs': crs } : {}) }, parcels);
      const { text, values } = featurePageSql(parcels, q, { size: 100, start: { offset: 0 }, count: true });
      const conditions = rowConditions(await genericPlanOf(db, text, values as number[])).toLowerCase();
      expect(conditions, bbox).toMatch(/st_intersects/);
      expect(conditions, bbox).not.toMatch(/st_makebox2d|st_makepoint|st_setsrid|st_transform|st_segmentize/);
    }
  });
});
