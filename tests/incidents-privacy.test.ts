// Personal data of reporters and followers never reaches a public answer: tiles, TileJSON, /layers,
// OGC API items, downloads, Open311 (JSON and XML), the tracking page; and a report shows in the public
// layer only once staff publish it. Also the staff export and erasure of one person's data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';

const NAME = 'Dominique Le Goff';
const EMAIL = 'dominique.legoff@example.net';
const PHONE = '06 12 34 56 78';
const FOLLOWER = 'voisin.vigilant@example.net';

function tileOf(lon: number, lat: number, z: number): [number, number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [z, x, y];
}

describe('incident reporters’ privacy', () => {
  let server: TestServer;
  let staff: StaffSession;
  let place: { lon: number; lat: number };
  let report: { id: number; tracking_token: string };

  const asStaff = (method: string, path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const text = async (path: string) => {
    const res = await fetch(server.url + path);
    expect(res.status, path).toBe(200);
    return Buffer.from(await res.arrayBuffer()).toString('utf8');
  };
  const publicPaths = () => {
    const [z, x, y] = tileOf(place.lon, place.lat, 15);
    return [
      '/layers', '/tiles/incidents.json', `/tiles/incidents/${z}/${x}/${y}.mvt`,
      '/ogc/collections/incidents', '/ogc/collections/incidents/items?limit=1000', `/ogc/collections/incidents/items/${report.id}`,
      '/downloads/incidents.geojson', '/downloads/incidents.csv',
      '/open311/v2/requests.json', '/open311/v2/requests.xml', `/open311/v2/requests/${report.id}.json`, `/open311/v2/requests/${report.id}.xml`,
      `/open311/v2/requests.json?lat=${place.lat}&long=${place.lon}&status=open`,
      `/api/incidents/track/${report.tracking_token}`,
    ];
  };

  beforeAll(async () => {
    server = await startTestServer({ env: { TILE_FRESHNESS_MS: '0' } });
    staff = await createStaffSession(server);
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Pleumeleuc') c`);
    place = rows[0]!;
    const res = await fetch(`${server.url}/api/incidents`, {
      method: 'POST',
      body: new URLSearchParams({ service_code: 'signage', lat: String(place.lat), long: String(place.lon), description: 'Panneau stop couché', name: NAME, email: EMAIL, phone: PHONE }),
    });
    expect(res.status).toBe(201);
    report = (await res.json()) as typeof report;
  });
  afterAll(async () => server?.close());

  it('keeps an unpublished report out of the public layer, and shows it once published', async () => {
    expect((await fetch(`${server.url}/ogc/collections/incidents/items/${report.id}`)).status).toBe(404);
    expect(await text('/downloads/incidents.geojson')).not.toContain('Panneau stop couché');
    expect(await text('/open311/v2/requests.json')).not.toContain('Panneau stop couché');
    expect((await asStaff('PATCH', `/api/incidents/${report.id}`, { published: true })).status).toBe(200);
    expect((await fetch(`${server.url}/ogc/collections/incidents/items/${report.id}`)).status).toBe(200);
    expect(await text('/downloads/incidents.geojson')).toContain('Panneau stop couché');
    expect(await text('/open311/v2/requests.xml')).toContain('Panneau stop couché');
  });

  it('never shows a reporter’s or follower’s details, nor the tracking token, in a public answer', async () => {
    const follow = await fetch(`${server.url}/api/incidents/${report.id}/follow`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Voisin', email: FOLLOWER, consent: true }),
    });
    expect(follow.status).toBe(201);
    expect(JSON.stringify(await follow.json())).not.toContain(FOLLOWER);
    const { rows } = await server.db.query<{ email: string }>("SELECT reporter_email AS email FROM incidents WHERE reporter_email IS NOT NULL AND published");
    const seeded = rows.map((r) => r.email);
    expect(seeded.length).toBeGreaterThan(0);
    for (const path of publicPaths()) {
      const body = await text(path);
      for (const secret of [NAME, EMAIL, PHONE, FOLLOWER, ...seeded]) expect(body, path).not.toContain(secret);
      if (!path.startsWith('/api/incidents/track/')) expect(body, path).not.toContain(report.tracking_token);
      expect(body, path).not.toMatch(/reporter_|tracking_token|reporter_purged_at/);
    }
  });

  it('exports and then erases one person’s data for staff, and audits the erasure without the address', async () => {
    const exported = await asStaff('POST', '/api/incidents/personal-data/export', { email: EMAIL.toUpperCase() });
    expect(exported.status).toBe(200);
    const data = (await exported.json()) as { reports: { id: number; reporter_name: string; reporter_phone: string }[] };
    expect(data.reports).toEqual([expect.objectContaining({ id: report.id, reporter_name: NAME, reporter_phone: PHONE })]);
    const erased = await asStaff('POST', '/api/incidents/personal-data/erase', { email: EMAIL });
    expect(await erased.json()).toEqual({ reports: 1, followed: 0, photos: 0 });
    const follower = await asStaff('POST', '/api/incidents/personal-data/erase', { email: FOLLOWER });
    expect(await follower.json()).toEqual({ reports: 0, followed: 1, photos: 0 });
    const { rows } = await server.db.query('SELECT reporter_name, reporter_email, reporter_phone FROM incidents WHERE id = $1', [report.id]);
    expect(rows[0]).toEqual({ reporter_name: null, reporter_email: null, reporter_phone: null });
    const audit = await server.db.query<{ details: unknown }>("SELECT details FROM audit_log WHERE action = 'incident_personal_data_erased'");
    expect(audit.rows).toHaveLength(2);
    expect(JSON.stringify(audit.rows)).not.toMatch(/example\.net/);
    expect((await fetch(`${server.url}/api/incidents/personal-data/export`, { method: 'POST' })).status).toBe(401);
  });
});
