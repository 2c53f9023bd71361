// Prometheus metrics: process defaults plus one request histogram labelled by route, not by URL.
import type { Context, Next } from 'koa';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  middleware: (ctx: Context, next: Next) => Promise<void>;
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
  return {
    registry,
    async middleware(ctx, next) {
      const end = duration.startTimer();
      try {
        await next();
      } finally {
        // The matched route pattern keeps the label set small whatever URLs clients send.
        const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
        end({ method: ctx.method, route: String(route), status: String(ctx.status) });
      }
    },
  };
}
