// GET /tiles/{layers}/{z}/{x}/{y}.mvt and GET /tiles/{layers}.json: parse → look up → cache or
// produce → answer with ETag, Cache-Control, 304 and gzip. An empty tile is a 204 with no body.
import Router from '@koa/router';
import type { Context } from 'koa';
import { requestOrigin } from '../features/request-origin.ts';
import { notFound } from '../http/errors.ts';
import { matchingEtag } from '../http/conditional.ts';
import { COMPRESS_THRESHOLD } from '../http/compression.ts';
import { parseTileCoord } from './tile-address.ts';
import { createTileService, type TileServiceOptions } from './tile-service.ts';
import type { RouteDeps } from '../http/route-deps.ts';

export const MVT_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile';

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

/** A tile request as its path, query and headers state it. */
export interface TileRequest {
  layers: string;
  z: string;
  x: string;
  /** `{y}.mvt` */
  file: string;
  /** `?v=`, when given once. */
  version: string | undefined;
  ifNoneMatch: string | undefined;
  /** Whether the client would take gzip over identity; asked only of tiles worth compressing. */
  acceptsGzip: () => boolean;
}

/** The answer to a tile request: its status, the headers the route sets (in that order) and its body. */
export interface TileAnswer {
  status: 200 | 204 | 304;
  headers: [name: string, value: string][];
  body?: Buffer;
}

export interface TileEndpoint {
  router: Router;
  /** The answer to a tile request; throws the 400/404 (and database errors) the route would. */
  answer(request: TileRequest): Promise<TileAnswer>;
  /** Whether the route found gzip acceptable under this Accept-Encoding value ('' when none), if it met it. */
  gzipChoice(acceptEncoding: string): boolean | undefined;
  /** Has the route throw `error` for `req` (which then goes through Koa), so that it is answered as any route error. */
  handOver(req: object, error: unknown): void;
}

/** The tiles' routes, and their tile answer for the app's lean path (server/http/lean-tiles.ts). */
export function tileEndpoint({ db, reads, layers, config, log, changes, metrics }: RouteDeps, { producer }: Partial<Pick<TileServiceOptions, 'producer'>> = {}): TileEndpoint {
  const service = createTileService({ db, reads, layers, log, producer, changes, metrics, cacheBytes: config.tileCacheMb * 1024 * 1024 });
  const cacheControlValue = cacheControl(config.tileMaxAge);
  const router = new Router();
  // The route's negotiation by Accept-Encoding value, for the lean path (browsers send a few
  // values, each the same on every request); the values come from clients, hence the bound, which
  // empties the map rather than closing it: else 64 made-up values would keep browsers off the lean path.
  const gzipChoices = new Map<string, boolean>();
  const handedOver = new WeakMap<object, unknown>();

  const answer = async (request: TileRequest): Promise<TileAnswer> => {
    const y = /^(.*)\.mvt$/.exec(request.file)?.[1];
    if (y === undefined) throw notFound('tiles are served as /tiles/{layers}/{z}/{x}/{y}.mvt');
    const coord = parseTileCoord(request.z, request.x, y);
    const requested = service.resolveLayers(request.layers);
    const { version } = request;
    let address = await service.address(requested, coord);
    // A version this instance has not read yet (written through another instance within the
    // freshness window): read the versions again once rather than serve it as stale.
    if (version !== undefined && version !== address.setToken) address = await service.address(requested, coord, true);
    const versioned = version !== undefined;
    const current = version === address.setToken;
    let cacheControlHeader = versioned ? (current ? IMMUTABLE : NO_STORE) : cacheControlValue;
    const match = matchIfNoneMatch(request.ifNoneMatch, address.etag);
    if (match !== undefined) return { status: 304, headers: [['Cache-Control', cacheControlHeader], ['ETag', match]] };
    const tile = await service.load(address);
    let etag = address.etag;
    if (tile.builtKey) {
      // Built from other data than the address names (a write landed meanwhile): its own ETag, and
      // a versioned URL must not be kept with it.
      etag = tile.etag;
      if (versioned) cacheControlHeader = NO_STORE;
    }
    const headers: TileAnswer['headers'] = [['Cache-Control', cacheControlHeader], ['ETag', etag]];
    if (tile.body.length === 0) return { status: 204, headers };
    headers.push(['Content-Type', MVT_CONTENT_TYPE]);
    if (tile.body.length >= COMPRESS_THRESHOLD && request.acceptsGzip()) {
      headers[1] = ['ETag', gzipEtag(tile.etag)];
      headers.push(['Content-Encoding', 'gzip']);
      return { status: 200, headers, body: await service.gzipped(address, tile) };
    }
    return { status: 200, headers, body: tile.body };
  };

  router.get('/tiles/:layers/:z/:x/:file', async (ctx) => {
    ctx.vary('Accept-Encoding');
    // The lean path's failure (a bad address, the database): answered here, without asking again.
    if (handedOver.has(ctx.req)) throw handedOver.get(ctx.req);
    const { status, headers, body } = await answer({
      layers: ctx.params.layers!, z: ctx.params.z!, x: ctx.params.x!, file: ctx.params.file!,
      version: typeof ctx.query.v === 'string' ? ctx.query.v : undefined,
      ifNoneMatch: ctx.get('If-None-Match'),
      acceptsGzip: () => {
        const header = ctx.get('Accept-Encoding');
        const choice = Boolean(header) && ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
        if (gzipChoices.size >= 64) gzipChoices.clear();
        gzipChoices.set(header, choice);
        return choice;
      },
    });
    for (const [name, value] of headers) ctx.set(name, value);
    if (body) ctx.body = body;
    else ctx.status = status;
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

  return {
    router, answer,
    gzipChoice: (header) => (header ? gzipChoices.get(header) : false),
    handOver: (req, error) => void handedOver.set(req, error),
  };
}

/** The tiles' routes (see tileEndpoint). */
export function tilesRoutes(deps: RouteDeps, options: Partial<Pick<TileServiceOptions, 'producer'>> = {}): Router {
  return tileEndpoint(deps, options).router;
}
