// Unit tests of the tile modules that need no database: URL parsers, ETag matching, the MVT encoder's
// winding, the byte-bounded cache, TileJSON helpers.
import { describe, expect, it } from 'vitest';
import { ClientError } from '../server/http/errors.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { layersAtZoom, parseLayerList, parseTileCoord } from '../server/tiles/tile-address.ts';
import { encodeTile, surveyorArea } from '../server/tiles/mvt-encode.ts';
import { createTileCache, type CachedTile } from '../server/tiles/tile-cache.ts';
import { gzipEtag, matchIfNoneMatch } from '../server/tiles/tiles.routes.ts';
import { buildTileJson, tileFields, unionBounds, WORLD_BOUNDS } from '../server/tiles/tilejson.ts';
import { buildMvtTileSql, buildPortableTileSql } from '../server/tiles/tile-sql.ts';
import { decodeTile, ringArea } from './helpers/tile-golden.ts';

const registry = createLayerRegistry();
const layer = (id: string) => registry.get(id)!;

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ClientError ? error.status : -1;
  }
  return undefined;
}

describe('tile addresses', () => {
  it('parses z/x/y inside the grid of their zoom', () => {
    expect(parseTileCoord('0', '0', '0')).toEqual({ z: 0, x: 0, y: 0 });
    expect(parseTileCoord('22', '4194303', '4194303')).toEqual({ z: 22, x: 4194303, y: 4194303 });
    expect(parseTileCoord('14', '08100', '5686')).toEqual({ z: 14, x: 8100, y: 5686 });
  });

  it('rejects with 400 a zoom above 22, a coordinate off the grid and anything but digits', () => {
    for (const [z, x, y] of [['23', '0', '0'], ['1', '2', '0'], ['1', '0', '2'], ['-1', '0', '0'], ['', '0', '0'],
      ['1.0', '0', '0'], ['1', '0x1', '0'], ['1', '1e0', '0'], ['1', ' 1', '0'], ['12345678901', '0', '0']]) {
      expect(statusOf(() => parseTileCoord(z!, x!, y!)), `${z}/${x}/${y}`).toBe(400);
    }
  });

  it('resolves a layer list in request order: 404 for an unknown id, 400 for an empty or repeated one', () => {
    expect(parseLayerList('zone_lots,parcels', registry.get).map((l) => l.id)).toEqual(['zone_lots', 'parcels']);
    expect(statusOf(() => parseLayerList('zone_lots,nope', registry.get))).toBe(404);
    expect(statusOf(() => parseLayerList('', registry.get))).toBe(400);
    expect(statusOf(() => parseLayerList('parcels,', registry.get))).toBe(400);
    expect(statusOf(() => parseLayerList('parcels,parcels', registry.get))).toBe(400);
  });

  it('keeps the layers whose zoom range holds the zoom', () => {
    const set = [layer('parcels'), layer('zone_lots'), layer('fibre_phases')];
    expect(layersAtZoom(set, layer('zone_lots').minzoom).map((l) => l.id)).toEqual(['zone_lots', 'fibre_phases']);
    expect(layersAtZoom(set, layer('parcels').minzoom).map((l) => l.id)).toEqual(['parcels', 'zone_lots', 'fibre_phases']);
    expect(layersAtZoom(set, 22)).toEqual([]);
  });
});

describe('conditional requests', () => {
  const etag = '"abc"';
  it('matches If-None-Match weakly, in a list, as * , and for the gzip representation too', () => {
    expect(matchIfNoneMatch('"abc"', etag)).toBe('"abc"');
    expect(matchIfNoneMatch('W/"abc"', etag)).toBe('"abc"');
    expect(matchIfNoneMatch('"x", "abc.gz"', etag)).toBe(gzipEtag(etag));
    expect(matchIfNoneMatch('*', etag)).toBe(etag);
    expect(matchIfNoneMatch('"abcd"', etag)).toBeUndefined();
    expect(matchIfNoneMatch(undefined, etag)).toBeUndefined();
    expect(gzipEtag(etag)).toBe('"abc.gz"');
  });
});

describe('MVT encoder', () => {
  it('writes exterior rings with positive and holes with negative surveyor area, whatever the input winding', () => {
    // A square with a square hole, both given in the "wrong" order for MVT.
    const outer = [[0, 0], [0, 100], [100, 100], [100, 0], [0, 0]];
    const hole = [[20, 20], [40, 20], [40, 40], [20, 40], [20, 20]];
    expect(surveyorArea(outer)).toBeLessThan(0);
    expect(surveyorArea(hole)).toBeGreaterThan(0);
    const bytes = encodeTile([{ name: 'l', features: [{ id: 7, properties: { a: 'x', n: 1.5, b: true, none: null },
      geometry: { type: 'Polygon', coordinates: [outer, hole] } }] }]);
    const f = decodeTile(bytes).l!.features[0]!;
    expect(f).toMatchObject({ id: 7, type: 'Polygon', properties: { a: 'x', n: 1.5, b: true } });
    expect(f.properties).not.toHaveProperty('none');
    expect(f.geometry).toHaveLength(2);
    expect(ringArea(f.geometry[0]!)).toBeGreaterThan(0);
    expect(ringArea(f.geometry[1]!)).toBeLessThan(0);
  });

  it('drops repeated points, flat rings and their holes, and features left without geometry', () => {
    const flat = [[0, 0], [10, 0], [20, 0], [0, 0]];
    const bytes = encodeTile([{ name: 'l', features: [
      { id: 1, properties: {}, geometry: { type: 'MultiPolygon', coordinates: [
        [[[0, 0], [10, 0], [10, 0], [10, 10], [0, 10], [0, 0]]], [flat, [[1, 1], [2, 1], [2, 2], [1, 1]]]] } },
      { id: 2, properties: {}, geometry: { type: 'Polygon', coordinates: [flat] } },
    ] }]);
    const features = decodeTile(bytes).l!.features;
    expect(features.map((f) => f.id)).toEqual([1]);
    expect(features[0]!.geometry).toEqual([[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]);
  });

  it('encodes points, one layer per name in the given order, and nothing at all for no feature', () => {
    const bytes = encodeTile([
      { name: 'a', features: [{ id: 1, properties: { k: 'v' }, geometry: { type: 'Point', coordinates: [5, 6] } }] },
      { name: 'b', features: [] },
    ]);
    expect(decodeTile(bytes)).toEqual({ a: { version: 2, extent: 4096, features: [
      { id: 1, type: 'Point', properties: { k: 'v' }, geometry: [[[5, 6]]] }] } });
    expect(encodeTile([{ name: 'b', features: [] }]).length).toBe(0);
  });
});

describe('tile cache', () => {
  const tile = (bytes: number): CachedTile => ({ body: Buffer.alloc(bytes), etag: '"e"' });

  it('produces a tile once while requests for it are in flight, then serves it from memory', async () => {
    const cache = createTileCache(1 << 20);
    let produced = 0;
    const produce = async () => {
      produced++;
      await new Promise((ok) => setTimeout(ok, 5));
      return tile(10);
    };
    const [a, b] = await Promise.all([cache.load('k', produce), cache.load('k', produce)]);
    expect(a).toBe(b);
    expect(await cache.load('k', produce)).toBe(a);
    expect(produced).toBe(1);
  });

  it('evicts the least recently used tiles beyond its size in bytes', async () => {
    const cache = createTileCache(3000);
    let produced = 0;
    const load = (key: string) => cache.load(key, async () => (produced++, tile(1000)));
    await load('a');
    await load('b');
    await load('a');
    await load('c'); // over 3000 bytes with the overhead: "b" goes
    expect(produced).toBe(3);
    await load('a');
    expect(produced).toBe(3);
    await load('b');
    expect(produced).toBe(4);
  });

  it('keeps nothing and shares nothing when its size is 0', async () => {
    const cache = createTileCache(0);
    let produced = 0;
    await Promise.all([cache.load('k', async () => (produced++, tile(1))), cache.load('k', async () => (produced++, tile(1)))]);
    expect(produced).toBe(2);
    expect(cache.enabled).toBe(false);
  });
});

describe('TileJSON helpers and SQL', () => {
  it('lists the text id and public fields only, typed as tippecanoe does', () => {
    expect(tileFields(layer('parcels'))).toEqual({ id: 'String', commune: 'String', prefixe: 'String', section: 'String', numero: 'String', contenance: 'Number' });
    const incidents = tileFields(layer('incidents'));
    expect(incidents).not.toHaveProperty('reporter_email');
    expect(incidents).not.toHaveProperty('published');
    expect(incidents).toHaveProperty('requested_datetime', 'String');
  });

  it('unions bounds, and falls back to the Web Mercator world without data', () => {
    expect(unionBounds([[0, 1, 2, 3], undefined, [-1, 2, 1, 4]])).toEqual([-1, 1, 2, 4]);
    expect(unionBounds([undefined])).toEqual(WORLD_BOUNDS);
  });

  it('builds TileJSON 3.0.0 with the zoom span of its layers and a centre at the lowest zoom', () => {
    const tj = buildTileJson({ tilesUrl: 'https://x/tiles/a/{z}/{x}/{y}.mvt', layers: [layer('parcels'), layer('zone_lots')],
      bounds: [-2, 48, -1.8, 48.2], dataVersion: 'parcels:1,zone_lots:2' });
    expect(tj).toMatchObject({ tilejson: '3.0.0', minzoom: layer('zone_lots').minzoom, maxzoom: 18, center: [-1.9, 48.1, layer('zone_lots').minzoom] });
    expect(tj.vector_layers.map((l) => l.id)).toEqual(['parcels', 'zone_lots']);
  });

  it('binds z/x/y as $1..$3 and takes no private column into tile SQL', () => {
    for (const build of [buildMvtTileSql, buildPortableTileSql]) {
      const sql = build([layer('incidents'), layer('zone_lots')]);
      expect(sql).toContain('ST_TileEnvelope($1, $2, $3)');
      expect(sql).not.toMatch(/reporter_|"notes"/);
      expect(sql).toContain('t."published"');
    }
  });
});
