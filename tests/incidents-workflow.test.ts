// A resident's report from POST to resolved over HTTP on the suite's database: each move audited,
// the workflow's forbidden moves refused, duplicates linked, publication switching public visibility,
// internal notes kept internal, and the mails (staff on a new report, reporter on each status change)
// received by a real SMTP server started here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/smtp-server.ts';

describe('incident report workflow', () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let staff: StaffSession;
  let place: { lon: number; lat: number };

  const report = (fields: Record<string, string>) =>
    fetch(`${server.url}/api/incidents`, { method: 'POST', body: new URLSearchParams(fields) });
  const asStaff = (method: string, path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const newReport = async (extra: Record<string, string> = {}) => {
    const res = await report({ service_code: 'lighting', lat: String(place.lat), long: String(place.lon), description: 'Lampadaire éteint devant le n° 3', ...extra });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body as { id: number; tracking_token: string; tracking_url: string; published: boolean };
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ env: { SMTP_URL: smtp.url, INCIDENT_STAFF_EMAILS: 'triage@montfort-communaute.test', TILE_FRESHNESS_MS: '0' } });
    staff = await createStaffSession(server);
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Talensac') c`);
    place = rows[0]!;
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('takes a report, tells staff and the reporter, and moves it to resolved with every step audited', async () => {
    const created = await newReport({ name: 'Camille Martin', email: 'camille@example.org' });
    expect(created.published).toBe(false);
    expect(created.tracking_token).toMatch(/^[0-9a-f]{32}$/);
    expect(created.tracking_url).toContain(`suivi=${created.tracking_token}`);

    const staffMail = await smtp.waitFor((m) => m.subject?.includes(`n° ${created.id}`) === true && m.to !== undefined && JSON.stringify(m.to).includes('triage@'));
    expect(staffMail.text).not.toContain('camille@example.org');
    expect(staffMail.text).not.toContain('Camille');
    const ack = await smtp.waitFor((m) => JSON.stringify(m.to).includes('camille@example.org') && m.subject?.includes('reçu') === true);
    expect(ack.text).toContain(created.tracking_token);

    // Unpublished: its tracking page answers, its public number does not.
    const tracked = await fetch(`${server.url}/api/incidents/track/${created.tracking_token}`);
    expect(tracked.status).toBe(200);
    expect(await tracked.json()).toMatchObject({ id: created.id, status: 'new', published: false, service_code: 'lighting' });
    expect((await fetch(`${server.url}/open311/v2/requests/${created.id}.json`)).status).toBe(404);

    expect((await asStaff('PATCH', `/api/incidents/${created.id}`, { published: true })).status).toBe(200);
    expect((await fetch(`${server.url}/open311/v2/requests/${created.id}.json`)).status).toBe(200);

    for (const [status, answer] of [['acknowledged', undefined], ['in_progress', 'Intervention prévue mardi.'], ['resolved', 'Ampoule remplacée.']] as const) {
      const res = await asStaff('POST', `/api/incidents/${created.id}/status`, { status, ...(answer ? { status_notes: answer } : {}) });
      expect(res.status, status).toBe(200);
      const mail = await smtp.waitFor((m) => JSON.stringify(m.to).includes('camille@example.org') && m.subject?.includes(`${created.id}`) === true && m.text?.includes(`is now: ${ {acknowledged: 'Acknowledged', in_progress: 'In progress', resolved: 'Resolved'}[status] }`) === true);
      if (answer) expect(mail.text).toContain(answer);
    }

    const detail = await (await asStaff('GET', `/api/incidents/${created.id}`)).json() as { status: string; closed_at: string | null; history: { action: string; user: { email: string } | null; details: { before?: { status: string }; after?: { status: string } } }[] };
    expect(detail.status).toBe('resolved');
    expect(detail.closed_at).not.toBeNull();
    const moves = detail.history.filter((h) => h.action === 'incident_status_changed').reverse();
    expect(moves.map((h) => [h.details.before!.status, h.details.after!.status])).toEqual([['new', 'acknowledged'], ['acknowledged', 'in_progress'], ['in_progress', 'resolved']]);
    expect(moves.every((h) => h.user?.email === staff.email)).toBe(true);
    expect(detail.history.map((h) => h.action)).toEqual(expect.arrayContaining(['incident_reported', 'incident_published']));
    expect(JSON.stringify(detail.history)).not.toContain('camille@example.org');

    const page = await (await fetch(`${server.url}/api/incidents/track/${created.tracking_token}`)).json() as { status: string; status_notes: string };
    expect(page).toMatchObject({ status: 'resolved', status_notes: 'Ampoule remplacée.' });
  });

  it('refuses moves the workflow forbids, and needs the original to mark a duplicate', async () => {
    const first = await newReport();
    const second = await newReport();
    const move = (id: number, body: unknown) => asStaff('POST', `/api/incidents/${id}/status`, body);
    expect((await move(first.id, { status: 'new' })).status).toBe(422);
    expect((await move(second.id, { status: 'duplicate' })).status).toBe(422);
    expect((await move(second.id, { status: 'duplicate', duplicate_of: second.id })).status).toBe(422);
    expect((await move(second.id, { status: 'bogus' })).status).toBe(422);
    const dup = await move(second.id, { status: 'duplicate', duplicate_of: first.id, status_notes: 'Déjà signalé.' });
    expect(dup.status).toBe(200);
    expect(await dup.json()).toMatchObject({ status: 'duplicate', duplicate_of: first.id });
    expect((await move(first.id, { status: 'duplicate', duplicate_of: second.id })).status).toBe(422);
    expect((await move(second.id, { status: 'resolved' })).status).toBe(422);
    expect((await move(second.id, { status: 'acknowledged' })).status).toBe(200);
  });

  it('keeps internal notes out of every public answer', async () => {
    const created = await newReport();
    const note = await asStaff('POST', `/api/incidents/${created.id}/notes`, { note: 'Voir avec le SDE35, note interne' });
    expect(note.status).toBe(201);
    await asStaff('PATCH', `/api/incidents/${created.id}`, { published: true });
    for (const path of [`/api/incidents/track/${created.tracking_token}`, `/open311/v2/requests/${created.id}.json`, `/open311/v2/requests/${created.id}.xml`]) {
      expect(await (await fetch(server.url + path)).text(), path).not.toContain('SDE35');
    }
    const detail = await (await asStaff('GET', `/api/incidents/${created.id}`)).json() as { notes: { note: string; user_email: string }[] };
    expect(detail.notes).toEqual([expect.objectContaining({ note: 'Voir avec le SDE35, note interne', user_email: staff.email })]);
  });

  it('lets only staff triage', async () => {
    const created = await newReport();
    expect((await fetch(`${server.url}/api/incidents`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/incidents/${created.id}`)).status).toBe(401);
    const noCsrf = await fetch(`${server.url}/api/incidents/${created.id}/status`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: staff.cookie }, body: JSON.stringify({ status: 'acknowledged' }),
    });
    expect(noCsrf.status).toBe(403);
  });
});
