// The plain OGC API items GET (GeoJSON, one page) on the lean path (server/http/lean-path.ts), the
// request GIS clients page through: the answer is the route's own (ogcEndpoint's items answer), with
// the headers the middleware adds to it (Cache-Control when the links come from the Host header,
// gzip as koa-compress gives it). HTML, several pages, forwarded hosts, an Accept or Accept-Language
// the route has not met, an Accept-Encoding koa-compress alone can negotiate (weights, `*`, a coding
// it may prefer to gzip), and any odd spelling take the generic path.
import { gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import type { ItemsEndpoint, ItemsRequest } from '../features/ogc.routes.ts';
import { ITEMS_PAGE_SIZE } from '../features/feature-pages.ts';
import { join } from '../features/feature-collection-text.ts';
import type { RawQuery } from './params.ts';
import { privateCacheControl } from './security-headers.ts';
import { COMPRESS_THRESHOLD } from './compression.ts';
import { protocolOf, type LeanAnswer, type LeanRequest, type LeanRoute } from './lean-path.ts';

const gzip = promisify(gzipCallback);

/** `/ogc/collections/{id}/items`, its query string without a fragment: other spellings go the generic way. */
const ITEMS_URL = /^\/ogc\/collections\/([A-Za-z0-9_-]+)\/items(?:\?([^#]*))?$/;
/** A Host header with nothing to normalise (no userinfo, no list). */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/;
/** Codings koa-compress prefers to gzip, or may take for it. */
const PREFERRED_TO_GZIP = new Set(['br', 'zstd', 'x-gzip']);

interface TakenItems {
  request: ItemsRequest;
  /** koa-compress's encoding for this answer. */
  gzip: boolean;
  head: boolean;
  /** The links start with the request's Host: no shared cache may keep the answer. */
  linksFromHost: boolean;
}

/** The query string as Koa parses it (ctx.query): a repeated key becomes an array. */
function parseQuery(querystring: string): RawQuery {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(querystring)) {
    const known = Object.hasOwn(query, key) ? query[key] : undefined;
    if (Array.isArray(known)) {
      // Appended in place: a copy per repeat would take time growing with the square of the repeats.
      known.push(value);
      continue;
    }
    const next = known === undefined ? value : [known, value];
    Object.defineProperty(query, key, { value: next, writable: true, enumerable: true, configurable: true });
  }
  return query;
}

/**
 * Whether koa-compress (its preference br, gzip, deflate, identity on equal quality) gives gzip
 * under this Accept-Encoding; undefined when it may give another encoding, or when the value is
 * more than a plain list of codings (weights, `*`), which it alone negotiates.
 */
export function plainGzipChoice(header: string | undefined): boolean | undefined {
  if (!header) return false;
  let gzipNamed = false;
  let deflateNamed = false;
  for (const part of header.split(',')) {
    const coding = part.trim().toLowerCase();
    if (!/^[a-z0-9_.+-]+$/.test(coding) || PREFERRED_TO_GZIP.has(coding)) return undefined;
    if (coding === 'gzip') gzipNamed = true;
    if (coding === 'deflate') deflateNamed = true;
  }
  return gzipNamed || (deflateNamed ? undefined : false);
}

/** The items route's lean answers; `publicBaseUrl` and `trustProxy` as the app's. */
export function leanItemsRoute(items: ItemsEndpoint, { publicBaseUrl, trustProxy }: { publicBaseUrl: string | undefined; trustProxy: boolean }): LeanRoute<TakenItems> {
  const originOf = (req: LeanRequest): string | undefined => {
    if (publicBaseUrl) return publicBaseUrl;
    const host = req.headers.host;
    if ((trustProxy && req.headers['x-forwarded-host'] !== undefined) || !host || !PLAIN_HOST.test(host)) return undefined;
    return `${protocolOf(req, trustProxy)}://${host}`;
  };
  return {
    route: '/ogc/collections/:collectionId/items',
    vary: 'Accept-Encoding, Accept, Accept-Language',
    take(req) {
      const m = req.url ? ITEMS_URL.exec(req.url) : null;
      if (!m) return undefined;
      const querystring = m[2] ?? '';
      const query = parseQuery(querystring);
      const { f, limit } = query;
      // Up to one database page: the answer is one string.
      if (limit !== undefined && !(typeof limit === 'string' && /^[0-9]{1,5}$/.test(limit) && Number(limit) <= ITEMS_PAGE_SIZE)) return undefined;
      const accept = req.headers.accept ?? '';
      const preferred = f === undefined ? items.preferredType(accept) : undefined;
      if (f === undefined ? preferred === undefined || preferred === 'text/html' : f !== 'json') return undefined;
      const lang = items.languageChoice(req.headers['accept-language'] ?? '');
      const gzipped = plainGzipChoice(req.headers['accept-encoding']);
      const origin = originOf(req);
      if (lang === undefined || gzipped === undefined || origin === undefined) return undefined;
      return {
        request: {
          collectionId: m[1]!, query, querystring, url: req.url!,
          prefers: () => preferred!, lang: () => lang, origin: () => origin,
          ifNoneMatch: req.headers['if-none-match'],
        },
        gzip: gzipped, head: req.method === 'HEAD', linksFromHost: !publicBaseUrl,
      };
    },
    async answer({ request, gzip: gzipped, head, linksFromHost }) {
      const { status, headers, body } = await items.answer(request);
      const answer: LeanAnswer = { status, headers };
      if (linksFromHost) {
        // As securityHeaders does for answers whose links name the Host the client sent.
        const own = headers.find(([name]) => name === 'Cache-Control')?.[1];
        answer.headers = [...headers.filter(([name]) => name !== 'Cache-Control'), ['Cache-Control', privateCacheControl(own ?? 'no-cache')]];
      }
      if (body === undefined) return answer;
      // take() let through one page only, which the route answers as one string.
      answer.body = typeof body === 'string' ? body : await join(body);
      if (gzipped && !head && Buffer.byteLength(answer.body) >= COMPRESS_THRESHOLD) {
        answer.headers.push(['Content-Encoding', 'gzip']);
        answer.body = await gzip(answer.body);
        answer.chunked = true;
      }
      return answer;
    },
    handOver: (req, error) => items.handOver(req, error),
  };
}
