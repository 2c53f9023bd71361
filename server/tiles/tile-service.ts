// The tile service: resolves a layer set at a tile, keys it by the layers' data versions, and serves
// it from the byte-bounded cache or the producer; also the TileJSON of a layer set.
import { hash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import { layersAtZoom, parseLayerList, type TileCoord } from './tile-address.ts';
import { createTileCache, type CachedTile, type TileCache } from './tile-cache.ts';
import { detectTileProducer, type ProducedTile, type TileProducer } from './tile-producers.ts';
import {
  createVersionedMemo, formatVersionTag, versionTag, versionToken, type ChangeSignal, type DataState,
} from '../../core/db/change-signal.ts';
import { buildBoundsSql, TILE_BUFFER, TILE_EXTENT } from './tile-sql.ts';
import { buildTileJson, unionBounds, type Bounds } from './tilejson.ts';

const gzip = promisify(gzipCallback);

export interface TileServiceOptions {
  /** The primary: where a tile is built again when a replica has not yet replayed its version. */
  db: Database;
  /** Where tiles and bounds are read (the read router's replicas); the primary by default. */
  reads?: Database;
  layers: LayerRegistry;
  /** Bytes of encoded tiles kept in memory; 0 turns the cache off. */
  cacheBytes: number;
  /** The data versions that key the tiles; its freshness window bounds how long a write takes to show. */
  changes: ChangeSignal;
  /** Forces a producer (tests, benchmarks); by default it is detected on first use. */
  producer?: TileProducer;
  log?: Logger;
  /** Where the cache's lookups and size are counted (the app's registry); none by default. */
  metrics?: Registry;
}

/** A tile looked up but not produced yet: enough to answer a conditional request. */
export interface TileAddress {
  /** The layers of the request that the zoom shows, in registry order. */
  layers: readonly LayerDef[];
  coord: TileCoord;
  /** The database identity the versions were read with. */
  identity: string;
  /** The version tag of `layers` that the key carries. */
  tag: string;
  /** The `?v=` token of the whole requested set, as its TileJSON hands it out. */
  setToken: string;
  key: string;
  etag: string;
  /** The tile, when the cache already holds it. */
  cached?: CachedTile;
}

export interface TileService {
  /** The public layers named by "a,b,c" in registry order (400/404 on a bad list). */
  resolveLayers(raw: string): LayerDef[];
  /** Looks the tile up at the versions last read, or at versions read now when `fresh`. */
  address(layers: readonly LayerDef[], coord: TileCoord, fresh?: boolean): Promise<TileAddress>;
  /** The tile at an address: from the cache, or produced (and cached). */
  load(address: TileAddress): Promise<CachedTile>;
  /** The tile's gzipped bytes, made once and kept with the cached tile. */
  gzipped(address: TileAddress, tile: CachedTile): Promise<Buffer>;
  tileJson(layers: readonly LayerDef[], baseUrl: string): Promise<{ body: ReturnType<typeof buildTileJson>; etag: string }>;
  /** Each public layer's `?v=` token (that of its one-layer TileJSON), for clients to poll. */
  layerTokens(): Promise<Record<string, string>>;
}

/** Bumped when the tile encoding changes in a way no layer description shows. */
const TILE_FORMAT = 1;

const tileKey = (producer: string, { z, x, y }: TileCoord, tag: string) => `${producer}|${z}/${x}/${y}|${tag}`;

// The one-shot hash: several times cheaper per call than a Hash object, and it runs on every miss.
const strongEtag = (text: string) => `"${hash('sha1', text, 'base64url')}"`;

export function createTileService(options: TileServiceOptions): TileService {
  const { db, layers: registry, log, changes } = options;
  const reads = options.reads ?? db;
  const publicLayers = registry.all.filter((l) => l.public);
  const order = new Map(publicLayers.map((l, i) => [l.id, i]));
  // What tiles hold depends on the descriptions too (properties, zooms): a deploy that changes them
  // must change every ETag even if no data moved.
  const schema = strongEtag(JSON.stringify({ TILE_FORMAT, TILE_EXTENT, TILE_BUFFER, publicLayers }));
  const cache = createTileCache(options.cacheBytes);
  const lookups = tileCacheMetrics(cache, options.metrics);
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
      reads.query<{ west: number | null; south: number; east: number; north: number }>(buildBoundsSql(layer))
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

    async address(requested, coord, fresh = false) {
      const layers = layersAtZoom(requested, coord.z);
      const { name } = detected ?? (await getProducer());
      const state = await (fresh ? changes.fresh() : changes.current());
      const tag = versionTag(state, layers.map((l) => l.id));
      const key = tileKey(name, coord, tag);
      const cached = cache.get(key);
      const setToken = versionToken(versionTag(state, requested.map((l) => l.id)));
      return { layers, coord, identity: state.identity, tag, setToken, key, etag: cached?.etag ?? strongEtag(schema + key), cached };
    },

    load(address) {
      if (address.cached) {
        lookups.inc({ result: 'hit' });
        return Promise.resolve(address.cached);
      }
      const { layers, coord } = address;
      // cache.load calls the producer at once when this request is the one to make the tile; a
      // request finding it cached meanwhile, or made by another in flight, did not.
      let made = false;
      const counted = (tile: Promise<CachedTile>) => {
        lookups.inc({ result: made ? 'miss' : 'hit' });
        return tile;
      };
      if (!layers.length) {
        return counted(cache.load(address.key, async () => {
          made = true;
          return { body: Buffer.alloc(0), etag: address.etag };
        }));
      }
      return counted(cache.load(address.key, async () => {
        made = true;
        const producer = await getProducer();
        const builtTag = (t: ProducedTile) => formatVersionTag(address.identity, layers.map((l) => l.id),
          (id) => t.versions.find((v) => v.layer === id));
        let produced = await producer.produceVersioned(layers, coord, reads);
        // A replica that has not replayed the version the key names yet: the primary has it.
        if (reads !== db && builtTag(produced) !== address.tag) produced = await producer.produceVersioned(layers, coord, db);
        const tag = builtTag(produced);
        if (tag === address.tag) return { body: produced.body, etag: address.etag };
        const builtKey = tileKey(producer.name, coord, tag);
        return { body: produced.body, etag: strongEtag(schema + builtKey), builtKey };
      }));
    },

    async gzipped(address, tile) {
      if (tile.gzip) return tile.gzip;
      const zipped = await gzip(tile.body);
      cache.update(tile.builtKey ?? address.key, { ...tile, gzip: zipped });
      return zipped;
    },

    async tileJson(layers, baseUrl) {
      const state = await changes.current();
      const ids = layers.map((l) => l.id).join(',');
      const bounds = unionBounds(await Promise.all(layers.map((l) => layerBounds(l, state))));
      const dataVersion = versionTag(state, layers.map((l) => l.id));
      // The version in the tile URLs makes every tile URL name one content: cacheable forever.
      const tilesUrl = `${baseUrl}/tiles/${ids}/{z}/{x}/{y}.mvt?v=${versionToken(dataVersion)}`;
      const body = buildTileJson({ tilesUrl, layers, bounds, dataVersion });
      return { body, etag: strongEtag(schema + JSON.stringify(body)) };
    },

    async layerTokens() {
      const state = await changes.current();
      return Object.fromEntries(publicLayers.map((l) => [l.id, versionToken(versionTag(state, [l.id]))]));
    },
  };
}

/** The cache's lookups by result (hit: served from memory or from a production already in flight;
 *  miss: produced for this request) and its size, in `registry` when given. */
function tileCacheMetrics(cache: TileCache, registry: Registry | undefined): Counter<'result'> {
  const registers = registry ? [registry] : [];
  new Gauge({
    name: 'websig_tile_cache_bytes',
    help: 'Bytes of encoded tiles held in the tile cache (TILE_CACHE_MB bounds it)',
    registers,
    collect() {
      this.set(cache.size().bytes);
    },
  });
  return new Counter({
    name: 'websig_tile_cache_lookups_total',
    help: 'Tile cache lookups by result: hit (no production for this request) or miss (the tile was produced)',
    labelNames: ['result'] as const,
    registers,
  });
}
