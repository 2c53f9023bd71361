// A tile request the lean path began and then handed to Koa (a database error) is timed from when the
// lean path took it, not from when Koa did: a database that times out shows as the wait it cost.
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../server/http/metrics.ts';

describe('the request metric', () => {
  it('times a request handed over by the lean path from the lean start', async () => {
    const metrics = createMetrics();
    const req = {};
    // As if the lean path had waited ten seconds on the database before handing the request over.
    metrics.began(req, process.hrtime.bigint() - 10_000_000_000n);
    const ctx = { req, method: 'GET', status: 500, _matchedRoute: '/tiles/:layers/:z/:x/:file' } as unknown as Context;
    await metrics.middleware(ctx, async () => {});
    const text = await metrics.registry.metrics();
    const sum = Number(/websig_http_request_duration_seconds_sum\{[^}]*status="500"\} (\S+)/.exec(text)?.[1]);
    expect(sum).toBeGreaterThanOrEqual(10);
  });
});
