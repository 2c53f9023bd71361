// The photos a reporter sent are personal data too: erasing one person's data and the purge after the
// retention delay delete their photos' files (photo and thumbnail) and rows, and the public link to
// them; other people's photos, and those of reports still within the delay, stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { purgeReporters } from '../server/incidents/incident-purge.ts';
import { createDataFileStore } from '../server/storage/file-store.ts';

interface Sent { id: number; photo: string; thumb: string }

describe('reporters’ photos erased with their data', () => {
  let server: TestServer;
  let staff: StaffSession;
  let place: { lon: number; lat: number };

  const asStaff = (method: string, path: string, body: unknown) =>
    fetch(server.url + path, {
      method, headers: { 'content-type': 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf }, body: JSON.stringify(body),
    });
  /** A report with one photo sent through the public form's endpoint by `email`. */
  const send = async (email: string): Promise<Sent> => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ service_code: 'waste', lat: String(place.lat), long: String(place.lon), description: 'Dépôt sauvage', email })) form.append(k, v);
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#556b2f' } }).jpeg().toBuffer();
    form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'depot.jpg');
    const res = await fetch(`${server.url}/api/incidents`, { method: 'POST', body: form });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id, tracking_token } = (await res.json()) as { id: number; tracking_token: string };
    const tracked = (await (await fetch(`${server.url}/api/incidents/track/${tracking_token}`)).json()) as { photos: { url: string; thumb_url: string }[] };
    expect(tracked.photos).toHaveLength(1);
    return { id, photo: tracked.photos[0]!.url, thumb: tracked.photos[0]!.thumb_url };
  };
  const served = async (sent: Sent) => [(await fetch(server.url + sent.photo)).status, (await fetch(server.url + sent.thumb)).status];
  const stored = async (id: number) => (await server.db.query<{ photos: number; media_url: string | null }>(
    'SELECT (SELECT count(*)::int FROM incident_photos WHERE incident_id = $1) AS photos, media_url FROM incidents WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    server = await startTestServer();
    staff = await createStaffSession(server);
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Bédée') c`);
    place = rows[0]!;
  });
  afterAll(async () => server?.close());

  it('erasing one person’s data deletes the photos they sent, and only theirs', async () => {
    const theirs = await send('camille@example.org');
    const other = await send('dominique@example.org');
    expect(await served(theirs)).toEqual([200, 200]);

    const erased = await asStaff('POST', '/api/incidents/personal-data/erase', { email: 'Camille@example.org' });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toEqual({ reports: 1, followed: 0, photos: 1 });
    expect(await served(theirs)).toEqual([404, 404]);
    expect(await stored(theirs.id)).toEqual({ photos: 0, media_url: null });
    expect(await served(other)).toEqual([200, 200]);
    expect(await stored(other.id)).toEqual({ photos: 1, media_url: expect.stringContaining('/api/incidents/photos/') });
    const audit = await server.db.query<{ details: unknown }>("SELECT details FROM audit_log WHERE action = 'incident_personal_data_erased'");
    expect(audit.rows.map((r) => r.details)).toEqual([{ reports: 1, followed: 0, photos: 1 }]);
  });

  it('the purge after the retention delay deletes the photos of reports closed longer ago, and keeps the others', async () => {
    const expired = await send('alix@example.org');
    const recent = await send('noa@example.org');
    for (const { id } of [expired, recent]) {
      expect((await asStaff('POST', `/api/incidents/${id}/status`, { status: 'resolved', status_notes: 'Enlevé.' })).status).toBe(200);
    }
    await server.db.query("UPDATE incidents SET closed_at = now() - interval '31 days' WHERE id = $1", [expired.id]);

    expect(await purgeReporters(server.db, createDataFileStore(server.config.dataDir), 30)).toBeGreaterThanOrEqual(1);
    expect(await served(expired)).toEqual([404, 404]);
    expect(await stored(expired.id)).toEqual({ photos: 0, media_url: null });
    expect(await served(recent)).toEqual([200, 200]);
    expect(await stored(recent.id)).toMatchObject({ photos: 1 });
    const audit = await server.db.query<{ details: { incidents: number[]; photos: number } }>(
      "SELECT details FROM audit_log WHERE action = 'incident_reporters_purged' ORDER BY id DESC LIMIT 1");
    expect(audit.rows[0]!.details).toMatchObject({ incidents: expect.arrayContaining([expired.id]), photos: 1 });
    // Nothing left to purge: a second run deletes nothing more.
    expect(await purgeReporters(server.db, createDataFileStore(server.config.dataDir), 30)).toBe(0);
  });
});
