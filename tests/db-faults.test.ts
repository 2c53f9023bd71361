// Faults: a database that is shut down, missing or refusing connections answers 503 + Retry-After
// (never a 500); the app's own connections killed mid-traffic (pg_terminate_backend, PostGIS only)
// fail cleanly and the pool reconnects by itself; a drained server answers the requests in flight;
// GeoPackage builds beyond the queue are told to come back.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database, type Row } from '../core/db/database.ts';
import { drainServer } from '../server/http/drain.ts';
import { isDatabaseUnavailable } from '../server/http/errors.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { itUnless, missingPostgis } from './helpers/skip.ts';

/** An error as pg raises it for a SQLSTATE, or as Node raises it for a socket. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('database faults', () => {
  let db: Database;
  let server: TestServer;
  let failWith: Error | undefined;
  beforeAll(async () => {
    db = await openTestDatabase();
    // The app's database, failing on demand as an unreachable one would.
    const faulty: Database = {
      ...db,
      query: <R extends Row>(text: string, params?: readonly unknown[], name?: string) =>
        failWith ? Promise.reject(failWith) : db.query<R>(text, params, name),
    };
    server = await startTestServer({ db: faulty });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('answers 503 with Retry-After and a JSON reason, not 500, while the database is shut down, missing or refusing', async () => {
    const faults = [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('3D000', 'database "websig" does not exist'),
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      new Error('Connection terminated unexpectedly'),
    ];
    try {
      for (const fault of faults) {
        failWith = fault;
        const res = await fetch(`${server.url}/ogc/collections/wifi_hotspots/items?limit=1`);
        expect(res.status, fault.message).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        const body = (await res.json()) as { code: string; requestId: string };
        expect(body.code).toBe('ServiceUnavailable');
        expect(body.requestId).toBe(res.headers.get('x-request-id'));
        expect(JSON.stringify(body)).not.toMatch(/5432|websig"|administrator/);
      }
    } finally {
      failWith = undefined;
    }
    expect((await fetch(`${server.url}/ogc/collections/wifi_hotspots/items?limit=1`)).status).toBe(200);
  });

  it('tells an unreachable database from a wrong request', () => {
    expect(isDatabaseUnavailable(pgError('08006', 'connection failure'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('22P02', 'invalid input syntax'))).toBe(false);
    expect(isDatabaseUnavailable(pgError('42P01', 'relation does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  // PostGIS only: pg_terminate_backend kills server connections; the embedded database has none to kill.
  itUnless(missingPostgis(inject('databaseUrl')), 'fails cleanly while its connections are killed mid-traffic, then reconnects by itself and is ready again', async () => {
    // A pool of its own, named so that only its connections are killed (other tests share the cluster).
    const name = `websig_fault_${randomBytes(4).toString('hex')}`;
    const url = new URL(db.connection.connectionString!);
    url.searchParams.set('application_name', name);
    const victim = await openDatabase({ url: url.toString(), dataDir: '', poolSize: 4 });
    const app = await startTestServer({ db: victim });
    try {
      const kill = () => db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [name]);
      const statuses: number[] = [];
      for (let round = 0; round < 4; round++) {
        const burst = Array.from({ length: 12 }, (_, i) =>
          fetch(`${app.url}/ogc/collections/wifi_hotspots/items?limit=${i + 1}`).then((r) => r.status));
        await kill();
        statuses.push(...(await Promise.all(burst)));
      }
      expect(statuses.every((s) => s === 200 || s === 503), statuses.join(',')).toBe(true);
      // The pool drops dead connections and opens new ones: the next requests all succeed.
      const after = await Promise.all(Array.from({ length: 8 }, () => fetch(`${app.url}/ogc/collections/wifi_hotspots/items?limit=1`).then((r) => r.status)));
      expect(after).toEqual(Array(8).fill(200));
      expect((await fetch(`${app.url}/ready`)).status).toBe(200);
    } finally {
      await app.close();
      await victim.close();
    }
  });

  it('answers GeoPackage downloads beyond the queue with 503 + Retry-After as JSON, never as a file', async () => {
    const tight = await startTestServer({ db, env: { DOWNLOAD_QUEUE_MAX: '0' } });
    try {
      const layers = ['fibre_phases', 'fibre_premises', 'wifi_hotspots', 'business_zones', 'zone_lots'];
      const answers = await Promise.all(layers.map((l) => fetch(`${tight.url}/downloads/${l}.gpkg`)));
      for (const res of answers) {
        expect([200, 503]).toContain(res.status);
        if (res.status !== 503) continue;
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(res.headers.get('content-type')).toMatch(/json/);
        expect(res.headers.get('content-disposition')).toBeNull();
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(await res.json()).toMatchObject({ code: 'ServiceUnavailable' });
      }
      // One at a time, every one is built.
      for (const l of layers) expect((await fetch(`${tight.url}/downloads/${l}.gpkg`)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});

describe('draining a server', () => {
  it('answers the request in flight, refuses new connections, and returns once it is done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    let started!: () => void;
    const inFlight = new Promise<void>((ok) => (started = ok));
    const server = createServer((_req, res) => {
      started();
      void gate.then(() => res.end('done'));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const pending = fetch(url).then(async (r) => [r.status, await r.text()]);
    await inFlight;
    const drained = drainServer(server, 30_000);
    await expect(fetch(url)).rejects.toThrow();
    release();
    expect(await pending).toEqual([200, 'done']);
    await drained;
    expect(server.listening).toBe(false);
  });
});
