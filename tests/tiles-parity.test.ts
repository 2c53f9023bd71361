// Producer parity: PostGIS's ST_AsMVT and the portable SQL + JS encoder, on the same PostGIS data,
// give the same layers, features, ids and properties, and geometry within one tile unit.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { ident, publicRowFilter } from '../core/layers/layer-sql.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { createAsMvtProducer, createJsProducer, detectTileProducer } from '../server/tiles/tile-producers.ts';
import { compareTiles, decodeTile, ringArea, tileAt } from './helpers/tile-golden.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { describeUnless, missingPostgis } from './helpers/skip.ts';

const LAYERS = createLayerRegistry().all.filter((l) => l.public);

// ST_AsMVT needs PostGIS built with protobuf: the embedded database has none, so there is no second
// producer to compare with (the embedded output is held to the same goldens in tiles.test.ts instead).
describeUnless(missingPostgis(inject('databaseUrl')), 'tile producer parity on PostGIS', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it('detects ST_AsMVT on PostGIS with protobuf', async () => {
    expect((await detectTileProducer(db)).name).toBe('asmvt');
  });

  for (const layer of LAYERS) {
    it(`produces the same ${layer.id} tiles both ways at every zoom of its range`, async () => {
      const asmvt = createAsMvtProducer(db);
      const js = createJsProducer(db);
      // The tiles each feature's box touches, at every zoom the layer serves; at most 40 per zoom
      // (spread evenly) so that big polygons at z18 do not make thousands.
      const { rows } = await db.query<{ b: number[] }>(
        `SELECT ARRAY[ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)]::float8[] AS b
           FROM ${ident(layer.id)} t WHERE ${publicRowFilter(layer)} ORDER BY t.${ident(layer.featureIdColumn)}`);
      let compared = 0;
      let features = 0;
      for (let z = layer.minzoom; z <= layer.maxzoom; z++) {
        const tiles = new Map<string, { x: number; y: number }>();
        for (const { b } of rows) {
          const a = tileAt(b[0]!, b[3]!, z);
          const c = tileAt(b[2]!, b[1]!, z);
          for (let x = a.x; x <= c.x; x++) for (let y = a.y; y <= c.y; y++) tiles.set(`${x}/${y}`, { x, y });
        }
        const all = [...tiles.values()];
        const step = Math.max(1, Math.ceil(all.length / 40));
        for (let i = 0; i < all.length; i += step) {
          const coord = { z, ...all[i]! };
          const reference = decodeTile(await asmvt.produce([layer], coord));
          const portable = decodeTile(await js.produce([layer], coord));
          expect(compareTiles(portable, reference), `${layer.id} ${z}/${coord.x}/${coord.y}`).toEqual([]);
          for (const tile of [reference, portable]) {
            for (const f of tile[layer.id]?.features ?? []) {
              if (f.type === 'Polygon') expect(ringArea(f.geometry[0]!), `${layer.id} ${f.id} exterior ring`).toBeGreaterThan(0);
            }
          }
          compared++;
          features += reference[layer.id]?.features.length ?? 0;
        }
      }
      expect(compared).toBeGreaterThan(layer.maxzoom - layer.minzoom);
      expect(features).toBeGreaterThan(0);
    }, 120_000);
  }

  it('produces the same multi-layer tile both ways', async () => {
    const { rows } = await db.query<{ lon: number; lat: number }>(
      'SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM zone_lots ORDER BY id LIMIT 1) s');
    for (const z of [12, 15, 16]) {
      const coord = tileAt(rows[0]!.lon, rows[0]!.lat, z);
      const layers = LAYERS.filter((l) => z >= l.minzoom && z <= l.maxzoom);
      const reference = decodeTile(await createAsMvtProducer(db).produce(layers, coord));
      expect(Object.keys(reference).length).toBeGreaterThan(1);
      expect(compareTiles(decodeTile(await createJsProducer(db).produce(layers, coord)), reference)).toEqual([]);
    }
  });
});
