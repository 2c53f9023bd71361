// The plain tile GET on the lean path (server/http/lean-path.ts): Koa's context, middleware chain
// and routers cost some 170 µs of CPU per tile, a third of a cold tile's. The answer is the route's
// own (tileEndpoint's).
import type { TileEndpoint, TileRequest } from '../tiles/tiles.routes.ts';
import type { LeanRoute } from './lean-path.ts';

/** `/tiles/{layers}/{z}/{x}/{y}.mvt`, optionally `?v={token}`, with nothing to decode: other spellings go the generic way. */
const TILE_URL = /^\/tiles\/([A-Za-z0-9_,-]+)\/([0-9]{1,10})\/([0-9]{1,10})\/([0-9]{1,10}\.mvt)(?:\?v=([A-Za-z0-9_-]+))?$/;

/** The tile route's lean answers. */
export function leanTileRoute(tiles: TileEndpoint): LeanRoute<TileRequest> {
  return {
    route: '/tiles/:layers/:z/:x/:file',
    vary: 'Accept-Encoding',
    take(req) {
      const m = req.url ? TILE_URL.exec(req.url) : null;
      if (!m) return undefined;
      const gzip = tiles.gzipChoice(req.headers['accept-encoding'] ?? '');
      // An Accept-Encoding the route has not negotiated yet: it does so, and remembers.
      if (gzip === undefined) return undefined;
      return {
        layers: m[1]!, z: m[2]!, x: m[3]!, file: m[4]!, version: m[5],
        ifNoneMatch: req.headers['if-none-match'], acceptsGzip: () => gzip,
      };
    },
    answer: (request) => tiles.answer(request),
    handOver: (req, error) => tiles.handOver(req, error),
  };
}
