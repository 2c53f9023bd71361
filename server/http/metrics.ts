// Prometheus metrics: process defaults plus one request histogram labelled by route, not by URL.
import type { Context, Next } from 'koa';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  middleware: (ctx: Context, next: Next) => Promise<void>;
  /** Counts a request answered outside the middleware, `started` from process.hrtime.bigint(). */
  observe(method: string, route: string, status: number, started: bigint): void;
  /** Has the middleware time `req` from `started` (a request the lean path began, then handed to Koa). */
  began(req: object, started: bigint): void;
}

/** A registry per app, so several apps in one process (tests) do not share counters. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'websig_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  // Each label set's child, found by one string lookup instead of prom-client hashing the labels
  // on every request; methods come from clients, hence the bound (beyond it, the usual path).
  const children = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
  const child = (method: string, route: string, status: string) => {
    const key = `${method} ${status} ${route}`;
    let found = children.get(key);
    if (!found) {
      found = duration.labels({ method, route, status });
      if (children.size < 1024) children.set(key, found);
    }
    return found;
  };
  const observe = (method: string, route: string, status: number, started: bigint) =>
    child(method, route, String(status)).observe(Number(process.hrtime.bigint() - started) / 1e9);
  const leanStarts = new WeakMap<object, bigint>();
  return {
    registry,
    observe,
    began: (req, started) => void leanStarts.set(req, started),
    async middleware(ctx, next) {
      const started = leanStarts.get(ctx.req) ?? process.hrtime.bigint();
      try {
        await next();
      } finally {
        // The matched route pattern keeps the label set small whatever URLs clients send.
        const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
        observe(ctx.method, String(route), ctx.status, started);
      }
    },
  };
}
