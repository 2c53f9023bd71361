// Vector tiles through the real app on the demo data: goldens across zooms per layer (shared by both
// databases), layers/properties/ids/zoom ranges, no private data anywhere, exact error codes,
// ETag/304/gzip, TileJSON, freshness across two app instances, and GDAL reading a tile.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../core/db/database.ts';
import { ident, publicRowFilter } from '../core/layers/layer-sql.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { tileFields } from '../server/tiles/tilejson.ts';
import { detectTileProducer } from '../server/tiles/tile-producers.ts';
import { checkTileGolden, decodeTile, tileAt, type DecodedTile } from './helpers/tile-golden.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { describeUnless, missingGdal } from './helpers/skip.ts';

const LAYERS = createLayerRegistry().all.filter((l) => l.public);
const ALL_IDS = LAYERS.map((l) => l.id).join(',');

interface Tile { z: number; x: number; y: number }

/** Every tile at zoom z that a WGS84 box touches. */
function tilesCovering([west, south, east, north]: number[], z: number): Tile[] {
  const a = tileAt(west!, north!, z);
  const b = tileAt(east!, south!, z);
  const tiles: Tile[] = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) tiles.push({ z, x, y });
  return tiles;
}

const path = (layers: string, t: Tile) => `/tiles/${layers}/${t.z}/${t.x}/${t.y}.mvt`;

/** A point on a layer's first public feature (by feature id): where its golden tiles are cut. */
async function firstFeaturePoint(db: Database, layer: LayerDef): Promise<[number, number]> {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `SELECT round(ST_X(p)::numeric, 6)::float8 AS lon, round(ST_Y(p)::numeric, 6)::float8 AS lat
       FROM (SELECT ST_PointOnSurface(t.geom) AS p FROM ${ident(layer.id)} t WHERE ${publicRowFilter(layer)}
              ORDER BY t.${ident(layer.featureIdColumn)} LIMIT 1) s`,
  );
  return [rows[0]!.lon, rows[0]!.lat];
}

/** Raw response bytes (no transparent decompression, unlike fetch). */
function getRaw(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((ok, fail) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', fail).end();
  });
}

describe('vector tiles', () => {
  let server: TestServer;
  const get = (p: string, init?: RequestInit) => fetch(server.url + p, init);
  const tileOf = async (layers: string, t: Tile): Promise<DecodedTile> => {
    const res = await get(path(layers, t));
    if (res.status === 204) return {};
    expect(res.status, path(layers, t)).toBe(200);
    return decodeTile(new Uint8Array(await res.arrayBuffer()));
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  describe('goldens', () => {
    for (const layer of LAYERS) {
      const zooms = [...new Set([layer.minzoom, Math.min(layer.minzoom + 2, layer.maxzoom), layer.maxzoom])];
      it(`serves ${layer.id} as in its goldens at zooms ${zooms.join(', ')}`, async () => {
        const [lon, lat] = await firstFeaturePoint(server.db, layer);
        for (const z of zooms) {
          const t = tileAt(lon, lat, z);
          const decoded = await tileOf(layer.id, t);
          expect(Object.keys(decoded)).toEqual([layer.id]);
          expect(checkTileGolden(`${layer.id}-z${z}`, path(layer.id, t), decoded)).toEqual([]);
        }
      });
    }

    it('serves all layers in one tile, one MVT layer per id, as in its golden', async () => {
      const [lon, lat] = await firstFeaturePoint(server.db, LAYERS.find((l) => l.id === 'zone_lots')!);
      const t = tileAt(lon, lat, 16);
      const decoded = await tileOf(ALL_IDS, t);
      expect(Object.keys(decoded).length).toBeGreaterThan(3);
      expect(checkTileGolden('all-layers-z16', path(ALL_IDS, t), decoded)).toEqual([]);
    });
  });

  describe('content', () => {
    it('names each MVT layer by its id, with extent 4096 and version 2', async () => {
      const [lon, lat] = await firstFeaturePoint(server.db, LAYERS.find((l) => l.id === 'zone_lots')!);
      const decoded = await tileOf('zone_lots,business_zones', tileAt(lon, lat, 15));
      expect(Object.keys(decoded).sort()).toEqual(['business_zones', 'zone_lots']);
      for (const layer of Object.values(decoded)) {
        expect(layer.extent).toBe(4096);
        expect(layer.version).toBe(2);
      }
    });

    it('gives text-id features their integer surrogate as MVT id and their national id as "id"', async () => {
      for (const layer of LAYERS.filter((l) => l.idType === 'text')) {
        const [lon, lat] = await firstFeaturePoint(server.db, layer);
        const features = (await tileOf(layer.id, tileAt(lon, lat, layer.maxzoom)))[layer.id]!.features;
        expect(features.length).toBeGreaterThan(0);
        const { rows } = await server.db.query<{ fid: number; id: string }>(
          `SELECT fid, id FROM ${ident(layer.id)} WHERE fid = ANY($1::bigint[])`, [features.map((f) => f.id)]);
        const textIds = new Map(rows.map((r) => [r.fid, r.id]));
        for (const f of features) {
          expect(Number.isInteger(f.id)).toBe(true);
          expect(f.properties.id).toBe(textIds.get(f.id!));
        }
      }
    });

    it('carries the current values of the database rows', async () => {
      const lots = LAYERS.find((l) => l.id === 'zone_lots')!;
      const [lon, lat] = await firstFeaturePoint(server.db, lots);
      const features = (await tileOf('zone_lots', tileAt(lon, lat, 16))).zone_lots!.features;
      const { rows } = await server.db.query<{ id: number; status: string; lot_number: string; price_per_m2: number | null }>(
        'SELECT id, status, lot_number, price_per_m2::float8 AS price_per_m2 FROM zone_lots WHERE id = ANY($1::int[])',
        [features.map((f) => f.id)]);
      expect(rows).toHaveLength(features.length);
      for (const row of rows) {
        const f = features.find((x) => x.id === row.id)!;
        expect(f.properties.status).toBe(row.status);
        expect(f.properties.lot_number).toBe(row.lot_number);
        expect(f.properties.price_per_m2).toBe(row.price_per_m2 ?? undefined);
      }
    });

    it('leaves a layer out of tiles outside its zoom range, and answers 204 when no layer is left', async () => {
      const parcels = LAYERS.find((l) => l.id === 'parcels')!;
      const [lon, lat] = await firstFeaturePoint(server.db, parcels);
      const below = tileAt(lon, lat, parcels.minzoom - 1);
      expect((await get(path('parcels', below))).status).toBe(204);
      expect(Object.keys(await tileOf('parcels,zone_lots,fibre_phases', below))).not.toContain('parcels');
      const inRange = await tileOf('parcels', tileAt(lon, lat, parcels.minzoom));
      expect(inRange.parcels!.features.length).toBeGreaterThan(0);
      expect((await get(path('parcels', tileAt(lon, lat, parcels.maxzoom + 1)))).status).toBe(204);
    });

    it('picks ST_AsMVT on PostGIS with protobuf and the JS encoder on the embedded database, by asking it', async () => {
      const producer = await detectTileProducer(server.db);
      expect(producer.name).toBe(server.db.kind === 'postgis' ? 'asmvt' : 'js');
      // No statement failed on the way: the embedded server would have dropped the connection.
      expect((await server.db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    });

    it('answers 204 with no body for a tile with no feature in it', async () => {
      const res = await get('/tiles/zone_lots/16/0/0.mvt');
      expect(res.status).toBe(204);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
      expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    });
  });

  describe('privacy', () => {
    let scanned: DecodedTile[];
    beforeAll(async () => {
      // Every public feature of every layer, in all-layer tiles: for each layer, the tiles its
      // features touch at its scan zoom (its minzoom, z12 at the earliest so that big polygons stay
      // a few tiles), plus z10 over everything for the simplified low-zoom output.
      const addresses = new Set<string>();
      const extents: number[][] = [];
      for (const layer of LAYERS) {
        const { rows } = await server.db.query<{ b: number[] }>(
          `SELECT ARRAY[ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)]::float8[] AS b
             FROM ${ident(layer.id)} t WHERE ${publicRowFilter(layer)}`);
        for (const { b } of rows) {
          extents.push(b);
          for (const t of tilesCovering(b, Math.max(layer.minzoom, 12))) addresses.add(path(ALL_IDS, t));
        }
      }
      const all = [0, 1, 2, 3].map((i) => (i < 2 ? Math.min : Math.max)(...extents.map((b) => b[i]!)));
      for (const t of tilesCovering(all, 10)) addresses.add(path(ALL_IDS, t));
      scanned = [];
      for (const p of addresses) {
        const res = await get(p);
        scanned.push(res.status === 204 ? {} : decodeTile(new Uint8Array(await res.arrayBuffer())));
      }
    }, 240_000);

    it('never puts a private property or an e-mail address in any tile', async () => {
      const email = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
      let values = 0;
      for (const tile of scanned) {
        for (const [name, layer] of Object.entries(tile)) {
          const allowed = Object.keys(tileFields(LAYERS.find((l) => l.id === name)!));
          for (const f of layer.features) {
            for (const [key, value] of Object.entries(f.properties)) {
              expect(allowed, `${name}.${key}`).toContain(key);
              expect(key).not.toMatch(/^reporter_|^notes$|^published$/);
              if (typeof value === 'string') expect(value).not.toMatch(email);
              values++;
            }
          }
        }
      }
      expect(values).toBeGreaterThan(1000);
    });

    it('shows exactly the published incidents, and every public feature of every layer somewhere', async () => {
      for (const layer of LAYERS) {
        const seen = new Set(scanned.flatMap((tile) => tile[layer.id]?.features.map((f) => f.id) ?? []));
        const { rows } = await server.db.query<{ id: number }>(
          `SELECT t.${ident(layer.featureIdColumn)} AS id FROM ${ident(layer.id)} t WHERE ${publicRowFilter(layer)}`);
        expect(rows.length, layer.id).toBeGreaterThan(0);
        expect([...seen].sort((a, b) => a! - b!), layer.id).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
      }
      const hidden = await server.db.query<{ id: number }>('SELECT id FROM incidents WHERE NOT published');
      expect(hidden.rows.length).toBeGreaterThan(0);
    });
  });

  describe('errors', () => {
    const cases: [string, number, string][] = [
      ['/tiles/zone_lots/23/0/0.mvt', 400, 'z above 22'],
      ['/tiles/zone_lots/-1/0/0.mvt', 400, 'negative z'],
      ['/tiles/zone_lots/2/4/0.mvt', 400, 'x outside the grid'],
      ['/tiles/zone_lots/2/0/4.mvt', 400, 'y outside the grid'],
      ['/tiles/zone_lots/0/1/0.mvt', 400, 'x outside the single z0 tile'],
      ['/tiles/zone_lots/a/0/0.mvt', 400, 'non-numeric z'],
      ['/tiles/zone_lots/1/x/0.mvt', 400, 'non-numeric x'],
      ['/tiles/zone_lots/1/0/y.mvt', 400, 'non-numeric y'],
      ['/tiles/zone_lots/1.5/0/0.mvt', 400, 'fractional z'],
      ['/tiles/zone_lots/1/0/1e0.mvt', 400, 'exponent in y'],
      ['/tiles/zone_lots/99999999999999999999/0/0.mvt', 400, 'huge z'],
      ['/tiles/zone_lots,,parcels/1/0/0.mvt', 400, 'an empty layer id'],
      ['/tiles/zone_lots,zone_lots/1/0/0.mvt', 400, 'a layer twice'],
      ['/tiles/nope/1/0/0.mvt', 404, 'an unknown layer'],
      ['/tiles/zone_lots,nope/1/0/0.mvt', 404, 'an unknown layer among known ones'],
      ['/tiles/users/1/0/0.mvt', 404, 'a table that is no layer'],
      ['/tiles/nope.json', 404, 'TileJSON of an unknown layer'],
      ['/tiles/zone_lots,,parcels.json', 400, 'TileJSON of a malformed list'],
    ];
    for (const [p, status, what] of cases) {
      it(`answers ${status} with a JSON reason for ${what} (${p})`, async () => {
        const res = await get(p);
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await res.json()) as { code: string; description: string };
        expect(body.code).toBe(status === 400 ? 'InvalidParameterValue' : 'NotFound');
        expect(body.description.length).toBeGreaterThan(5);
      });
    }
  });

  describe('HTTP caching', () => {
    let lotTile: Tile;
    beforeAll(async () => {
      const [lon, lat] = await firstFeaturePoint(server.db, LAYERS.find((l) => l.id === 'zone_lots')!);
      lotTile = tileAt(lon, lat, 15);
    });

    it('sends a strong ETag and Cache-Control, and 304 without a body on If-None-Match', async () => {
      const first = await getRaw(server.url + path('zone_lots', lotTile));
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(first.headers['cache-control']).toBe('public, no-cache');
      const again = await getRaw(server.url + path('zone_lots', lotTile));
      expect(again.headers.etag).toBe(etag);
      expect(again.body.equals(first.body)).toBe(true);
      for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const conditional = await getRaw(server.url + path('zone_lots', lotTile), { 'If-None-Match': header });
        expect(conditional.status, header).toBe(304);
        expect(conditional.body.length).toBe(0);
        expect(conditional.headers.etag).toBe(etag);
      }
      const stale = await getRaw(server.url + path('zone_lots', lotTile), { 'If-None-Match': '"something-else"' });
      expect(stale.status).toBe(200);
    });

    it('gives another tile or another layer set another ETag', async () => {
      const etag = async (p: string) => (await get(p)).headers.get('etag');
      const a = await etag(path('zone_lots', lotTile));
      expect(await etag(path('zone_lots,business_zones', lotTile))).not.toBe(a);
      expect(await etag(path('zone_lots', { ...lotTile, x: lotTile.x + 1 }))).not.toBe(a);
    });

    it('gzips tiles for clients that accept it, under their own ETag that also validates', async () => {
      const plain = await getRaw(server.url + path(ALL_IDS, { ...lotTile, z: 15 }));
      expect(plain.body.length).toBeGreaterThan(1024);
      expect(plain.headers['content-encoding']).toBeUndefined();
      const zipped = await getRaw(server.url + path(ALL_IDS, { ...lotTile, z: 15 }), { 'Accept-Encoding': 'gzip, deflate, br' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toMatch(/Accept-Encoding/i);
      expect(zipped.body.length).toBeLessThan(plain.body.length);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
      expect(zipped.headers.etag).not.toBe(plain.headers.etag);
      const revalidated = await getRaw(server.url + path(ALL_IDS, { ...lotTile, z: 15 }),
        { 'Accept-Encoding': 'gzip', 'If-None-Match': zipped.headers.etag as string });
      expect(revalidated.status).toBe(304);
    });

    it('uses TILE_MAX_AGE for Cache-Control', async () => {
      const other = await startTestServer({ db: server.db, env: { TILE_MAX_AGE: '3600' } });
      try {
        expect((await fetch(other.url + path('zone_lots', lotTile))).headers.get('cache-control')).toBe('public, max-age=3600');
        // TileJSON's tile URLs come from the request's Host here (no PUBLIC_BASE_URL): no shared cache may keep it.
        expect((await fetch(other.url + '/tiles/zone_lots.json')).headers.get('cache-control')).toBe('private, max-age=3600');
      } finally {
        await other.close();
      }
    });
  });

  describe('TileJSON', () => {
    interface TileJson {
      tilejson: string; tiles: string[]; minzoom: number; maxzoom: number; bounds: number[]; center: number[];
      vector_layers: { id: string; fields: Record<string, string>; minzoom: number; maxzoom: number }[]; data_version: string;
    }

    it('describes a layer set: tiles URL from the request host, layers with fields and zooms, bounds and centre from the data', async () => {
      const res = await get('/tiles/zone_lots,parcels.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
      const tj = (await res.json()) as TileJson;
      expect(tj.tilejson).toBe('3.0.0');
      // The URL carries the set's data version: a token, see tiles-immutable.test.ts.
      expect(tj.tiles).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/tiles\/parcels,zone_lots\/\{z\}\/\{x\}\/\{y\}\.mvt\?v=[\w-]{16}$/)]);
      expect(tj.tiles[0]!.startsWith(`${server.url}/`)).toBe(true);
      expect(tj.vector_layers.map((l) => l.id)).toEqual(['parcels', 'zone_lots']);
      const parcels = LAYERS.find((l) => l.id === 'parcels')!;
      expect(tj.vector_layers[0]).toMatchObject({ minzoom: parcels.minzoom, maxzoom: parcels.maxzoom, fields: tileFields(parcels) });
      expect(tj.vector_layers[1]!.fields).not.toHaveProperty('notes');
      expect(tj.minzoom).toBe(Math.min(...LAYERS.filter((l) => ['parcels', 'zone_lots'].includes(l.id)).map((l) => l.minzoom)));
      const { rows } = await server.db.query<{ b: number[] }>(
        `SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]::float8[] AS b
           FROM (SELECT ST_Extent(geom) AS e FROM (SELECT geom FROM zone_lots UNION ALL SELECT geom FROM parcels) u) s`);
      tj.bounds.forEach((v, i) => expect(v).toBeCloseTo(rows[0]!.b[i]!, 5));
      expect(tj.center[0]).toBeGreaterThan(tj.bounds[0]!);
      expect(tj.center[0]).toBeLessThan(tj.bounds[2]!);
      expect(tj.center[2]).toBe(tj.minzoom);
      // The database identity, then each layer's write count and stamp.
      expect(tj.data_version).toMatch(/^[\w-]{12}\/parcels:\d+\.[0-9a-f]{8},zone_lots:\d+\.[0-9a-f]{8}$/);
    });

    it('builds the tiles URL from X-Forwarded-Proto and -Host behind a trusted proxy only', async () => {
      const headers = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'carto.example.fr' };
      const direct = (await (await get('/tiles/zone_lots.json', { headers })).json()) as TileJson;
      expect(direct.tiles[0]).toMatch(new RegExp(`^${server.url}/tiles/zone_lots/\\{z\\}/\\{x\\}/\\{y\\}\\.mvt\\?v=`));
      const proxied = await startTestServer({ db: server.db, env: { TRUST_PROXY: '1' } });
      try {
        const tj = (await (await fetch(`${proxied.url}/tiles/zone_lots.json`, { headers })).json()) as TileJson;
        expect(tj.tiles[0]).toMatch(/^https:\/\/carto\.example\.fr\/tiles\/zone_lots\/\{z\}\/\{x\}\/\{y\}\.mvt\?v=/);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('freshness across instances', () => {
    let second: TestServer;
    let secondDb: Database;
    beforeAll(async () => {
      // Two app instances on one database: on PostGIS each has its own connection pool; the embedded
      // database has a single connection, so there the two apps share it.
      secondDb = server.db.kind === 'postgis'
        ? await openDatabase({ url: server.db.connection.connectionString!, dataDir: '', poolSize: 2 })
        : server.db;
      second = await startTestServer({ db: secondDb, env: { TILE_FRESHNESS_MS: '0' } });
    });
    afterAll(async () => {
      await second?.close();
      if (secondDb && secondDb !== server.db) await secondDb.close();
    });

    it('shows an edit made through another instance on the next tile request of each instance', async () => {
      const lots = LAYERS.find((l) => l.id === 'zone_lots')!;
      const [lon, lat] = await firstFeaturePoint(server.db, lots);
      const t = tileAt(lon, lat, 16);
      const { rows: [lot] } = await server.db.query<{ id: number; status: string }>('SELECT id, status FROM zone_lots ORDER BY id LIMIT 1');
      const statusIn = async (base: string) => {
        const res = await fetch(base + path('zone_lots', t));
        const decoded = decodeTile(new Uint8Array(await res.arrayBuffer()));
        return { etag: res.headers.get('etag')!, status: decoded.zone_lots!.features.find((f) => f.id === lot!.id)!.properties.status };
      };
      // Both instances have the tile in their caches.
      const before = await statusIn(server.url);
      expect(before.status).toBe(lot!.status);
      expect((await statusIn(second.url)).status).toBe(lot!.status);

      const next = lot!.status === 'sold' ? 'available' : 'sold';
      await secondDb.query('UPDATE zone_lots SET status = $1 WHERE id = $2', [next, lot!.id]);

      // The second instance re-reads the layer versions on every request (TILE_FRESHNESS_MS=0).
      expect((await statusIn(second.url)).status).toBe(next);
      // The first one keeps its default window: a write shows once TILE_FRESHNESS_MS has passed.
      await new Promise((ok) => setTimeout(ok, server.config.tileFreshnessMs + 50));
      const after = await statusIn(server.url);
      expect(after.status).toBe(next);
      expect(after.etag).not.toBe(before.etag);
      const revalidation = await fetch(server.url + path('zone_lots', t), { headers: { 'If-None-Match': before.etag } });
      expect(revalidation.status).toBe(200);
    });

    it('bumps a layer version on insert, update, delete and truncate, and TileJSON shows it', async () => {
      const version = async () => (await server.db.query<{ version: number }>(
        "SELECT version FROM layer_versions WHERE layer = 'wifi_hotspots'")).rows[0]!.version;
      const v0 = await version();
      const { rows: [hotspot] } = await server.db.query<{ id: number }>(
        `INSERT INTO wifi_hotspots (name, kind, status, geom) VALUES ('Test', 'outdoor', 'active',
           ST_SetSRID(ST_MakePoint(-1.96, 48.14), 4326)) RETURNING id`);
      expect(await version()).toBe(v0 + 1);
      await server.db.query("UPDATE wifi_hotspots SET status = 'planned' WHERE id = $1", [hotspot!.id]);
      expect(await version()).toBe(v0 + 2);
      await server.db.query('DELETE FROM wifi_hotspots WHERE id = $1', [hotspot!.id]);
      expect(await version()).toBe(v0 + 3);
      const truncated = await server.db.transaction(async (tx) => {
        await tx.query('TRUNCATE wifi_hotspots');
        const { rows } = await tx.query<{ version: number }>("SELECT version FROM layer_versions WHERE layer = 'wifi_hotspots'");
        throw Object.assign(new Error('roll back'), { version: rows[0]!.version });
      }).catch((error: { version: number }) => error.version);
      expect(truncated).toBe(v0 + 4);
      const tj = (await (await fetch(`${second.url}/tiles/wifi_hotspots.json`)).json()) as { data_version: string };
      expect(tj.data_version).toMatch(new RegExp(`/wifi_hotspots:${v0 + 3}\\.[0-9a-f]{8}$`));
    });
  });

  // GDAL's MVT driver is a real client other than our decoder; where gdal-bin is not installed
  // (it is in CI: .ci/run installs it) there is nothing to read the tile with.
  describeUnless(missingGdal(), 'GDAL', () => {
    it('reads a saved tile with ogrinfo and the MVT driver and finds the features with their properties', async () => {
      const lots = LAYERS.find((l) => l.id === 'zone_lots')!;
      const [lon, lat] = await firstFeaturePoint(server.db, lots);
      const t = tileAt(lon, lat, 16);
      const res = await get(path('zone_lots,business_zones', t));
      const bytes = new Uint8Array(await res.arrayBuffer());
      const expected = decodeTile(bytes);
      const dir = mkdtempSync(join(tmpdir(), 'websig-mvt-'));
      try {
        const file = join(dir, 'tile.mvt');
        writeFileSync(file, bytes);
        const { stdout } = await promisify(execFile)('ogrinfo',
          ['-ro', '-al', '-oo', `X=${t.x}`, '-oo', `Y=${t.y}`, '-oo', `Z=${t.z}`, file]);
        for (const [name, layer] of Object.entries(expected)) {
          expect(stdout).toContain(`Layer name: ${name}`);
          expect(stdout).toMatch(new RegExp(`Layer name: ${name}[\\s\\S]*?Feature Count: ${layer.features.length}\\b`));
        }
        const lot = expected.zone_lots!.features[0]!;
        expect(stdout).toMatch(new RegExp(`mvt_id \\(Integer64\\) = ${lot.id}\\n\\s+zone_id \\(Integer(64)?\\) = ${lot.properties.zone_id}\\n`));
        expect(stdout).toContain(`lot_number (String) = ${lot.properties.lot_number}`);
        expect(stdout).toContain('ID["EPSG",3857]');
        // Georeferenced where the tile is: every layer's extent inside the tile grown by its buffer.
        const size = 40075016.68557849 / 2 ** t.z;
        const [west, north] = [-20037508.342789244 + t.x * size, 20037508.342789244 - t.y * size];
        const margin = size * (64 / 4096) + 1;
        for (const m of stdout.matchAll(/Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)/g)) {
          const [x1, y1, x2, y2] = m.slice(1).map(Number) as [number, number, number, number];
          expect(x1).toBeGreaterThanOrEqual(west - margin);
          expect(x2).toBeLessThanOrEqual(west + size + margin);
          expect(y1).toBeGreaterThanOrEqual(north - size - margin);
          expect(y2).toBeLessThanOrEqual(north + margin);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
