// The read router without a database: lag from WAL positions, replicas skipped past the bound or on
// failure, one replica per request, and the read-your-writes cookie sending a writer to the primary.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { createReadRouter, lagFromSamples, parseLsn } from '../core/db/read-router.ts';
import { READ_YOUR_WRITES_COOKIE, readYourWrites } from '../server/http/read-your-writes.ts';

/** A database that answers the lag probes from `wal` and any other query with its own name. */
function fakeDatabase(name: string, wal: { lsn: string }, options: { failing?: () => boolean } = {}): Database {
  const rows = (text: string) => {
    if (text.includes('pg_current_wal_lsn')) return [{ lsn: wal.lsn }];
    if (text.includes('pg_last_wal_replay_lsn')) return [{ replayed: wal.lsn }];
    return [{ who: name }];
  };
  return {
    kind: 'postgis',
    connection: {},
    async query(text: string) {
      if (options.failing?.()) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return { rows: rows(text) } as never;
    },
    transaction: async (fn) => fn({ query: async (text: string) => ({ rows: rows(text) }) as never }),
    releaseConnections: async () => undefined,
    liveness: () => ({ busy: false, lastAnswerAt: undefined }),
    poolUsage: () => ({ max: 1, inUse: 0, idle: 0, waiting: 0 }),
    close: async () => undefined,
  };
}

const who = async (db: Database) => (await db.query<{ who: string }>('SELECT 1')).rows[0]!.who;

describe('replica lag', () => {
  it('orders WAL positions by both halves', () => {
    expect(parseLsn('0/16B3748') < parseLsn('0/16B3750')).toBe(true);
    expect(parseLsn('0/FFFFFFFF') < parseLsn('1/0')).toBe(true);
  });

  it('is 0 for a replica that replayed the latest position, else the age of the newest position it replayed', () => {
    const samples = [{ lsn: 100n, at: 1000 }, { lsn: 200n, at: 1500 }, { lsn: 300n, at: 1900 }];
    expect(lagFromSamples(samples, 300n, 2000)).toBe(0);
    expect(lagFromSamples(samples, 250n, 2000)).toBe(500);
    expect(lagFromSamples(samples, 100n, 2000)).toBe(1000);
    // Behind every sample kept: at least as old as the oldest.
    expect(lagFromSamples(samples, 50n, 2000)).toBe(1000);
  });
});

describe('read routing', () => {
  const setUp = (replicaNames: string[], maxLagMs = 1000) => {
    let clock = 0;
    const primaryWal = { lsn: '0/100' };
    const walOf = new Map(replicaNames.map((n) => [n, { lsn: '0/100' }]));
    const failing = new Set<string>();
    const primary = fakeDatabase('primary', primaryWal);
    const router = createReadRouter({
      primary,
      replicas: replicaNames.map((name) => ({ name, db: fakeDatabase(name, walOf.get(name)!, { failing: () => failing.has(name) }) })),
      maxLagMs,
      probeIntervalMs: 0,
      now: () => clock,
    });
    return { router, primaryWal, walOf, failing, tick: (ms: number) => { clock += ms; } };
  };

  it('reads from a replica that keeps up, and from the primary once it lags past the bound', async () => {
    const { router, primaryWal, tick } = setUp(['r1']);
    await router.probe();
    expect(router.status()).toEqual([{ name: 'r1', lagMs: 0, usable: true }]);
    expect(await who(router.reads)).toBe('r1');
    // The primary moves on; the replica does not replay for 1.5 s.
    primaryWal.lsn = '0/200';
    tick(500);
    await router.probe();
    expect(router.status()[0]!.usable).toBe(true);
    tick(1000);
    await router.probe();
    expect(router.status()[0]).toMatchObject({ usable: false, lagMs: 1500 });
    expect(await who(router.reads)).toBe('primary');
  });

  it('runs a read again on the primary when its replica fails, and sets the replica aside', async () => {
    const { router, failing } = setUp(['r1']);
    await router.probe();
    failing.add('r1');
    expect(await who(router.reads)).toBe('primary');
    expect(router.status()[0]).toMatchObject({ usable: false, error: 'connect ECONNREFUSED' });
  });

  it('keeps one replica for a whole request, and the primary for a primary-only one', async () => {
    const { router } = setUp(['r1', 'r2']);
    await router.probe();
    const seen = await router.scope(false, async () => Promise.all([1, 2, 3, 4].map(() => who(router.reads))));
    expect(new Set(seen).size).toBe(1);
    expect(['r1', 'r2']).toContain(seen[0]);
    const other = await router.scope(false, () => who(router.reads));
    expect(other).not.toBe(seen[0]);
    expect(await router.scope(true, () => who(router.reads))).toBe('primary');
  });

  it('sends a client that just wrote to the primary, by a cookie its write sets', async () => {
    const { router } = setUp(['r1']);
    await router.probe();
    const app = new Koa();
    app.use(readYourWrites(router, 5));
    app.use(async (ctx) => {
      ctx.body = { from: await who(router.reads) };
    });
    const server = createServer(app.callback());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      expect(await (await fetch(url)).json()).toEqual({ from: 'r1' });
      const write = await fetch(url, { method: 'POST' });
      expect(await write.json()).toEqual({ from: 'primary' });
      const cookie = write.headers.getSetCookie().find((c) => c.startsWith(`${READ_YOUR_WRITES_COOKIE}=`));
      expect(cookie).toMatch(/max-age=5|expires=/i);
      expect(cookie).toMatch(/httponly/i);
      expect(await (await fetch(url, { headers: { cookie: cookie!.split(';')[0]! } })).json()).toEqual({ from: 'primary' });
    } finally {
      server.close();
    }
  });
});
