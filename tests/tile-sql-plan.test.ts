// The plans of the tile SQL, read with EXPLAIN on the test database: each costly tile step runs
// once per candidate row, and candidates are found through the GiST index on the tile geometry.
// Plans are what the database would do; no timing is asserted.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { buildMvtTileSql, buildPortableTileSql } from '../server/tiles/tile-sql.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { describeUnless, missingPostgis } from './helpers/skip.ts';

const LAYERS = createLayerRegistry().all.filter((l) => l.public);
const parcels = LAYERS.find((l) => l.id === 'parcels')!;
/** A z16 tile over Montfort-sur-Meu. */
const TILE = [16, 32408, 22704];

/** The plan of `sql` at TILE as text, with every expression each node evaluates (VERBOSE). */
async function planOf(db: Database, sql: string, settings: string[] = []): Promise<string> {
  return db.transaction(async (tx) => {
    for (const s of settings) await tx.query(s);
    const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) ${sql}`, TILE);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/**
 * The plan lines that filter rows. A costly function there runs once to filter and again for the
 * output (VERBOSE prints an output computed below a node again on the node that reads it, so
 * counting names in Output lines would count reads, not runs).
 */
const filters = (plan: string) => plan.split('\n').filter((l) => /^\s*(Filter|Join Filter|Recheck Cond|Index Cond):/.test(l)).join('\n');

describe('tile SQL plans', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it('finds each layer\'s candidate rows through the GiST index on its tile geometry (portable SQL)', async () => {
    // With sequential scans priced out, a condition the index can serve must use it.
    const plan = await planOf(db, buildPortableTileSql(LAYERS), ['SET LOCAL enable_seqscan = off']);
    for (const layer of LAYERS) expect(plan, layer.id).toContain(`${layer.id}_geom_3857_gix`);
  });

  it('clips and repairs each candidate once in the portable SQL, never in a filter that would repeat it', async () => {
    const plan = await planOf(db, buildPortableTileSql([parcels]));
    expect(plan.toLowerCase()).toContain('st_clipbybox2d');
    expect(filters(plan).toLowerCase()).not.toMatch(/st_clipbybox2d|st_makevalid/);
  });

  // PostGIS only: the embedded PostGIS has no protobuf, so no ST_AsMVT plan to check there.
  describeUnless(missingPostgis(inject('databaseUrl')), 'with ST_AsMVT (PostGIS)', () => {
    it('runs ST_AsMVTGeom once per candidate row, never in a filter that would repeat it', async () => {
      const plan = await planOf(db, buildMvtTileSql(LAYERS));
      expect(plan.toLowerCase()).toContain('st_asmvtgeom');
      expect(filters(plan).toLowerCase()).not.toContain('st_asmvtgeom');
    });

    it('finds candidate rows through the GiST index on the tile geometry', async () => {
      const plan = await planOf(db, buildMvtTileSql(LAYERS), ['SET LOCAL enable_seqscan = off']);
      for (const layer of LAYERS) expect(plan, layer.id).toContain(`${layer.id}_geom_3857_gix`);
    });
  });
});
