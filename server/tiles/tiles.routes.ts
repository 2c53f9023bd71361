// GET /tiles/{layers}/{z}/{x}/{y}.mvt and GET /tiles/{layers}.json: parse → look up → cache or
// produce → answer with ETag, Cache-Control, 304 and gzip. An empty tile is a 204 with no body.
import Router from '@koa/router';
import type { Context } from 'koa';
import { requestOrigin } from '../features/request-origin.ts';
import { notFound } from '../http/errors.ts';
import { matchingEtag } from '../http/conditional.ts';
import { parseTileCoord } from './tile-address.ts';
import { createTileService, type TileServiceOptions } from './tile-service.ts';
import type { RouteDeps } from '../http/route-deps.ts';

export const MVT_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile';
/** Tiles smaller than this go out as they are: gzip would save too little to pay for itself. */
const GZIP_THRESHOLD = 1024;

/** The ETag of the gzipped bytes: a strong ETag names one representation, so gzip gets its own. */
export const gzipEtag = (etag: string) => `${etag.slice(0, -1)}.gz"`;

/** The tag in If-None-Match that still validates this tile, if any: either encoding's tag counts, the data being the same. */
export function matchIfNoneMatch(header: string | undefined, etag: string): string | undefined {
  return matchingEtag(header, [etag, gzipEtag(etag)]);
}

/** A tile whose URL names the version it holds: its content never changes, so caches keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A versioned URL whose version is not the one served: no cache may keep it under that URL. */
const NO_STORE = 'no-store';

/** `Cache-Control` for a max age in seconds; 0 lets caches keep tiles but revalidate every time. */
function cacheControl(maxAge: number): string {
  return maxAge > 0 ? `public, max-age=${maxAge}` : 'public, no-cache';
}

/** Sets the caching headers; answers 304 and returns true when the client's copy is current. */
function notModified(ctx: Context, etag: string, cacheControlValue: string): boolean {
  ctx.set('Cache-Control', cacheControlValue);
  const match = matchIfNoneMatch(ctx.get('If-None-Match'), etag);
  ctx.set('ETag', match ?? etag);
  if (match === undefined) return false;
  ctx.status = 304;
  return true;
}

export function tilesRoutes({ db, reads, layers, config, log, changes, metrics }: RouteDeps, { producer }: Partial<Pick<TileServiceOptions, 'producer'>> = {}): Router {
  const service = createTileService({ db, reads, layers, log, producer, changes, metrics, cacheBytes: config.tileCacheMb * 1024 * 1024 });
  const cacheControlValue = cacheControl(config.tileMaxAge);
  const router = new Router();

  router.get('/tiles/:layers/:z/:x/:file', async (ctx) => {
    const y = /^(.*)\.mvt$/.exec(ctx.params.file!)?.[1];
    if (y === undefined) throw notFound('tiles are served as /tiles/{layers}/{z}/{x}/{y}.mvt');
    const coord = parseTileCoord(ctx.params.z!, ctx.params.x!, y);
    const requested = service.resolveLayers(ctx.params.layers!);
    const version = typeof ctx.query.v === 'string' ? ctx.query.v : undefined;
    let address = await service.address(requested, coord);
    // A version this instance has not read yet (written through another instance within the
    // freshness window): read the versions again once rather than serve it as stale.
    if (version !== undefined && version !== address.setToken) address = await service.address(requested, coord, true);
    const versioned = version !== undefined;
    const current = version === address.setToken;
    ctx.vary('Accept-Encoding');
    if (notModified(ctx, address.etag, versioned ? (current ? IMMUTABLE : NO_STORE) : cacheControlValue)) return;
    const tile = await service.load(address);
    if (tile.builtKey) {
      // Built from other data than the address names (a write landed meanwhile): its own ETag, and
      // a versioned URL must not be kept with it.
      ctx.set('ETag', tile.etag);
      if (versioned) ctx.set('Cache-Control', NO_STORE);
    }
    if (tile.body.length === 0) {
      ctx.status = 204;
      return;
    }
    ctx.set('Content-Type', MVT_CONTENT_TYPE);
    if (tile.body.length >= GZIP_THRESHOLD && ctx.get('Accept-Encoding') && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.body = await service.gzipped(address, tile);
      ctx.set('Content-Encoding', 'gzip');
      ctx.set('ETag', gzipEtag(tile.etag));
    } else {
      ctx.body = tile.body;
    }
  });

  router.get('/tiles/:file', async (ctx) => {
    const ids = /^(.*)\.json$/.exec(ctx.params.file!)?.[1];
    if (ids === undefined) throw notFound('TileJSON is served as /tiles/{layers}.json');
    const base = requestOrigin(ctx, config.publicBaseUrl);
    const { body, etag } = await service.tileJson(service.resolveLayers(ids), base);
    if (notModified(ctx, etag, cacheControlValue)) return;
    ctx.body = body;
  });

  // The cheap poll behind live maps: each layer's current `?v=` token, read at most once per
  // freshness window whatever the number of clients.
  router.get('/api/tile-versions', async (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = { layers: await service.layerTokens() };
  });

  return router;
}
