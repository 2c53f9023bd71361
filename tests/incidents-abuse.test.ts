// Anti-abuse of the public report form: the per-client limit (10 reports per 10 minutes) holds across
// two app instances sharing one database under concurrent requests, validation errors do not count,
// the honeypot and reports outside the territory are refused, and descriptions are bounded and kept
// as plain text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { openSiblingDatabase, openTestDatabase } from './helpers/test-db.ts';
import type { Database } from '../core/db/database.ts';

describe('incident report anti-abuse', () => {
  let db: Database;
  let sibling: Database;
  let first: TestServer;
  let second: TestServer;
  let place: { lon: number; lat: number };

  const report = (server: TestServer, fields: Record<string, string> = {}) =>
    fetch(`${server.url}/api/incidents`, {
      method: 'POST',
      body: new URLSearchParams({ service_code: 'roads', lat: String(place.lat), long: String(place.lon), description: 'Nid-de-poule profond', ...fields }),
    });
  const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents')).rows[0]!.n;

  beforeAll(async () => {
    db = await openTestDatabase();
    sibling = await openSiblingDatabase(db);
    first = await startTestServer({ db });
    second = await startTestServer({ db: sibling });
    const { rows } = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Iffendic') c`);
    place = rows[0]!;
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await sibling?.close();
    await db?.close();
  });

  it('refuses bad reports with the field at fault, without counting them', async () => {
    const before = await count();
    const cases: [Record<string, string>, number, string][] = [
      [{ service_code: 'unicorns' }, 422, 'service_code'],
      [{ lat: '', long: '' }, 422, 'lat'],
      [{ lat: '48.8566', long: '2.3522' }, 422, 'lat'],
      [{ description: 'x'.repeat(4001) }, 422, 'description'],
      [{ description: '' }, 422, 'description'],
      [{ email: 'not-an-address' }, 422, 'email'],
    ];
    for (const [fields, status, field] of cases) {
      const res = await report(first, fields);
      const body = (await res.json()) as { code: string; description: string; field: string };
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(status);
      expect(body.field).toBe(field);
      expect(body.description).toMatch(/ \/ /);
    }
    const outside = (await (await report(second, { lat: '48.8566', long: '2.3522' })).json()) as { description: string };
    expect(outside.description).toMatch(/hors du territoire/);
    const honeypot = await report(first, { website: 'http://spam.example' });
    expect(honeypot.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('keeps a description as plain text, markup included', async () => {
    const text = '<img src=x onerror="alert(1)"> <b>lampadaire</b> & co';
    const res = await report(first, { description: text });
    expect(res.status).toBe(201);
    const { tracking_token } = (await res.json()) as { tracking_token: string };
    const page = (await (await fetch(`${first.url}/api/incidents/track/${tracking_token}`)).json()) as { description: string };
    expect(page.description).toBe(text);
  });

  it('lets one client make exactly 10 reports in 10 minutes across two instances, under concurrency', async () => {
    // A fresh window for this client: the report above counted (the shared counters live in the
    // rate_limits table).
    await db.query('DELETE FROM rate_limits');
    const before = await count();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => report(i % 2 ? second : first)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: 'TooManyRequests' });
    expect(await count()).toBe(before + 10);
    // Open311 POST shares the limit.
    const open311 = await fetch(`${second.url}/open311/v2/requests.json`, {
      method: 'POST', body: new URLSearchParams({ service_code: 'roads', lat: String(place.lat), long: String(place.lon), description: 'Nid-de-poule' }),
    });
    expect(open311.status).toBe(429);
    expect(await open311.json()).toEqual([{ code: 429, description: expect.any(String) }]);
  });
});
