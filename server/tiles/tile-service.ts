// The tile service: resolves a layer set at a tile, keys it by the layers' data versions, and serves
// it from the byte-bounded cache or the producer; also the TileJSON of a layer set.
import { hash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Logger } from 'pino';
import type { Database } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import { layersAtZoom, parseLayerList, type TileCoord } from './tile-address.ts';
import { createTileCache, type CachedTile } from './tile-cache.ts';
import { detectTileProducer, type TileProducer } from './tile-producers.ts';
import { createVersionedMemo, versionTag, type ChangeSignal, type DataState } from '../../core/db/change-signal.ts';
import { buildBoundsSql, TILE_BUFFER, TILE_EXTENT } from './tile-sql.ts';
import { buildTileJson, unionBounds, type Bounds } from './tilejson.ts';

const gzip = promisify(gzipCallback);

export interface TileServiceOptions {
  db: Database;
  layers: LayerRegistry;
  /** Bytes of encoded tiles kept in memory; 0 turns the cache off. */
  cacheBytes: number;
  /** The data versions that key the tiles; its freshness window bounds how long a write takes to show. */
  changes: ChangeSignal;
  /** Forces a producer (tests, benchmarks); by default it is detected on first use. */
  producer?: TileProducer;
  log?: Logger;
}

/** A tile looked up but not produced yet: enough to answer a conditional request. */
export interface TileAddress {
  /** The layers of the request that the zoom shows, in registry order. */
  layers: readonly LayerDef[];
  coord: TileCoord;
  key: string;
  etag: string;
  /** The tile, when the cache already holds it. */
  cached?: CachedTile;
}

export interface TileService {
  /** The public layers named by "a,b,c" in registry order (400/404 on a bad list). */
  resolveLayers(raw: string): LayerDef[];
  address(layers: readonly LayerDef[], coord: TileCoord): Promise<TileAddress>;
  /** The tile at an address: from the cache, or produced (and cached). */
  load(address: TileAddress): Promise<CachedTile>;
  /** The tile's gzipped bytes, made once and kept with the cached tile. */
  gzipped(address: TileAddress, tile: CachedTile): Promise<Buffer>;
  tileJson(layers: readonly LayerDef[], baseUrl: string): Promise<{ body: ReturnType<typeof buildTileJson>; etag: string }>;
}

/** Bumped when the tile encoding changes in a way no layer description shows. */
const TILE_FORMAT = 1;

// The one-shot hash: several times cheaper per call than a Hash object, and it runs on every miss.
const strongEtag = (text: string) => `"${hash('sha1', text, 'base64url')}"`;

export function createTileService(options: TileServiceOptions): TileService {
  const { db, layers: registry, log, changes } = options;
  const publicLayers = registry.all.filter((l) => l.public);
  const order = new Map(publicLayers.map((l, i) => [l.id, i]));
  // What tiles hold depends on the descriptions too (properties, zooms): a deploy that changes them
  // must change every ETag even if no data moved.
  const schema = strongEtag(JSON.stringify({ TILE_FORMAT, TILE_EXTENT, TILE_BUFFER, publicLayers }));
  const cache = createTileCache(options.cacheBytes);
  let producer: Promise<TileProducer> | undefined = options.producer && Promise.resolve(options.producer);
  let detected: TileProducer | undefined = options.producer;
  const getProducer = () => {
    producer ??= detectTileProducer(db, log).then((found) => (detected = found), (error: unknown) => {
      producer = undefined; // a database that was unreachable is asked again next time
      throw error;
    });
    return producer;
  };
  // Resolved layer lists by request string, so that hot URLs skip parsing; only valid lists are
  // kept, and at most 4096 of them, since the strings come from clients.
  const resolved = new Map<string, LayerDef[]>();
  const boundsMemo = createVersionedMemo<Bounds | undefined>();

  const layerBounds = (layer: LayerDef, state: DataState): Promise<Bounds | undefined> =>
    boundsMemo.get(layer.id, versionTag(state, [layer.id]), () =>
      db.query<{ west: number | null; south: number; east: number; north: number }>(buildBoundsSql(layer))
        .then(({ rows: [r] }) => (r && r.west !== null ? [r.west, r.south, r.east, r.north] as Bounds : undefined)));

  return {
    resolveLayers(raw) {
      const known = resolved.get(raw);
      if (known) return known;
      const layers = parseLayerList(raw, (id) => (order.has(id) ? registry.get(id) : undefined))
        .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      if (resolved.size < 4096) resolved.set(raw, layers);
      return layers;
    },

    async address(requested, coord) {
      const layers = layersAtZoom(requested, coord.z);
      const { name } = detected ?? (await getProducer());
      const state = await changes.current();
      const key = `${name}|${coord.z}/${coord.x}/${coord.y}|${versionTag(state, layers.map((l) => l.id))}`;
      const cached = cache.get(key);
      return { layers, coord, key, etag: cached?.etag ?? strongEtag(schema + key), cached };
    },

    load(address) {
      if (address.cached) return Promise.resolve(address.cached);
      return cache.load(address.key, async () => {
        const body = address.layers.length ? await (await getProducer()).produce(address.layers, address.coord) : Buffer.alloc(0);
        return { body, etag: address.etag };
      });
    },

    async gzipped(address, tile) {
      if (tile.gzip) return tile.gzip;
      const zipped = await gzip(tile.body);
      cache.update(address.key, { ...tile, gzip: zipped });
      return zipped;
    },

    async tileJson(layers, baseUrl) {
      const state = await changes.current();
      const ids = layers.map((l) => l.id).join(',');
      const bounds = unionBounds(await Promise.all(layers.map((l) => layerBounds(l, state))));
      const dataVersion = versionTag(state, layers.map((l) => l.id));
      const body = buildTileJson({ tilesUrl: `${baseUrl}/tiles/${ids}/{z}/{x}/{y}.mvt`, layers, bounds, dataVersion });
      return { body, etag: strongEtag(schema + JSON.stringify(body)) };
    },
  };
}
