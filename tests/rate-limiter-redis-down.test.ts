// Rate limits kept in Redis while Redis is down or restarting: the request is refused for now (503
// with a wait), as for a database restart, rather than failing as a server error.
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { RetryLaterError } from '../server/http/errors.ts';
import { createRateLimiter } from '../server/http/rate-limiter.ts';

describe('rate limiter on an unreachable Redis', () => {
  // Port 1 on the loopback: nothing listens. The database is never used when REDIS_URL is set.
  const limiter = createRateLimiter({} as Database, { redisUrl: 'redis://127.0.0.1:1' });
  afterAll(async () => limiter.close());

  it('a hit is refused with 503 and Retry-After, not a server error', async () => {
    const error = await limiter.hit('login-account', 'a@example.org', 5, 60).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).status).toBe(503);
    expect((error as RetryLaterError).retryAfterS).toBeGreaterThan(0);
  });

  it('a reset is refused the same way', async () => {
    const error = await limiter.reset('login-account', 'a@example.org').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
  });
});
