// Open311 GeoReport v2 at /open311/v2, checked field by field against the spec in JSON and XML:
// discovery, services, service definitions, requests (GET filters, the 90-day window, the near-a-point
// extension; POST with api_key), one request by id or token, tokens, and the spec's error list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';

const REQUEST_FIELDS = [
  'service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible',
  'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode',
  'lat', 'long', 'media_url',
].sort();
const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+|-)\d{2}:\d{2}$/;
const KEY = 'cle-de-test-311';

type Json = Record<string, unknown>;
const xml = (text: string) => create(text).end({ format: 'object' }) as Record<string, Json>;

describe('Open311 GeoReport v2', () => {
  let server: TestServer;
  let staff: StaffSession;
  let place: { lon: number; lat: number };

  const get = async (path: string) => {
    const res = await fetch(`${server.url}/open311/v2/${path}`);
    return { res, text: await res.text() };
  };
  const post = (format: string, fields: Record<string, string>) =>
    fetch(`${server.url}/open311/v2/requests.${format}`, { method: 'POST', body: new URLSearchParams(fields) });
  const reportFields = (extra: Record<string, string> = {}) => ({
    api_key: KEY, service_code: 'lighting', lat: String(place.lat), long: String(place.lon), description: 'Candélabre tombé',
    email: 'client311@example.org', first_name: 'Ana', last_name: 'Silva', phone: '0299000000', ...extra,
  });

  beforeAll(async () => {
    server = await startTestServer({ env: { OPEN311_API_KEYS: `autre,${KEY}`, TILE_FRESHNESS_MS: '0' } });
    staff = await createStaffSession(server);
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Breteil') c`);
    place = rows[0]!;
    // Recent dates for the seeded reports, so that the default 90-day window holds some.
    await server.db.query("UPDATE incidents SET requested_datetime = now() - make_interval(days => id), updated_datetime = now() - make_interval(hours => id)");
  });
  afterAll(async () => server?.close());

  it('describes itself in discovery', async () => {
    const json = JSON.parse((await get('discovery.json')).text) as Json;
    expect(Object.keys(json).sort()).toEqual(['changeset', 'contact', 'endpoints', 'key_service']);
    expect(json.endpoints).toEqual([{
      specification: 'http://wiki.open311.org/GeoReport_v2', url: `${server.url}/open311/v2`, changeset: expect.stringMatching(ISO_OFFSET),
      type: 'production', formats: ['text/xml', 'application/json'],
    }]);
    const { res, text } = await get('discovery.xml');
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const doc = xml(text);
    expect((doc.discovery!.endpoints as Json).endpoint).toMatchObject({ type: 'production', formats: { format: ['text/xml', 'application/json'] } });
  });

  it('lists the services from the layer’s categories, and defines each', async () => {
    const services = JSON.parse((await get('services.json')).text) as Json[];
    expect(services.map((s) => s.service_code)).toEqual(['lighting', 'roads', 'signage', 'waste', 'network', 'green_space', 'other']);
    for (const s of services) {
      expect(Object.keys(s).sort()).toEqual(['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type']);
      expect(s).toMatchObject({ metadata: false, type: 'realtime' });
    }
    expect(services[0]!.service_name).toBe('Éclairage public');
    const doc = xml((await get('services.xml')).text);
    const list = (doc.services!.service as Json[]);
    expect(list).toHaveLength(7);
    expect(list[0]).toMatchObject({ service_code: 'lighting', metadata: 'false', type: 'realtime' });
    expect(JSON.parse((await get('services/roads.json')).text)).toEqual({ service_code: 'roads', attributes: [] });
    expect(xml((await get('services/roads.xml')).text).service_definition).toMatchObject({ service_code: 'roads' });
    const unknown = await get('services/unicorns.json');
    expect(unknown.res.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual([{ code: 404, description: expect.any(String) }]);
  });

  it('takes a POST in both formats, answering the id and token at once, and requires the api_key', async () => {
    const res = await post('json', reportFields());
    expect(res.status).toBe(201);
    const [answer] = (await res.json()) as Json[];
    expect(Object.keys(answer!).sort()).toEqual(['account_id', 'service_notice', 'service_request_id', 'token']);
    expect(answer!.service_request_id).toEqual(expect.any(Number));
    expect(answer!.token).toMatch(/^[0-9a-f]{32}$/);
    const { rows } = await server.db.query('SELECT reporter_name, reporter_email, reporter_phone FROM incidents WHERE id = $1', [answer!.service_request_id]);
    expect(rows[0]).toEqual({ reporter_name: 'Ana Silva', reporter_email: 'client311@example.org', reporter_phone: '0299000000' });

    const asXml = await post('xml', reportFields());
    expect(asXml.status).toBe(201);
    const request = xml(await asXml.text()).service_requests!.request as Json;
    expect(request.service_request_id).toMatch(/^\d+$/);
    expect(request.token).toMatch(/^[0-9a-f]{32}$/);

    const noKey = await post('json', reportFields({ api_key: '' }));
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
    const badXml = await post('xml', reportFields({ service_code: 'unicorns' }));
    expect(badXml.status).toBe(422);
    const errors = xml(await badXml.text()).errors!.error as Json;
    expect(errors.code).toBe('422');
    expect(errors.description).toContain('service_code');

    // Unpublished: found by token (request and tokens), not by number nor in lists.
    const byToken = JSON.parse((await get(`requests/${answer!.token}.json`)).text) as Json[];
    expect(byToken).toHaveLength(1);
    expect(byToken[0]).toMatchObject({ service_request_id: answer!.service_request_id, status: 'open', status_notes: expect.stringMatching(/^new: /) });
    expect(JSON.parse((await get(`tokens/${answer!.token}.json`)).text)).toEqual([{ service_request_id: answer!.service_request_id, token: answer!.token }]);
    expect((await get(`requests/${answer!.service_request_id}.json`)).res.status).toBe(404);
    expect(JSON.parse((await get('requests.json')).text).map((r: Json) => r.service_request_id)).not.toContain(answer!.service_request_id);
  });

  it('lists published requests with the spec’s fields, statuses and filters', async () => {
    const all = JSON.parse((await get('requests.json')).text) as Json[];
    expect(all.length).toBeGreaterThan(3);
    for (const r of all) {
      expect(Object.keys(r).sort()).toEqual(REQUEST_FIELDS);
      expect(['open', 'closed']).toContain(r.status);
      expect(r.requested_datetime).toMatch(ISO_OFFSET);
      expect(r.updated_datetime).toMatch(ISO_OFFSET);
      expect(typeof r.lat).toBe('number');
      expect(typeof r.long).toBe('number');
      expect(r.status_notes).toMatch(/^(new|acknowledged|in_progress|resolved|rejected|duplicate)/);
    }
    const closed = JSON.parse((await get('requests.json?status=closed')).text) as Json[];
    expect(closed.length).toBeGreaterThan(0);
    expect(closed.every((r) => r.status === 'closed')).toBe(true);
    const roads = JSON.parse((await get('requests.json?service_code=roads,waste')).text) as Json[];
    expect(roads.every((r) => r.service_code === 'roads' || r.service_code === 'waste')).toBe(true);
    const ids = all.slice(0, 2).map((r) => r.service_request_id);
    const picked = JSON.parse((await get(`requests.json?service_request_id=${ids.join(',')}`)).text) as Json[];
    expect(picked.map((r) => r.service_request_id).sort()).toEqual([...ids].sort());
    const last = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const recent = JSON.parse((await get(`requests.json?start_date=${encodeURIComponent(last)}`)).text) as Json[];
    expect(recent.every((r) => new Date(r.requested_datetime as string) >= new Date(last))).toBe(true);
    expect(recent.length).toBeLessThan(all.length);

    const doc = xml((await get('requests.xml')).text);
    const items = doc.service_requests!.request as Json[];
    expect(items).toHaveLength(all.length);
    expect(Object.keys(items[0]!).sort()).toEqual(REQUEST_FIELDS);

    const one = xml((await get(`requests/${ids[0]}.xml`)).text).service_requests!.request as Json;
    expect(one.service_request_id).toBe(String(ids[0]));
  });

  it('lists open requests of a service near a point (the duplicate check extension)', async () => {
    const [answer] = (await (await post('json', reportFields({ service_code: 'waste' }))).json()) as Json[];
    await fetch(`${server.url}/api/incidents/${answer!.service_request_id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf }, body: JSON.stringify({ published: true }),
    });
    const near = JSON.parse((await get(`requests.json?service_code=waste&status=open&lat=${place.lat}&long=${place.lon}&radius=50`)).text) as Json[];
    expect(near.map((r) => r.service_request_id)).toContain(answer!.service_request_id);
    const far = JSON.parse((await get(`requests.json?service_code=waste&status=open&lat=${place.lat + 0.01}&long=${place.lon}&radius=50`)).text) as Json[];
    expect(far.map((r) => r.service_request_id)).not.toContain(answer!.service_request_id);
  });

  it('answers bad parameters with the spec’s error list in the asked format', async () => {
    for (const query of ['status=pending', 'start_date=yesterday', 'service_code=unicorns', 'service_request_id=abc', 'lat=48.1', 'radius=99999&lat=48.1&long=-1.9']) {
      const json = await get(`requests.json?${query}`);
      expect(json.res.status, query).toBe(400);
      expect(JSON.parse(json.text), query).toEqual([{ code: 400, description: expect.any(String) }]);
      const asXml = await get(`requests.xml?${query}`);
      expect(asXml.res.status).toBe(400);
      expect(xml(asXml.text).errors!.error).toMatchObject({ code: '400' });
    }
    expect((await get('requests/999999.json')).res.status).toBe(404);
    expect((await get('requests.csv')).res.status).toBe(404);
  });
});
