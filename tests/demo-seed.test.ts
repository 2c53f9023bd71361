// The demo seed as the database stores it: valid geometries inside the territory, and the very
// same rows on PostGIS and on the embedded database (both runs check one golden digest).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Database } from '../core/db/database.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';
import { ident } from '../core/layers/layer-sql.ts';
import { openTestDatabase } from './helpers/test-db.ts';

const GOLDEN = new URL('./golden/demo-seed.sha256.json', import.meta.url);

/** sha256 of a layer's rows in id order: every stored property (not the computed ones) and the geometry. */
async function digestLayer(db: Database, layerId: string): Promise<string> {
  const layer = ALL_LAYERS.find((l) => l.id === layerId)!;
  const columns = ['id', ...layer.properties.filter((p) => !p.computed).map((p) => p.name)];
  const { rows } = await db.query(
    `SELECT ${columns.map(ident).join(', ')}, ST_AsGeoJSON(geom, 7) AS geometry FROM ${ident(layer.id)} ORDER BY id`,
  );
  const hash = createHash('sha256');
  for (const row of rows) {
    // Re-serialising the GeoJSON makes the digest independent of each PostGIS version's number printing.
    const normalised = { ...row, geometry: JSON.parse(row.geometry as string) };
    hash.update(JSON.stringify(normalised, (_k, v) => (v instanceof Date ? v.toISOString() : v)) + '\n');
  }
  return hash.digest('hex');
}

describe('demo seed in the database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it('fills every layer', async () => {
    for (const layer of ALL_LAYERS) {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${ident(layer.id)}`);
      expect(rows[0]!.n, layer.id).toBeGreaterThan(0);
    }
  });

  it('stores only valid geometries (ST_IsValid) inside the territory', async () => {
    for (const layer of ALL_LAYERS) {
      const { rows } = await db.query<{ invalid: number; outside: number }>(
        `SELECT count(*) FILTER (WHERE NOT ST_IsValid(t.geom)) AS invalid,
                count(*) FILTER (WHERE NOT ST_CoveredBy(t.geom, territory.geom)) AS outside
           FROM ${ident(layer.id)} t, (SELECT ST_Union(geom) AS geom FROM communes) territory`,
      );
      expect(rows[0], layer.id).toEqual({ invalid: 0, outside: 0 });
    }
  });

  it('puts every lot inside its business zone', async () => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE NOT ST_CoveredBy(l.geom, z.geom)`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('stores the same rows on PostGIS and on the embedded database', async () => {
    const digests: Record<string, string> = {};
    for (const layer of ALL_LAYERS) digests[layer.id] = await digestLayer(db, layer.id);
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(GOLDEN, JSON.stringify(digests, null, 2) + '\n');
    }
    expect(digests).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });
});
