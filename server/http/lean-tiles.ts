// The request a map sends by the hundred, a plain tile GET, answered ahead of Koa: its context,
// middleware chain and routers cost some 170 µs of CPU per tile, a third of a cold tile's (issue 15).
// The answer is the route's own (tileEndpoint's), dressed with the headers the middleware would add
// (request id, security headers, Vary) and counted in the same metric. Any request out of the
// ordinary takes the generic path, which answers it as it always did; so does any error, which the
// route then throws as its own (logged, counted and worded by the middleware) without a second query.
import type Koa from 'koa';
import type { ReadRouter } from '../../core/db/read-router.ts';
import type { TileAnswer, TileEndpoint } from '../tiles/tiles.routes.ts';
import type { Metrics } from './metrics.ts';
import { requestIdOf } from './request-id.ts';
import { HSTS } from './security-headers.ts';

/** `/tiles/{layers}/{z}/{x}/{y}.mvt`, optionally `?v={token}`, with nothing to decode: other spellings go the generic way. */
const TILE_URL = /^\/tiles\/([A-Za-z0-9_,-]+)\/([0-9]{1,10})\/([0-9]{1,10})\/([0-9]{1,10}\.mvt)(?:\?v=([A-Za-z0-9_-]+))?$/;
/** The route pattern the metric labels tile requests with, as @koa/router names it. */
const TILE_ROUTE = '/tiles/:layers/:z/:x/:file';

export interface LeanTileOptions {
  tiles: TileEndpoint;
  /** constantSecurityHeaders(): every response's. */
  securityHeaders: readonly (readonly [string, string])[];
  metrics: Metrics;
  readRouter: ReadRouter;
  /** Whether X-Forwarded-Proto is believed (app.proxy): it then decides HSTS, as ctx.secure does. */
  trustProxy: boolean;
}

/** What Koa's app.callback() returns, and so this too. */
type Listener = ReturnType<Koa['callback']>;

type Request = Parameters<Listener>[0];

/** Koa's ctx.secure: an encrypted socket, or a trusted proxy's first X-Forwarded-Proto (a proxy behind
 *  nginx always sends one, so leaving such requests to Koa left the lean path unused there). */
function secure(req: Request, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = trustProxy ? req.headers['x-forwarded-proto'] : undefined;
  return typeof proto === 'string' && proto.split(',', 1)[0]!.trim().toLowerCase() === 'https';
}

/** `generic` (the Koa app) behind the lean tile path. */
export function leanTiles(options: LeanTileOptions, generic: Listener): Listener {
  const { tiles, securityHeaders, metrics, readRouter, trustProxy } = options;
  return (req, res) => {
    const method = req.method ?? '';
    const m = (method === 'GET' || method === 'HEAD') && req.url ? TILE_URL.exec(req.url) : null;
    // A session or read-your-writes cookie: the answer may depend on more than the tile.
    if (!m || req.headers.cookie !== undefined) return generic(req, res);
    const gzip = tiles.gzipChoice(req.headers['accept-encoding'] ?? '');
    // An Accept-Encoding the route has not negotiated yet: it does so, and remembers.
    if (gzip === undefined) return generic(req, res);
    const started = process.hrtime.bigint();
    const answer = () => tiles.answer({
      layers: m[1]!, z: m[2]!, x: m[3]!, file: m[4]!, version: m[5],
      ifNoneMatch: req.headers['if-none-match'], acceptsGzip: () => gzip,
    });
    // Without a cookie, no write of this client's is pending: its reads may go to one replica.
    const answered: Promise<TileAnswer> = readRouter.hasReplicas ? readRouter.scope(false, answer) : answer();
    return answered.then(({ status, headers, body }) => {
      res.statusCode = status;
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id'] as string | undefined));
      for (const [name, value] of securityHeaders) res.setHeader(name, value);
      if (secure(req, trustProxy)) res.setHeader('Strict-Transport-Security', HSTS);
      res.setHeader('Vary', 'Accept-Encoding');
      for (const [name, value] of headers) res.setHeader(name, value);
      metrics.observe(method, TILE_ROUTE, status, started);
      if (!body) return void res.end();
      res.setHeader('Content-Length', body.length);
      if (method === 'HEAD') res.end();
      else res.end(body);
    }, (error: unknown) => {
      tiles.handOver(req, error);
      // Its duration includes the failed attempt: a database timing out is counted as the wait it cost.
      metrics.began(req, started);
      return generic(req, res);
    }).catch((error: unknown) => {
      // Writing the answer failed (a header value Node refuses, say): never an unhandled rejection,
      // which would end the process; the generic chain answers if nothing was sent yet.
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else {
        // None of the tile's headers (its ETag, an immutable Cache-Control) may go out with an error.
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        tiles.handOver(req, error);
        void generic(req, res);
      }
    });
  };
}
