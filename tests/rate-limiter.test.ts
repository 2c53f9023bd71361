// The shared rate limiter, in the database and in Redis: counts per bucket and key, windows that end,
// resets, and exact limits under concurrent hits from two instances (two pools, two Redis clients).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { createRateLimiter, type ClosableRateLimiter } from '../server/http/rate-limiter.ts';
import { openSiblingDatabase, openTestDatabase } from './helpers/test-db.ts';
import { missingRedis, startRedis } from './helpers/redis-server.ts';
import { describeUnless } from './helpers/skip.ts';

/** Two limiters as two server instances would have them, on one shared store. */
interface Instances {
  first: ClosableRateLimiter;
  second: ClosableRateLimiter;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function limiterCases(open: () => Promise<Instances & { close(): Promise<void> }>) {
  let store: Instances & { close(): Promise<void> };
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('allows `limit` hits in a window, refuses the next ones and says when to come back', async () => {
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await store.first.hit('login-account', 'a@example.org', 3, 60));
    expect(verdicts.map((v) => [v.allowed, v.count])).toEqual([[true, 1], [true, 2], [true, 3], [false, 4], [false, 5]]);
    expect(verdicts[4]!.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(verdicts[4]!.retryAfterS).toBeLessThanOrEqual(60);
  });

  it('counts each bucket and each key on its own', async () => {
    await store.first.hit('b1', 'k', 1, 60);
    expect((await store.first.hit('b1', 'k', 1, 60)).allowed).toBe(false);
    expect((await store.first.hit('b1', 'other', 1, 60)).allowed).toBe(true);
    expect((await store.first.hit('b2', 'k', 1, 60)).allowed).toBe(true);
  });

  it('starts counting again once the window has ended', async () => {
    expect((await store.first.hit('short', 'k', 1, 0.3)).allowed).toBe(true);
    expect((await store.first.hit('short', 'k', 1, 0.3)).allowed).toBe(false);
    await sleep(500);
    expect(await store.first.hit('short', 'k', 1, 0.3)).toMatchObject({ allowed: true, count: 1 });
  });

  it('forgets a key on reset, on every instance', async () => {
    for (let i = 0; i < 3; i++) await store.first.hit('reset', 'k', 2, 60);
    await store.second.reset('reset', 'k');
    expect(await store.first.hit('reset', 'k', 2, 60)).toMatchObject({ allowed: true, count: 1 });
  });

  it('allows exactly `limit` of 60 concurrent hits spread over two instances', async () => {
    const hits = Array.from({ length: 60 }, (_, i) => (i % 2 ? store.first : store.second).hit('burst', 'victim@example.org', 7, 60));
    const verdicts = await Promise.all(hits);
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(7);
    expect(verdicts.map((v) => v.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('refuses a misuse at once (no limit, no window, no bucket)', async () => {
    await expect(store.first.hit('b', 'k', 0, 60)).rejects.toThrow(TypeError);
    await expect(store.first.hit('b', 'k', 1, Number.NaN)).rejects.toThrow(TypeError);
    await expect(store.first.hit('', 'k', 1, 60)).rejects.toThrow(TypeError);
  });
}

describe('rate limiter in the database', () => {
  let db: Database;
  let sibling: Database;
  limiterCases(async () => {
    db = await openTestDatabase();
    sibling = await openSiblingDatabase(db);
    return {
      first: createRateLimiter(db),
      second: createRateLimiter(sibling),
      async close() {
        await sibling.close();
        await db.close();
      },
    };
  });

  it('stores keys hashed: no e-mail address or IP in the counter table', async () => {
    await createRateLimiter(db).hit('privacy', 'someone@example.org', 5, 60);
    const { rows } = await db.query<{ key: string }>("SELECT key FROM rate_limits WHERE bucket = 'privacy'");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).not.toContain('someone');
    expect(rows[0]!.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps the counters in an UNLOGGED table', async () => {
    const { rows } = await db.query<{ relpersistence: string }>("SELECT relpersistence FROM pg_class WHERE oid = 'rate_limits'::regclass");
    expect(rows[0]!.relpersistence).toBe('u');
  });
});

// Skipped where no redis-server binary can be started for the test (Redis is optional for users).
describeUnless(missingRedis(), 'rate limiter in Redis', () => {
  limiterCases(async () => {
    const redis = await startRedis();
    const first = createRateLimiter({} as Database, { redisUrl: redis.url });
    const second = createRateLimiter({} as Database, { redisUrl: redis.url });
    return {
      first,
      second,
      async close() {
        await first.close();
        await second.close();
        await redis.stop();
      },
    };
  });
});
