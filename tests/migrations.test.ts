// Migrations: the same history applies on both databases, rolls back and applies again, and the
// start-up check catches any drift between the tables and the layer descriptions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { migrateLatest, migrateRollbackAll } from '../core/db/migrate.ts';
import { CatalogMismatchError, checkCatalog, findCatalogMismatches } from '../core/layers/catalog-check.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';
import { MIGRATIONS } from '../migrations/index.ts';
import { openTestDatabase } from './helpers/test-db.ts';

describe('migrations', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase({ prepared: false });
  });
  afterAll(async () => db?.close());

  it('apply on a brand-new database and say it was brand new', async () => {
    const outcome = await migrateLatest(db);
    expect(outcome.brandNew).toBe(true);
    expect(outcome.applied).toEqual(MIGRATIONS.map(([name]) => name));
    expect(await findCatalogMismatches(db, ALL_LAYERS)).toEqual([]);
  });

  it('are a no-op when run again, and the database is no longer brand new', async () => {
    const outcome = await migrateLatest(db);
    expect(outcome).toEqual({ brandNew: false, applied: [] });
  });

  it('roll back completely and apply again', async () => {
    await migrateRollbackAll(db);
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)`,
      [ALL_LAYERS.map((l) => l.id)],
    );
    expect(rows[0]!.n).toBe(0);
    const outcome = await migrateLatest(db);
    expect(outcome.applied).toHaveLength(MIGRATIONS.length);
    expect(await findCatalogMismatches(db, ALL_LAYERS)).toEqual([]);
  });

  it('load the eight real communes of the territory', async () => {
    const { rows } = await db.query<{ nom: string }>('SELECT nom FROM communes ORDER BY nom');
    expect(rows.map((r) => r.nom)).toEqual([
      'Breteil', 'Bédée', 'Iffendic', 'La Nouaye', 'Montfort-sur-Meu', 'Pleumeleuc', 'Saint-Gonlay', 'Talensac',
    ].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('keep the 3857 tile geometry and the lot area in step with the stored geometry', async () => {
    const zone = await db.query<{ id: number }>(
      `INSERT INTO business_zones (code, name, geom)
       VALUES ('T-1', 'Test', ST_Multi(ST_GeomFromText('POLYGON((-1.96 48.14,-1.95 48.14,-1.95 48.145,-1.96 48.14))', 4326)))
       RETURNING id`,
    );
    const { rows } = await db.query<{ same: boolean; area_m2: number; version: number }>(
      `INSERT INTO zone_lots (zone_id, lot_number, status, geom)
       VALUES ($1, '1', 'available', ST_Multi(ST_GeomFromText('POLYGON((-1.96 48.14,-1.959 48.14,-1.959 48.141,-1.96 48.14))', 4326)))
       RETURNING ST_Equals(geom_3857, ST_Transform(geom, 3857)) AS same, area_m2, version`,
      [zone.rows[0]!.id],
    );
    expect(rows[0]!.same).toBe(true);
    // 0.001° × 0.001° / 2 at 48.14°N ≈ 111.2 m × 74.3 m / 2
    expect(rows[0]!.area_m2).toBeGreaterThan(4000);
    expect(rows[0]!.area_m2).toBeLessThan(4300);
    const updated = await db.query<{ version: number }>(`UPDATE zone_lots SET status = 'sold' RETURNING version`);
    expect(updated.rows[0]!.version).toBe(2);
  });
});

describe('start-up check of the catalog against the layer descriptions', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it('passes on the migrated database', async () => {
    await expect(checkCatalog(db, ALL_LAYERS)).resolves.toBeUndefined();
  });

  it('reports a column the description does not know and one it misses', async () => {
    await db.query('ALTER TABLE wifi_hotspots ADD COLUMN ssid text');
    await db.query('ALTER TABLE wifi_hotspots DROP COLUMN access');
    const problems = await findCatalogMismatches(db, ALL_LAYERS);
    expect(problems).toContain('wifi_hotspots.ssid: column is not in the layer description');
    expect(problems).toContain('wifi_hotspots.access: column is missing — write a migration that adds it');
    await expect(checkCatalog(db, ALL_LAYERS)).rejects.toBeInstanceOf(CatalogMismatchError);
  });

  it('reports a wrong column type, a nullable required column and a missing spatial index', async () => {
    await db.query('ALTER TABLE parcels ALTER COLUMN contenance TYPE text');
    await db.query('ALTER TABLE parcels ALTER COLUMN section DROP NOT NULL');
    await db.query('DROP INDEX parcels_geom_3857_gix');
    const problems = await findCatalogMismatches(db, ALL_LAYERS);
    expect(problems).toContain('parcels.contenance: column type text, description expects int4 or int8 or int2');
    expect(problems).toContain('parcels.section: column is nullable, description says required');
    expect(problems).toContain('parcels.geom_3857: no GiST index');
  });

  it('reports a missing table', async () => {
    await db.query('DROP TABLE incidents CASCADE');
    expect(await findCatalogMismatches(db, ALL_LAYERS)).toContain('incidents: table is missing');
  });
});
