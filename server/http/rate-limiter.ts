// Rate limits shared by every instance: hits counted atomically in PostgreSQL (one upsert on the
// UNLOGGED rate_limits table) or, when REDIS_URL is set, in Redis (one Lua script).
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Database } from '../../core/db/database.ts';
import { RetryLaterError } from './errors.ts';

/** The answer to one hit: whether it is within the limit, the hits counted in the window so far
 *  (this one included) and the seconds until the window ends (for Retry-After). */
export interface RateLimitVerdict {
  allowed: boolean;
  count: number;
  retryAfterS: number;
}

export interface RateLimiter {
  /** Counts one hit on `key` in `bucket` and tells whether it is allowed: at most `limit` hits per
   *  window of `windowS` seconds, the window opening at the key's first hit (so no hit can fall
   *  between two windows and pass twice). Hits over the limit are counted too. */
  hit(bucket: string, key: string, limit: number, windowS: number): Promise<RateLimitVerdict>;
  /** Forgets the key's hits (after a successful login, say). */
  reset(bucket: string, key: string): Promise<void>;
}

/** A limiter that holds a connection of its own (Redis) and must be closed with the app. */
export interface ClosableRateLimiter extends RateLimiter {
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Redis URL (`REDIS_URL`); when absent the counters live in the database. */
  redisUrl?: string;
}

/** Counters in Redis when `redisUrl` is given, else in the database's rate_limits table. */
export function createRateLimiter(db: Database, options: RateLimiterOptions = {}): ClosableRateLimiter {
  return options.redisUrl ? createRedisLimiter(options.redisUrl) : createDatabaseLimiter(db);
}

/** Keys are stored hashed: they may be e-mail addresses or IPs, which have no business in a
 *  counter table, and a hash bounds their length whatever a client sends. */
function storedKey(bucket: string, key: string): string {
  return createHash('sha256').update(bucket).update('\0').update(key).digest('base64url');
}

function checkArguments(bucket: string, limit: number, windowS: number): void {
  if (!bucket) throw new TypeError('rate limit bucket must be a non-empty string');
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`rate limit must be a positive integer, got ${limit}`);
  if (!Number.isFinite(windowS) || windowS <= 0) throw new TypeError(`rate limit window must be a positive number of seconds, got ${windowS}`);
}

function verdict(count: number, limit: number, remainingMs: number): RateLimitVerdict {
  return { allowed: count <= limit, count, retryAfterS: Math.max(1, Math.ceil(remainingMs / 1000)) };
}

// One statement, so concurrent hits from any number of instances serialise on the row lock and
// each sees its own count. A window still open is counted on; an ended one starts again at 1.
const HIT_SQL = `
  INSERT INTO rate_limits AS r (bucket, key, count, window_end)
  VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3::double precision))
  ON CONFLICT (bucket, key) DO UPDATE SET
    count = CASE WHEN r.window_end > clock_timestamp() THEN r.count + 1 ELSE 1 END,
    window_end = CASE WHEN r.window_end > clock_timestamp() THEN r.window_end ELSE EXCLUDED.window_end END
  RETURNING count, (extract(epoch FROM window_end - clock_timestamp()) * 1000)::float8 AS remaining_ms`;

// Ended windows are removed in small batches; SKIP LOCKED keeps two instances purging at once from
// waiting on (or deadlocking over) the same rows.
const PURGE_SQL = `
  DELETE FROM rate_limits WHERE (bucket, key) IN (
    SELECT bucket, key FROM rate_limits WHERE window_end < clock_timestamp() LIMIT 1000 FOR UPDATE SKIP LOCKED)`;

/** Hits between two purges of ended windows, per instance. */
const PURGE_EVERY = 512;

function createDatabaseLimiter(db: Database): ClosableRateLimiter {
  let hitsSincePurge = 0;
  return {
    async hit(bucket, key, limit, windowS) {
      checkArguments(bucket, limit, windowS);
      const { rows } = await db.query<{ count: number; remaining_ms: number }>(
        HIT_SQL, [bucket, storedKey(bucket, key), windowS], 'rate_limit_hit');
      if (++hitsSincePurge >= PURGE_EVERY) {
        hitsSincePurge = 0;
        await db.query(PURGE_SQL, [], 'rate_limit_purge');
      }
      return verdict(rows[0]!.count, limit, rows[0]!.remaining_ms);
    },
    async reset(bucket, key) {
      await db.query('DELETE FROM rate_limits WHERE bucket = $1 AND key = $2', [bucket, storedKey(bucket, key)], 'rate_limit_reset');
    },
    close: async () => undefined,
  };
}

// INCR and the expiry set on the first hit run as one script, so no key is left without an expiry
// and concurrent hits each see their own count.
const HIT_SCRIPT = `
  local count = redis.call('INCR', KEYS[1])
  if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
  return {count, redis.call('PTTL', KEYS[1])}`;

/** Seconds a client is told to wait while Redis is unreachable (it restarts in a few). */
const REDIS_DOWN_RETRY_S = 5;

function createRedisLimiter(url: string): ClosableRateLimiter {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  // Without a listener ioredis prints every failed reconnection; the requests it fails say enough.
  redis.on('error', () => undefined);
  const redisKey = (bucket: string, key: string) => `websig:rate:${storedKey(bucket, key)}`;
  // Redis down or restarting is passing trouble, as a database restart is: 503 with Retry-After, not 500.
  const unreachable = () => {
    throw new RetryLaterError(503, 'compteurs indisponibles, réessayez / rate counters unavailable, try again shortly', REDIS_DOWN_RETRY_S);
  };
  return {
    async hit(bucket, key, limit, windowS) {
      checkArguments(bucket, limit, windowS);
      const [count, ttlMs] = (await redis.eval(HIT_SCRIPT, 1, redisKey(bucket, key), Math.ceil(windowS * 1000))
        .catch(unreachable)) as [number, number];
      return verdict(count, limit, ttlMs);
    },
    async reset(bucket, key) {
      await redis.del(redisKey(bucket, key)).catch(unreachable);
    },
    async close() {
      if (redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    },
  };
}
