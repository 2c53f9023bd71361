// The requests a map or a GIS client sends by the hundred (a plain tile, a plain OGC items page),
// answered ahead of Koa: its context, middleware chain and routers cost a good part of such an
// answer's CPU (issue 15). Each answer is its route's own, dressed with the headers the middleware
// would add (request id, security headers, Vary) and counted in the same metric. A request out of
// the ordinary takes the generic path, which answers it as it always did; so does any error, which
// the route then throws as its own (logged, counted and worded by the middleware) without a second query.
import type { ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { ReadRouter } from '../../core/db/read-router.ts';
import type { Metrics } from './metrics.ts';
import { requestIdOf } from './request-id.ts';
import { HSTS } from './security-headers.ts';

/** What Koa's app.callback() returns, and so this too. */
export type Listener = ReturnType<Koa['callback']>;

export type LeanRequest = Parameters<Listener>[0];

/** A route's answer as the lean path writes it. */
export interface LeanAnswer {
  status: number;
  /** The headers the route sets, in that order. */
  headers: [name: string, value: string][];
  body?: Buffer | string;
  /** Sent without Content-Length, as koa-compress sends what it compresses. */
  chunked?: boolean;
}

/** A route that answers some of its requests on the lean path. */
export interface LeanRoute<Taken> {
  /** The route pattern the request metric labels it with, as @koa/router names it. */
  route: string;
  /** The Vary header the generic chain ends up sending for this route's answers. */
  vary: string;
  /** What this route needs of a GET or HEAD without cookies, or undefined to leave it to Koa. */
  take(req: LeanRequest): Taken | undefined;
  /** The answer; throws the errors (400, 404, the database's) the route would. */
  answer(taken: Taken): Promise<LeanAnswer>;
  /** Has the route throw `error` for `req` (which then goes through Koa), so that it is answered as any route error. */
  handOver(req: object, error: unknown): void;
}

export interface LeanPathOptions {
  /** constantSecurityHeaders(): every response's. */
  securityHeaders: readonly (readonly [string, string])[];
  metrics: Metrics;
  readRouter: ReadRouter;
  /** Whether X-Forwarded-Proto is believed (app.proxy): it then decides HSTS, as ctx.secure does. */
  trustProxy: boolean;
}

/** Koa's ctx.protocol: the socket's, or a trusted proxy's first X-Forwarded-Proto (a proxy behind
 *  nginx always sends one, so leaving such requests to Koa would leave the lean path unused there). */
export function protocolOf(req: LeanRequest, trustProxy: boolean): string {
  if ((req.socket as { encrypted?: boolean }).encrypted) return 'https';
  const proto = trustProxy ? req.headers['x-forwarded-proto'] : undefined;
  return typeof proto === 'string' && proto !== '' ? proto.split(',', 1)[0]!.trim().toLowerCase() : 'http';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyLeanRoute = LeanRoute<any>;

/** `generic` (the Koa app) behind the lean path of `routes`, the first that takes a request answering it. */
export function leanPath(routes: readonly AnyLeanRoute[], options: LeanPathOptions, generic: Listener): Listener {
  const { securityHeaders, metrics, readRouter, trustProxy } = options;
  return (req, res) => {
    const method = req.method ?? '';
    // A session or read-your-writes cookie: the answer may depend on more than the request's address.
    if ((method !== 'GET' && method !== 'HEAD') || req.headers.cookie !== undefined) return generic(req, res);
    let route: AnyLeanRoute | undefined;
    let taken: unknown;
    for (const r of routes) {
      taken = r.take(req);
      if (taken !== undefined) {
        route = r;
        break;
      }
    }
    if (!route) return generic(req, res);
    const chosen = route;
    const started = process.hrtime.bigint();
    const answer = () => chosen.answer(taken);
    // Without a cookie, no write of this client's is pending: its reads may go to one replica.
    const answered: Promise<LeanAnswer> = readRouter.hasReplicas ? readRouter.scope(false, answer) : answer();
    return answered.then(({ status, headers, body, chunked }) => {
      res.statusCode = status;
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id'] as string | undefined));
      for (const [name, value] of securityHeaders) res.setHeader(name, value);
      if (protocolOf(req, trustProxy) === 'https') res.setHeader('Strict-Transport-Security', HSTS);
      res.setHeader('Vary', chosen.vary);
      for (const [name, value] of headers) res.setHeader(name, value);
      metrics.observe(method, chosen.route, status, started);
      if (body === undefined) return void res.end();
      if (chunked) {
        // Both response types take a string or a Buffer; TypeScript cannot call their union's write.
        (res as ServerResponse).write(body);
        return void res.end();
      }
      res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
      if (method === 'HEAD') res.end();
      else res.end(body);
    }, (error: unknown) => {
      chosen.handOver(req, error);
      // Its duration includes the failed attempt: a database timing out is counted as the wait it cost.
      metrics.began(req, started);
      return generic(req, res);
    }).catch((error: unknown) => {
      // Writing the answer failed (a header value Node refuses, say): never an unhandled rejection,
      // which would end the process; the generic chain answers if nothing was sent yet.
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else {
        // None of the route's headers (an ETag, an immutable Cache-Control) may go out with an error.
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        chosen.handOver(req, error);
        void generic(req, res);
      }
    });
  };
}
