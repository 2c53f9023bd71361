// Uploads over their limit, and uploads from clients who may not upload, are answered with a JSON
// reason while the body is still coming (declared too long, or streamed with no length), never by a
// dropped connection; an Open311 client without a valid key is refused before its photos are read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { uploadUntilAnswered, type EarlyAnswer } from './helpers/partial-upload.ts';

const KEY = 'cle-311-limites';
const MiB = 1024 * 1024;
const BOUNDARY = 'limites0123456789';

/** The start of a multipart body: `fields`, then the header of a file part whose bytes follow. */
function multipartHead(fields: Record<string, string>, file: { field: string; name: string; type: string }): Buffer {
  const parts = Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`);
  return Buffer.from(parts.join(''), 'utf8');
}
const multipartType = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

function expectJsonReason(answer: EarlyAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body) as { code: string; description: string };
  expect(body.code).toBe(code);
  expect(body.description).toContain(' / ');
}

describe('upload limits', () => {
  let server: TestServer;
  let staff: StaffSession;
  let lotId: number;
  let place: { lon: number; lat: number };
  const reportFields = () => ({ service_code: 'waste', lat: String(place.lat), long: String(place.lon), description: 'Dépôt sauvage' });
  const incidentCount = async () => (await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents')).rows[0]!.n;

  beforeAll(async () => {
    server = await startTestServer({ env: { ATTACHMENT_MAX_MB: '1', INCIDENT_PHOTO_MAX_MB: '1', OPEN311_API_KEYS: KEY } });
    staff = await createStaffSession(server);
    lotId = (await server.db.query<{ id: number }>('SELECT min(id) AS id FROM zone_lots')).rows[0]!.id;
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Talensac') c`);
    place = rows[0]!;
  });
  afterAll(async () => server?.close());

  const staffHeaders = () => ({ cookie: staff.cookie, 'x-csrf-token': staff.csrf });

  it('answers a lot attachment over the limit 413 with a JSON reason, whether its length is declared or not', async () => {
    const url = `${server.url}/api/lots/${lotId}/attachments?name=plan.pdf`;
    const headers = { ...staffHeaders(), 'content-type': 'application/pdf' };
    const head = Buffer.from('%PDF-1.4\n');
    const declared = await uploadUntilAnswered(url, { headers, head, declaredLength: 64 * MiB, fillUpTo: 64 * MiB });
    expectJsonReason(declared, 413, 'PayloadTooLarge');
    expect(declared.bytesSent).toBeLessThan(32 * MiB);
    const streamed = await uploadUntilAnswered(url, { headers, head, fillUpTo: 64 * MiB });
    expectJsonReason(streamed, 413, 'PayloadTooLarge');
    expect(streamed.bytesSent).toBeLessThan(32 * MiB);
    const { rows } = await server.db.query('SELECT 1 FROM lot_attachments WHERE lot_id = $1', [lotId]);
    expect(rows).toEqual([]);
  });

  it('answers a report whose photo is over the limit 413 with a JSON reason, whether its length is declared or not', async () => {
    const before = await incidentCount();
    const url = `${server.url}/api/incidents`;
    const head = multipartHead(reportFields(), { field: 'photos', name: 'grand.jpg', type: 'image/jpeg' });
    const declared = await uploadUntilAnswered(url, { headers: multipartType, head, declaredLength: 64 * MiB, fillUpTo: 64 * MiB });
    expectJsonReason(declared, 413, 'PayloadTooLarge');
    expect(declared.bytesSent).toBeLessThan(32 * MiB);
    const streamed = await uploadUntilAnswered(url, { headers: multipartType, head, fillUpTo: 64 * MiB });
    expectJsonReason(streamed, 413, 'PayloadTooLarge');
    expect(streamed.bytesSent).toBeLessThan(32 * MiB);
    expect(await incidentCount()).toBe(before);
  });

  it('answers an import upload declared over the limit 413 at once, with a JSON reason', async () => {
    const answer = await uploadUntilAnswered(`${server.url}/api/imports`, {
      headers: { ...staffHeaders(), ...multipartType },
      head: multipartHead({ layer: 'wifi_hotspots', mode: 'append' }, { field: 'file', name: 'bornes.csv', type: 'text/csv' }),
      declaredLength: 2 * 1024 * MiB, fillUpTo: 4 * MiB,
    });
    expectJsonReason(answer, 413, 'PayloadTooLarge');
  });

  it('answers a JSON body over its limit 413 with a reason in French and English, whether its length is declared or not', async () => {
    const url = `${server.url}/api/lots/${lotId}/enquiries`;
    const headers = { 'content-type': 'application/json' };
    const head = Buffer.from('{"name":"');
    for (const declaredLength of [8 * MiB, undefined]) {
      const answer = await uploadUntilAnswered(url, { headers, head, declaredLength, fillUpTo: 8 * MiB });
      expectJsonReason(answer, 413, 'PayloadTooLarge');
      expect(answer.bytesSent).toBeLessThan(8 * MiB);
    }
  });

  it('refuses an Open311 POST with photos before reading them when the api_key is missing or wrong', async () => {
    const before = await incidentCount();
    const head = multipartHead({ ...reportFields(), api_key: KEY }, { field: 'photos', name: 'p.jpg', type: 'image/jpeg' });
    for (const query of ['', '?api_key=mauvaise-cle']) {
      const answer = await uploadUntilAnswered(`${server.url}/open311/v2/requests.json${query}`, {
        headers: multipartType, head, declaredLength: 64 * MiB, fillUpTo: 64 * MiB,
      });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
      expect(answer.bytesSent).toBeLessThan(32 * MiB);
    }
    expect(await incidentCount()).toBe(before);
  });

  it('takes an Open311 POST with a photo when the api_key is in the URL, and a form without photos with the key in its body', async () => {
    const photo = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#228833' } }).jpeg().toBuffer();
    const form = new FormData();
    for (const [name, value] of Object.entries(reportFields())) form.set(name, value);
    form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg');
    const withPhoto = await fetch(`${server.url}/open311/v2/requests.json?api_key=${KEY}`, { method: 'POST', body: form });
    expect(withPhoto.status).toBe(201);
    const [created] = (await withPhoto.json()) as { service_request_id: number }[];
    const { rows } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incident_photos WHERE incident_id = $1', [created!.service_request_id]);
    expect(rows[0]!.n).toBe(1);
    const plain = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: new URLSearchParams({ ...reportFields(), api_key: KEY }) });
    expect(plain.status).toBe(201);
    const wrong = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: new URLSearchParams({ ...reportFields(), api_key: 'non' }) });
    expect(wrong.status).toBe(403);
  });
});
