// The database pool under pressure, against the real app: a reconnect keeps tiles served (prepared
// statements survive on the embedded database's shared session), a saturated pool answers 503 with
// Retry-After instead of queueing without end, and /ready answers while the pool is busy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { tileAt, tilePath } from './helpers/tile-golden.ts';

/** Takes the pool's only connection until `release()` is called. */
async function holdConnection(db: Database): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  let held!: () => void;
  const holding = new Promise<void>((ok) => (held = ok));
  const done = db.transaction(async () => {
    held();
    await new Promise<void>((ok) => (release = ok));
  });
  await holding;
  return {
    async release() {
      release();
      await done;
    },
  };
}

describe('database pool', () => {
  let db: Database;
  let server: TestServer;
  beforeAll(async () => {
    // One connection, at most one request waiting for it, for a short while.
    db = await openTestDatabase({ pool: { poolSize: 1, poolMaxWaiting: 1, poolWaitMs: 1000 } });
    server = await startTestServer({ db, env: { TILE_CACHE_MB: '0' } });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('serves tiles again after the pool reconnects (no 42P05 "prepared statement already exists")', async () => {
    const tile = (lon: number) => fetch(`${server.url}${tilePath('zone_lots,fibre_phases', tileAt(lon, 48.1266, 14))}`);
    expect([200, 204]).toContain((await tile(-1.9614)).status);
    await db.releaseConnections();
    expect([200, 204]).toContain((await tile(-1.9614)).status);
    await db.releaseConnections();
    expect([200, 204]).toContain((await tile(-1.94)).status);
  });

  it('answers 503 with Retry-After when requests would wait too many or too long for a connection, and serves again once it is free', async () => {
    await fetch(`${server.url}/ready`);
    const hold = await holdConnection(db);
    try {
      // /ready does not queue behind the work: the database answered a moment ago.
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'busy' });
      // One request may wait (and gives up after the pool's wait bound); the others are refused at once.
      const answers = await Promise.all(Array.from({ length: 4 }, () => fetch(`${server.url}/ogc/collections/wifi_hotspots/items?limit=1`)));
      expect(answers.map((r) => r.status)).toEqual([503, 503, 503, 503]);
      expect(answers[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await answers[0]!.json()).toMatchObject({ code: 'ServiceUnavailable' });
    } finally {
      await hold.release();
    }
    expect((await fetch(`${server.url}/ogc/collections/wifi_hotspots/items?limit=1`)).status).toBe(200);
  });
});
