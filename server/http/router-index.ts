// Runs, for a GET or HEAD, only the routers that have a route the path can match. Each @koa/router
// middleware matches every one of its routes against every request (and reads the Host header to
// check a host rule we never set): with two dozen routers a tile or an items request paid for all
// of them before its own. A router is skipped only when the literal start of each of its paths
// (before the first parameter or pattern) rules the request out; any other request, and any method
// whose 405/501/OPTIONS answers depend on what every router saw, runs them all, in the same order.
import type Router from '@koa/router';
import type { Middleware, Next, ParameterizedContext } from 'koa';

/** Methods for which a router none of whose routes matches the path does nothing but call next(). */
const SKIPPABLE = new Set(['GET', 'HEAD']);
/** Characters that start a parameter, wildcard, group or escape in a path-to-regexp pattern. */
const PATTERN_START = /[:*{}()[\]?+\\]/;

interface RouterLayer {
  path: unknown;
  opts: { sensitive?: boolean; pathAsRegExp?: boolean };
}

/**
 * The first path segments (lower case) `router`'s routes can match, or undefined when one of them
 * may match any: a RegExp path, a case-sensitive one, or a pattern inside the first segment.
 */
function firstSegments(router: Router): Set<string> | undefined {
  const segments = new Set<string>();
  for (const layer of router.stack as unknown as RouterLayer[]) {
    if (typeof layer.path !== 'string' || layer.opts.pathAsRegExp || layer.opts.sensitive) return undefined;
    const cut = layer.path.search(PATTERN_START);
    const literal = cut === -1 ? layer.path : layer.path.slice(0, cut);
    const end = literal.indexOf('/', 1);
    // A literal that stops inside its first segment (`/x:y`, or no segment at all) says nothing of it.
    if (!literal.startsWith('/') || (end === -1 && cut !== -1)) return undefined;
    const segment = (end === -1 ? literal.slice(1) : literal.slice(1, end)).toLowerCase();
    // `/` alone (without strict routing, also the empty path) matches only the root.
    segments.add(segment);
  }
  return segments;
}

type AnyMiddleware = Middleware<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One middleware that runs each router's `routes()` and `allowedMethods()` as `app.use` would, in order. */
export function routerIndex(routers: readonly Router[]): AnyMiddleware {
  const entries = routers.map((router) => ({
    segments: firstSegments(router),
    middleware: [router.routes(), router.allowedMethods()] as AnyMiddleware[],
  }));
  const all = entries.flatMap((e) => e.middleware);
  const chainOf = (segment: string) => entries.flatMap((e) => (!e.segments || e.segments.has(segment) ? e.middleware : []));
  // Every segment some route names gets its chain now; any other segment, only the routers that may match anything.
  const chains = new Map<string, AnyMiddleware[]>();
  for (const e of entries) for (const segment of e.segments ?? []) chains.set(segment, chainOf(segment));
  const unnamed = entries.flatMap((e) => (e.segments ? [] : e.middleware));

  return (ctx: ParameterizedContext, next: Next) => {
    let chain = all;
    if (SKIPPABLE.has(ctx.method)) {
      const path = ctx.path;
      const end = path.indexOf('/', 1);
      chain = chains.get((end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase()) ?? unnamed;
    }
    const run = (i: number): Promise<unknown> => (i === chain.length ? next() : Promise.resolve(chain[i]!(ctx, () => run(i + 1))));
    return run(0);
  };
}
