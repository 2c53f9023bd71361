// In-memory cache of encoded tiles, bounded by bytes (LRU), with one production per key in flight.
// Keys carry the layers' data versions, so a write never needs to evict anything: old entries
// simply stop being asked for and age out.
import { LRUCache } from 'lru-cache';

export interface CachedTile {
  /** The MVT bytes (empty for a tile with no feature). */
  readonly body: Buffer;
  /** The same bytes gzipped, made on the first request that accepts gzip. */
  readonly gzip?: Buffer;
  readonly etag: string;
  /** The key of the data the tile was built from, when not the one it was asked under (a write
   *  landed in between, or a replica lagged): it is kept under that key only. */
  readonly builtKey?: string;
}

export interface TileCache {
  /** The cached tile, if any (no production). */
  get(key: string): CachedTile | undefined;
  /** The cached tile, or `produce()`'s (kept under its `builtKey` if it has one), shared by the
   *  requests that ask while it runs. */
  load(key: string, produce: () => Promise<CachedTile>): Promise<CachedTile>;
  /** Replaces an entry (e.g. with its gzipped bytes added), if caching is on. */
  update(key: string, tile: CachedTile): void;
  /** What the cache holds now: entries and their bytes as counted against its limit. */
  size(): { entries: number; bytes: number };
  readonly enabled: boolean;
}

// Per-entry bookkeeping beyond the bytes themselves (key, object, LRU links), a rough figure.
const ENTRY_OVERHEAD = 200;

/** `maxBytes` 0 turns caching off: every request produces its tile (what the cold benchmark measures). */
export function createTileCache(maxBytes: number): TileCache {
  if (maxBytes <= 0) return { get: () => undefined, load: (_key, produce) => produce(), update: () => undefined, size: () => ({ entries: 0, bytes: 0 }), enabled: false };
  const lru = new LRUCache<string, CachedTile>({
    maxSize: maxBytes,
    sizeCalculation: (tile, key) => tile.body.length + (tile.gzip?.length ?? 0) + key.length + ENTRY_OVERHEAD,
  });
  const inFlight = new Map<string, Promise<CachedTile>>();
  return {
    enabled: true,
    get: (key) => lru.get(key),
    load(key, produce) {
      const hit = lru.get(key);
      if (hit) return Promise.resolve(hit);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = produce().then((tile) => {
          lru.set(tile.builtKey ?? key, tile);
          return tile;
        }).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    update(key, tile) {
      if (lru.has(key)) lru.set(key, tile);
    },
    size: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
  };
}
