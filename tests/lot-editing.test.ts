// Staff editing business zones and lots over HTTP, on the database the suite runs on: who may
// read and write what, preconditions (428/412/409) and concurrent edits, every lot rule (422),
// the audit trail and undo, split and merge, and edits showing at once in OGC API and tiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { decodeTile } from './helpers/tile-golden.ts';

type Feature = { type: 'Feature'; id: number; geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> };
type Ring = [number, number][];

describe('zone and lot editing API', () => {
  let server: TestServer;
  let staff: StaffSession;
  let colleague: StaffSession;
  /** The test zone: a square of about 300 m in Saint-Gonlay, [west, south, east, north]. */
  let box: [number, number, number, number];
  let zoneId: number;

  /** A rectangle in fractions of the test zone (0 = west/south, 1 = east/north). */
  const rect = (x0: number, y0: number, x1: number, y1: number) => {
    const [w, s, e, n] = box;
    const x = (f: number) => w + f * (e - w);
    const y = (f: number) => s + f * (n - s);
    const ring: Ring = [[x(x0), y(y0)], [x(x1), y(y0)], [x(x1), y(y1)], [x(x0), y(y1)], [x(x0), y(y0)]];
    return { type: 'Polygon', coordinates: [ring] };
  };
  const call = (method: string, path: string, options: { session?: StaffSession; body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {}) =>
    fetch(server.url + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(options.session ? { cookie: options.session.cookie } : {}),
        ...(options.session && options.csrf !== false ? { 'x-csrf-token': options.session.csrf } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  const createLot = async (properties: Record<string, unknown>, geometry: unknown, session = staff) =>
    call('POST', `/api/zones/${zoneId}/lots`, { session, body: { type: 'Feature', properties, geometry } });
  const readLot = async (id: number, session = staff) => {
    const res = await call('GET', `/api/lots/${id}`, { session });
    return { etag: res.headers.get('etag')!, lot: (await res.json()) as Feature };
  };
  const patch = (id: number, etag: string | undefined, body: unknown, session = staff) =>
    call('PATCH', `/api/lots/${id}`, { session, body, headers: etag ? { 'if-match': etag } : {} });
  const geodesicArea = async (ids: number[]) =>
    (await server.db.query<{ m2: number }>('SELECT sum(ST_Area(geom::geography)) AS m2 FROM zone_lots WHERE id = ANY ($1::integer[])', [ids])).rows[0]!.m2;

  beforeAll(async () => {
    server = await startTestServer({ env: { TILE_FRESHNESS_MS: '0' } });
    staff = await createStaffSession(server);
    colleague = await createStaffSession(server);
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Saint-Gonlay') c`);
    const { lon, lat } = rows[0]!;
    box = [lon - 0.002, lat - 0.00135, lon + 0.002, lat + 0.00135];
    const zone = await call('POST', '/api/zones', {
      session: staff,
      body: { type: 'Feature', properties: { code: 'ZAE-TEST', name: 'ZA du Test', commune: 'Saint-Gonlay', kind: 'craft' }, geometry: rect(0, 0, 1, 1) },
    });
    expect(zone.status, await zone.clone().text()).toBe(201);
    zoneId = ((await zone.json()) as Feature).id;
  });
  afterAll(async () => server?.close());

  describe('reading', () => {
    it('shows the public fields of a zone’s lots to everyone and every field to staff', async () => {
      const anonymous = (await (await call('GET', '/api/zones/1/lots')).json()) as { features: Feature[] };
      expect(anonymous.features.length).toBeGreaterThan(1);
      const publicKeys = new Set(anonymous.features.flatMap((f) => Object.keys(f.properties)));
      for (const secret of ['notes', 'occupant_name', 'occupant_siret', 'option_expires_on']) expect(publicKeys.has(secret), secret).toBe(false);
      expect(publicKeys.has('status')).toBe(true);
      const asStaff = (await (await call('GET', '/api/zones/1/lots', { session: staff })).json()) as { features: Feature[] };
      expect(Object.keys(asStaff.features[0]!.properties)).toEqual(expect.arrayContaining(['notes', 'occupant_name', 'option_expires_on', 'naf_code']));
      const zones = (await (await call('GET', '/api/zones')).json()) as { features: Feature[] };
      expect(zones.features.map((z) => z.properties.code)).toContain('ZAE-TEST');
    });

    it('answers a strong ETag and 304 when it still holds, for one lot and for lists', async () => {
      for (const path of ['/api/lots/1', '/api/zones/1', '/api/zones/1/lots', '/api/zones']) {
        const first = await call('GET', path);
        const etag = first.headers.get('etag')!;
        expect(etag, path).toMatch(/^"/);
        expect((await call('GET', path, { headers: { 'if-none-match': etag } })).status, path).toBe(304);
      }
      expect((await call('GET', '/api/lots/999999')).status).toBe(404);
    });
  });

  describe('who may write', () => {
    it('refuses writes without a session (401) or without the CSRF token (403)', async () => {
      const { etag } = await readLot(1);
      expect((await call('PATCH', '/api/lots/1', { body: { notes: 'x' }, headers: { 'if-match': etag } })).status).toBe(401);
      expect((await call('PATCH', '/api/lots/1', { session: staff, csrf: false, body: { notes: 'x' }, headers: { 'if-match': etag } })).status).toBe(403);
      expect((await createLot({ lot_number: 'X' }, rect(0.9, 0.9, 0.95, 0.95), { ...staff, csrf: 'wrong' })).status).toBe(403);
      expect((await call('POST', '/api/zones', { body: {} })).status).toBe(401);
    });
  });

  describe('lot rules', () => {
    let lotA: number;
    beforeAll(async () => {
      const res = await createLot({ lot_number: '1', price_per_m2: 18, serviced: true }, rect(0.05, 0.05, 0.45, 0.45));
      expect(res.status, await res.clone().text()).toBe(201);
      const lot = (await res.json()) as Feature;
      lotA = lot.id;
      expect(lot.properties).toMatchObject({ status: 'available', zone_id: zoneId, lot_number: '1', version: 1 });
      // Computed geodesically: 0.4 × 0.4 of a ~297 m × 300 m square.
      expect(lot.properties.area_m2 as number).toBeGreaterThan(12_000);
      expect(lot.properties.area_m2 as number).toBeLessThan(16_000);
      expect(res.headers.get('location')).toBe(`/api/lots/${lotA}`);
    });

    const expect422 = async (res: Response, field: string, rule?: string) => {
      expect(res.status).toBe(422);
      const body = (await res.json()) as { code: string; description: string; field: string; rule?: string };
      expect(body).toMatchObject({ code: 'UnprocessableEntity', field, ...(rule ? { rule } : {}) });
      expect(body.description).toContain(' / ');
    };

    it('refuses a self-intersecting geometry', async () => {
      const [w, s, e, n] = box;
      const bowtie = { type: 'Polygon', coordinates: [[[w + 0.0005, s + 0.0002], [e - 0.0005, n - 0.0002], [e - 0.0005, s + 0.0002], [w + 0.0005, n - 0.0002], [w + 0.0005, s + 0.0002]]] };
      await expect422(await createLot({ lot_number: 'B1' }, bowtie), 'geometry', 'invalid');
    });

    it('refuses a lot outside its zone', async () => {
      await expect422(await createLot({ lot_number: 'B2' }, rect(0.8, 0.8, 1.3, 1.3)), 'geometry', 'outside_zone');
    });

    it('refuses a lot overlapping a sibling beyond the tolerance', async () => {
      await expect422(await createLot({ lot_number: 'B3' }, rect(0.4, 0.4, 0.6, 0.6)), 'geometry', 'overlap');
    });

    it('refuses a typed area, a forbidden status change, a bad SIRET, an unknown NAF code and a missing expiry', async () => {
      await expect422(await createLot({ lot_number: 'B4', area_m2: 10 }, rect(0.5, 0.05, 0.6, 0.1)), 'area_m2');
      const sold = await patch(lotA, (await readLot(lotA)).etag, { status: 'sold', occupant_siret: '73282932000074', naf_code: '62.01Z' });
      expect(sold.status, await sold.clone().text()).toBe(200);
      await expect422(await patch(lotA, sold.headers.get('etag')!, { status: 'available' }), 'status');
      await expect422(await patch(lotA, sold.headers.get('etag')!, { occupant_siret: '73282932000075' }), 'occupant_siret');
      await expect422(await patch(lotA, sold.headers.get('etag')!, { naf_code: '62.01Y' }), 'naf_code');
      await expect422(await createLot({ lot_number: 'B5', status: 'optioned' }, rect(0.5, 0.05, 0.6, 0.1)), 'option_expires_on');
      const optioned = await createLot({ lot_number: 'B5', status: 'optioned', option_expires_on: '2099-06-30' }, rect(0.5, 0.05, 0.6, 0.1));
      expect(optioned.status).toBe(201);
    });
  });

  describe('preconditions and concurrent edits', () => {
    let lot: number;
    beforeAll(async () => {
      lot = ((await (await createLot({ lot_number: '2', price_per_m2: 20 }, rect(0.05, 0.55, 0.45, 0.95))).json()) as Feature).id;
    });

    it('asks for If-Match (428), refuses a stale one (412) and a stale body version (409), with the current lot', async () => {
      expect((await patch(lot, undefined, { price_per_m2: 21 })).status).toBe(428);
      const { etag, lot: before } = await readLot(lot);
      const ok = await patch(lot, etag, { price_per_m2: 21 });
      expect(ok.status).toBe(200);
      const stale = await patch(lot, etag, { price_per_m2: 22 });
      expect(stale.status).toBe(412);
      const body = (await stale.json()) as { current: Feature; etag: string };
      expect(body.current.properties).toMatchObject({ price_per_m2: 21, version: (before.properties.version as number) + 1 });
      const conflict = await patch(lot, ok.headers.get('etag')!, { price_per_m2: 23, version: before.properties.version });
      expect(conflict.status).toBe(409);
      expect(((await conflict.json()) as { current: Feature }).current.properties.price_per_m2).toBe(21);
      expect((await call('DELETE', `/api/lots/${lot}`, { session: staff })).status).toBe(428);
    });

    it('lets exactly one of two concurrent PATCHes with the same ETag through, and keeps the winner’s values', async () => {
      const { etag } = await readLot(lot);
      const [a, b] = await Promise.all([
        patch(lot, etag, { price_per_m2: 30, notes: 'agent A' }, staff),
        patch(lot, etag, { price_per_m2: 40, notes: 'agent B' }, colleague),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 412]);
      const winner = a.status === 200 ? { price_per_m2: 30, notes: 'agent A' } : { price_per_m2: 40, notes: 'agent B' };
      const loser = (await (a.status === 412 ? a : b).json()) as { current: Feature };
      expect(loser.current.properties).toMatchObject(winner);
      expect((await readLot(lot)).lot.properties).toMatchObject(winner);
    });
  });

  describe('history and undo', () => {
    let lot: number;
    beforeAll(async () => {
      lot = ((await (await createLot({ lot_number: '3', price_per_m2: 15 }, rect(0.55, 0.55, 0.95, 0.95))).json()) as Feature).id;
    });

    it('records each change with who, when, before and after, readable per lot and per person', async () => {
      const res = await patch(lot, (await readLot(lot)).etag, { price_per_m2: 16, status: 'reserved', option_expires_on: '2099-01-31' });
      expect(res.status).toBe(200);
      const history = (await (await call('GET', `/api/lots/${lot}/history`, { session: staff })).json()) as {
        entries: { action: string; user: { email: string }; at: string; details: { before: Record<string, unknown>; after: Record<string, unknown> } }[];
      };
      expect(history.entries.map((e) => e.action)).toEqual(['lot_updated', 'lot_created']);
      const [update] = history.entries;
      expect(update!.user.email).toBe(staff.email);
      expect(update!.details.before).toEqual({ price_per_m2: 15, status: 'available', option_expires_on: null });
      expect(update!.details.after).toEqual({ price_per_m2: 16, status: 'reserved', option_expires_on: '2099-01-31' });
      expect(Date.parse(update!.at)).toBeGreaterThan(Date.now() - 60_000);
      expect((await call('GET', `/api/lots/${lot}/history`)).status).toBe(401);
      const me = ((await (await call('GET', '/api/auth/me', { session: staff })).json()) as { user: { id: number } }).user.id;
      const mine = (await (await call('GET', `/api/users/${me}/history`, { session: staff })).json()) as { entries: { feature_id: string }[] };
      expect(mine.entries.some((e) => e.feature_id === String(lot))).toBe(true);
    });

    it('undoes one’s own last edit as a new audited change', async () => {
      const undo = await call('POST', `/api/lots/${lot}/undo`, { session: staff });
      expect(undo.status, await undo.clone().text()).toBe(200);
      expect(((await undo.json()) as Feature).properties).toMatchObject({ price_per_m2: 15, status: 'available', option_expires_on: null });
      const history = (await (await call('GET', `/api/lots/${lot}/history`, { session: staff })).json()) as { entries: { action: string; details: { undoes?: number } }[] };
      expect(history.entries[0]).toMatchObject({ action: 'lot_updated', details: { undoes: expect.any(Number) } });
    });

    it('refuses to undo when someone else changed the lot since (409)', async () => {
      expect((await patch(lot, (await readLot(lot)).etag, { price_per_m2: 17 })).status).toBe(200);
      expect((await patch(lot, (await readLot(lot)).etag, { price_per_m2: 18 }, colleague)).status).toBe(200);
      const refused = await call('POST', `/api/lots/${lot}/undo`, { session: staff });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { current: Feature }).current.properties.price_per_m2).toBe(18);
    });
  });

  describe('split and merge', () => {
    it('splits a lot along a line into numbered lots of the same total area, and merges them back', async () => {
      const created = await createLot({ lot_number: '12', price_per_m2: 25 }, rect(0.62, 0.12, 0.95, 0.45));
      expect(created.status, await created.clone().text()).toBe(201);
      const source = (await created.json()) as Feature;
      const before = await geodesicArea([source.id]);
      const [w, s, e, n] = box;
      const x = w + 0.8 * (e - w);
      const split = await call('POST', `/api/lots/${source.id}/split`, {
        session: staff, headers: { 'if-match': (await readLot(source.id)).etag },
        body: { type: 'LineString', coordinates: [[x, s - 0.001], [x + 0.0001, n + 0.001]] },
      });
      expect(split.status, await split.clone().text()).toBe(201);
      const pieces = ((await split.json()) as { features: Feature[] }).features;
      expect(pieces.map((p) => p.properties.lot_number).sort()).toEqual(['12a', '12b']);
      expect(pieces.every((p) => p.properties.price_per_m2 === 25)).toBe(true);
      const ids = pieces.map((p) => p.id);
      expect(Math.abs((await geodesicArea(ids)) - before) / before).toBeLessThan(0.0001);
      expect((await call('GET', `/api/lots/${source.id}`)).status).toBe(404);
      const lineage = (await (await call('GET', `/api/lots/${ids[0]}/history`, { session: staff })).json()) as { lineage: { parents: { id: number; operation: string }[] } };
      expect(lineage.lineage.parents).toEqual([expect.objectContaining({ id: source.id, operation: 'split' })]);

      const merged = await call('POST', '/api/lots/merge', { session: staff, body: { ids, lot_number: '12' } });
      expect(merged.status, await merged.clone().text()).toBe(201);
      const lot = (await merged.json()) as Feature;
      expect(lot.properties.lot_number).toBe('12');
      expect(Math.abs((await geodesicArea([lot.id])) - before) / before).toBeLessThan(0.0001);
      const history = (await (await call('GET', `/api/lots/${lot.id}/history`, { session: staff })).json()) as { lineage: { parents: { id: number }[] } };
      expect(history.lineage.parents.map((p) => p.id).sort()).toEqual([...ids].sort());
    });

    it('refuses a line that does not cross the lot, and merging lots that do not touch (422)', async () => {
      const lot = ((await (await createLot({ lot_number: '20' }, rect(0.46, 0.46, 0.54, 0.54))).json()) as Feature);
      const [w, s] = box;
      const miss = await call('POST', `/api/lots/${lot.id}/split`, { session: staff, body: { type: 'LineString', coordinates: [[w - 0.01, s - 0.01], [w - 0.009, s - 0.011]] } });
      expect(miss.status).toBe(422);
      const apart = await call('POST', '/api/lots/merge', { session: staff, body: { ids: [lot.id, 1] } });
      expect(apart.status).toBe(422);
      expect(await apart.json()).toMatchObject({ field: 'ids' });
    });
  });

  describe('deleting', () => {
    it('deletes a lot with If-Match, and refuses to delete a zone that still has lots', async () => {
      const lot = ((await (await createLot({ lot_number: '30' }, rect(0.46, 0.7, 0.5, 0.75))).json()) as Feature);
      expect((await call('DELETE', `/api/lots/${lot.id}`, { session: staff, headers: { 'if-match': (await readLot(lot.id)).etag } })).status).toBe(204);
      const zone = await call('GET', `/api/zones/${zoneId}`, { session: staff });
      const refused = await call('DELETE', `/api/zones/${zoneId}`, { session: staff, headers: { 'if-match': zone.headers.get('etag')! } });
      expect(refused.status).toBe(409);
    });
  });

  describe('an edit shows at once', () => {
    it('in OGC API and in vector tiles', async () => {
      const { lot, etag } = await readLot(2);
      const ring = (lot.geometry.coordinates as Ring[][])[0]![0]!;
      const lon = (ring[0]![0] + ring[2]![0]) / 2;
      const lat = (ring[0]![1] + ring[2]![1]) / 2;
      const z = 16;
      const tx = Math.floor(((lon + 180) / 360) * 2 ** z);
      const ty = Math.floor(((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z);
      const tileStatus = async () => {
        const bytes = new Uint8Array(await (await call('GET', `/tiles/zone_lots/${z}/${tx}/${ty}.mvt`)).arrayBuffer());
        return decodeTile(bytes).zone_lots?.features.find((f) => f.id === 2)?.properties.status;
      };
      expect(await tileStatus()).toBe(lot.properties.status);
      const next = lot.properties.status === 'unavailable' ? 'available' : 'unavailable';
      expect((await patch(2, etag, { status: next })).status).toBe(200);
      const ogc = (await (await call('GET', '/ogc/collections/zone_lots/items/2')).json()) as Feature;
      expect(ogc.properties.status).toBe(next);
      expect(await tileStatus()).toBe(next);
    });
  });
});
