// The public catalogue of lots and what hangs on it: filters, the lot page (fibre answer, neighbours,
// public files), enquiries (validation, honeypot, concurrent rate limit, mail to a real local SMTP
// server, staff list, purge, and no enquirer data in any public response, tile or export), expiries
// flagged without change, dashboard figures against SQL computed here, and lot attachments.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneLots } from '../core/layers/zone-lots.layer.ts';
import { ENQUIRY_LIMIT } from '../server/enquiries/enquiries.routes.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/smtp-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

interface LotFeature { id: number; properties: { id: number; zone_id: number; status: string; area_m2: number; price_per_m2: number | null;
  serviced: boolean | null; commune: string | null; fibre_status: string } }

let server: TestServer;
let smtp: TestSmtpServer;
let staff: StaffSession;
let ipCounter = 0;
/** Each test posts from an address of its own (the server trusts X-Forwarded-For here), so rate limits do not mix. */
/** An address in a network of its own: the enquiry limit counts per network (IPv4 /24). */
const freshIp = () => `198.51.${++ipCounter}.7`;

const get = async <T>(path: string, headers: Record<string, string> = {}): Promise<T> => {
  const res = await fetch(server.url + path, { headers });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};
const staffHeaders = () => ({ cookie: staff.cookie, 'x-csrf-token': staff.csrf });
const enquire = (lotId: number, body: Record<string, unknown>, ip = freshIp()) => fetch(`${server.url}/api/lots/${lotId}/enquiries`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body),
});
const ENQUIRER = {
  name: 'Gwenaëlle Témoin-Privé', company: 'Menuiserie Témoin', email: 'gwenaelle.temoin@example.org',
  phone: '+33 6 12 34 56 78', message: 'Bonjour, ce lot est-il encore disponible ?', consent: true,
};
let marketLots: LotFeature[];

beforeAll(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ env: { SMTP_URL: smtp.url, ENQUIRY_MAIL_TO: 'eco@montfort.test', TRUST_PROXY: '1', ATTACHMENT_MAX_MB: '1' } });
  staff = await createStaffSession(server);
  marketLots = (await get<{ features: LotFeature[] }>('/api/catalogue/lots')).features;
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('the public catalogue', () => {
  it('lists exactly the lots on the market (available, optioned, reserved), each with a fibre answer', async () => {
    const { rows } = await server.db.query<{ id: number }>(`SELECT id FROM zone_lots WHERE status IN ('available', 'optioned', 'reserved') ORDER BY id`);
    expect(marketLots.map((f) => f.id).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
    expect(marketLots.length).toBeGreaterThan(2);
    for (const f of marketLots) expect(['deployed', 'connectable', 'in_progress', 'planned', 'study', 'not_planned', 'unknown']).toContain(f.properties.fibre_status);
  });

  it('filters by zone, commune, area, price, servicing and fibre, each as SQL here says', async () => {
    const zoneId = marketLots[0]!.properties.zone_id;
    const commune = marketLots[0]!.properties.commune!;
    const areas = marketLots.map((f) => f.properties.area_m2).sort((a, b) => a - b);
    const median = areas[Math.floor(areas.length / 2)]!;
    const cases: [string, (f: LotFeature) => boolean][] = [
      [`zone=${zoneId}`, (f) => f.properties.zone_id === zoneId],
      [`commune=${encodeURIComponent(commune.toUpperCase())}`, (f) => f.properties.commune === commune],
      [`area_min=${median}`, (f) => f.properties.area_m2 >= median],
      [`area_max=${median}`, (f) => f.properties.area_m2 <= median],
      ['price_max=30', (f) => f.properties.price_per_m2 !== null && f.properties.price_per_m2 <= 30],
      ['serviced=true', (f) => f.properties.serviced === true],
      ['fibre=true', (f) => ['deployed', 'connectable'].includes(f.properties.fibre_status)],
      ['fibre=false', (f) => !['deployed', 'connectable'].includes(f.properties.fibre_status)],
    ];
    for (const [query, keep] of cases) {
      const { features } = await get<{ features: LotFeature[] }>(`/api/catalogue/lots?${query}`);
      expect(features.map((f) => f.id), query).toEqual(marketLots.filter(keep).map((f) => f.id));
    }
  });

  it('refuses bad filters with a 400 in French and English', async () => {
    for (const query of ['area_min=-1', 'area_min=10&area_max=5', 'serviced=oui', 'zone=abc', 'colour=red', 'price_max=1e9']) {
      const res = await fetch(`${server.url}/api/catalogue/lots?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { description: string }).description, query).toContain(' / ');
    }
  });

  it('shows a lot with its public fields, fibre answer and neighbours, and no staff field', async () => {
    const lot = marketLots[0]!;
    const page = await get<Record<string, unknown> & { properties: Record<string, unknown>; fibre: { status: string; summary_fr: string };
      neighbours: { id: number }[] }>(`/api/catalogue/lots/${lot.id}`);
    expect(page.properties.zone_id).toBe(lot.properties.zone_id);
    expect(page.fibre.summary_fr).toMatch(/lot/);
    expect(page.properties.fibre_status).toBe(page.fibre.status);
    const { rows } = await server.db.query<{ id: number }>(`
      SELECT n.id FROM zone_lots n, zone_lots l WHERE l.id = $1 AND n.zone_id = l.zone_id AND n.id <> l.id
         AND ST_DWithin(n.geom::geography, l.geom::geography, 15) ORDER BY n.id`, [lot.id]);
    expect(page.neighbours.map((n) => n.id).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
    // Every staff-only property of the description, the occupant's CNIG establishment fields included.
    const staffOnly = zoneLots.properties.filter((p) => !p.public).map((p) => p.name);
    expect(staffOnly).toEqual(expect.arrayContaining(['occupant_name', 'occupant_siret', 'etab_creation_date', 'etab_effectif_code', 'notes', 'version']));
    for (const key of staffOnly) {
      expect(JSON.stringify(page), key).not.toContain(`"${key}"`);
    }
    expect((await fetch(`${server.url}/api/catalogue/lots/999999`)).status).toBe(404);
  });

  it('summarises zones with their lots on the market', async () => {
    const { zones } = await get<{ zones: { id: number; lots_on_market: number }[] }>('/api/catalogue/zones');
    const { rows } = await server.db.query<{ id: number; n: number }>(`
      SELECT z.id, count(l.id) FILTER (WHERE l.status IN ('available', 'optioned', 'reserved'))::int AS n
        FROM business_zones z LEFT JOIN zone_lots l ON l.zone_id = z.id GROUP BY z.id`);
    for (const z of zones) expect(z.lots_on_market).toBe(rows.find((r) => r.id === z.id)!.n);
  });
});

describe('enquiries', () => {
  it('stores an enquiry, mails it to staff through the local SMTP server, and lists it for staff as new', async () => {
    const lot = marketLots[0]!;
    const res = await enquire(lot.id, ENQUIRER);
    expect(res.status).toBe(202);
    const answer = await res.text();
    expect(answer).not.toContain(ENQUIRER.email);
    const mail = await smtp.waitFor((m) => m.text?.includes(ENQUIRER.email) ?? false);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('eco@montfort.test');
    expect(mail.text).toContain(ENQUIRER.message);
    const list = await get<{ enquiries: { id: number; lot_id: number; email: string; status: string }[] }>('/api/enquiries?status=new', staffHeaders());
    const mine = list.enquiries.find((e) => e.email === ENQUIRER.email)!;
    expect(mine).toMatchObject({ lot_id: lot.id, status: 'new' });
    const patch = await fetch(`${server.url}/api/enquiries/${mine.id}`, {
      method: 'PATCH', headers: { ...staffHeaders(), 'content-type': 'application/json' }, body: JSON.stringify({ status: 'answered' }),
    });
    expect(patch.status).toBe(204);
    const answered = await get<{ enquiries: { id: number }[] }>('/api/enquiries?status=answered', staffHeaders());
    expect(answered.enquiries.map((e) => e.id)).toContain(mine.id);
    expect((await fetch(`${server.url}/api/enquiries`)).status).toBe(401);
  });

  it('keeps no enquirer detail in any public response, tile or export', async () => {
    const lot = marketLots[0]!;
    const { rows } = await server.db.query<{ x: number; y: number }>(`
      SELECT floor((ST_X(p) + 180) / 360 * 2 ^ 15)::int AS x,
             floor((1 - ln(tan(radians(ST_Y(p))) + 1 / cos(radians(ST_Y(p)))) / pi()) / 2 * 2 ^ 15)::int AS y
        FROM (SELECT ST_PointOnSurface(geom) AS p FROM zone_lots WHERE id = $1) s`, [lot.id]);
    const paths = [
      '/api/catalogue/lots', `/api/catalogue/lots/${lot.id}`, '/api/catalogue/zones', '/api/dashboard', '/api/dashboard.csv',
      '/downloads/zae/site-eco.csv', '/downloads/zae/terrain-eco.csv', '/downloads/zae/etablissement.csv', '/downloads/zone_lots.csv', '/downloads/zone_lots.geojson',
      '/downloads/business_zones.geojson', `/ogc/collections/zone_lots/items/${lot.id}`, '/ogc/collections/zone_lots/items?limit=1000',
      `/api/eligibility?lot=${lot.id}`, `/tiles/zone_lots,business_zones/15/${rows[0]!.x}/${rows[0]!.y}.mvt`, '/layers', '/downloads?f=json',
    ];
    for (const path of paths) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      const body = Buffer.from(await res.arrayBuffer()).toString('utf8');
      for (const secret of [ENQUIRER.name, ENQUIRER.email, ENQUIRER.phone, 'Menuiserie Témoin', 'encore disponible']) {
        expect(body, `${path} holds "${secret}"`).not.toContain(secret);
      }
    }
  });

  it('reports every faulty field at once in French and English, and refuses an oversized body', async () => {
    const res = await enquire(marketLots[0]!.id, { name: ' ', email: 'pas-une-adresse', phone: 'appelez-moi', message: 'x'.repeat(2001), consent: false });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; description: string; fields: { field: string; message: string }[] };
    expect(body.code).toBe('UnprocessableEntity');
    expect(body.fields.map((f) => f.field)).toEqual(['name', 'email', 'phone', 'message', 'consent']);
    for (const f of body.fields) expect(f.message).toContain(' / ');
    const big = await enquire(marketLots[0]!.id, { ...ENQUIRER, message: 'x'.repeat(40_000) });
    expect(big.status).toBe(413);
    expect((await enquire(999999, ENQUIRER)).status).toBe(404);
    expect((await enquire(marketLots[0]!.id, { ...ENQUIRER, admin: true })).status).toBe(400);
  });

  it('answers a bot that fills the hidden field as it would a person, and keeps nothing', async () => {
    const before = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM lot_enquiries');
    const res = await enquire(marketLots[0]!.id, { ...ENQUIRER, email: 'bot@example.net', website: 'http://spam.example' });
    expect(res.status).toBe(202);
    const after = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM lot_enquiries');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it(`lets one address send ${ENQUIRY_LIMIT} enquiries an hour however many it sends at once`, async () => {
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: ENQUIRY_LIMIT + 4 }, (_, i) =>
      enquire(marketLots[1]!.id, { ...ENQUIRER, email: `rafale-${i}@example.org` }, ip)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(ENQUIRY_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    const limited = answers.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM lot_enquiries WHERE email LIKE 'rafale-%'`);
    expect(rows[0]!.n).toBe(ENQUIRY_LIMIT);
    // Another address is not held back.
    expect((await enquire(marketLots[1]!.id, { ...ENQUIRER, email: 'autre@example.org' })).status).toBe(202);
  });

  it('counts every address of one IPv6 /64 as one sender', async () => {
    const answers = await Promise.all(Array.from({ length: ENQUIRY_LIMIT + 2 }, (_, i) =>
      enquire(marketLots[1]!.id, { ...ENQUIRER, email: `v6-${i}@example.org` }, `2001:db8:77:1:${(i + 1).toString(16)}::1`)));
    expect(answers.map((r) => r.status).sort()).toEqual([...Array(ENQUIRY_LIMIT).fill(202), 429, 429]);
  });

  it('purges enquiries older than the retention delay', async () => {
    await server.db.query(`UPDATE lot_enquiries SET created_at = now() - interval '366 days' WHERE email = 'autre@example.org'`);
    const list = await get<{ enquiries: { email: string }[] }>('/api/enquiries', staffHeaders());
    expect(list.enquiries.map((e) => e.email)).not.toContain('autre@example.org');
    const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM lot_enquiries WHERE email = 'autre@example.org'`);
    expect(rows[0]!.n).toBe(0);
  });
});

describe('expiries', () => {
  it('lists options ending within 30 days and lapsed ones, flagging the lapsed without changing them', async () => {
    const [a, b, c] = marketLots.slice(0, 3).map((f) => f.id) as [number, number, number];
    await server.db.query(`UPDATE zone_lots SET status = 'optioned', option_expires_on = current_date - 2 WHERE id = $1`, [a]);
    await server.db.query(`UPDATE zone_lots SET status = 'reserved', option_expires_on = current_date + 10 WHERE id = $1`, [b]);
    await server.db.query(`UPDATE zone_lots SET status = 'optioned', option_expires_on = current_date + 40 WHERE id = $1`, [c]);
    expect((await fetch(`${server.url}/api/expiries`)).status).toBe(401);
    const body = await get<{ lapsed: { lot_id: number; lapsed: boolean; days_left: number }[]; upcoming: { lot_id: number; days_left: number }[] }>(
      '/api/expiries', staffHeaders());
    expect(body.lapsed.map((e) => e.lot_id)).toContain(a);
    expect(body.lapsed.find((e) => e.lot_id === a)).toMatchObject({ lapsed: true, days_left: -2 });
    expect(body.upcoming.find((e) => e.lot_id === b)).toMatchObject({ days_left: 10 });
    expect([...body.lapsed, ...body.upcoming].map((e) => e.lot_id)).not.toContain(c);
    const { rows } = await server.db.query<{ status: string }>('SELECT status FROM zone_lots WHERE id = $1', [a]);
    expect(rows[0]!.status).toBe('optioned');
    expect((await fetch(`${server.url}/api/expiries?days=0`, { headers: staffHeaders() })).status).toBe(400);
  });
});

describe('dashboards', () => {
  interface Figures { zone: { id: number } | null; lots_total: number; by_status: Record<string, { lots: number; area_m2: number }>;
    occupancy_rate: number | null; vacancy_rate: number | null; area_available_m2: number; fibre_share_by_count: number | null }
  const expectedFigures = async () => (await server.db.query<{ zone_id: number; total: number; taken: number; vacant: number; sold: number;
    available_m2: number }>(`
      SELECT z.id AS zone_id, count(l.id)::int AS total,
             count(l.id) FILTER (WHERE l.status IN ('sold', 'occupied'))::int AS taken,
             count(l.id) FILTER (WHERE l.status IN ('available', 'optioned', 'reserved'))::int AS vacant,
             count(l.id) FILTER (WHERE l.status = 'sold')::int AS sold,
             coalesce(sum(l.area_m2) FILTER (WHERE l.status = 'available'), 0)::float8 AS available_m2
        FROM business_zones z LEFT JOIN zone_lots l ON l.zone_id = z.id GROUP BY z.id`)).rows;

  it('gives per zone and overall figures equal to SQL computed here, and the same as CSV', async () => {
    const dashboard = await get<{ overall: Figures; zones: Figures[]; sales_by_month?: unknown }>('/api/dashboard');
    expect(dashboard.sales_by_month).toBeUndefined();
    const expected = await expectedFigures();
    for (const z of dashboard.zones) {
      const e = expected.find((x) => x.zone_id === z.zone!.id)!;
      expect(z.lots_total).toBe(e.total);
      expect(z.by_status.sold!.lots).toBe(e.sold);
      if (e.total) expect(z.occupancy_rate).toBeCloseTo(e.taken / e.total, 3);
      if (e.total) expect(z.vacancy_rate).toBeCloseTo(e.vacant / e.total, 3);
      expect(z.area_available_m2).toBeCloseTo(e.available_m2, 0);
      const thd = await get<{ share_by_count: number | null }>(`/api/zones/${z.zone!.id}/thd`);
      expect(z.fibre_share_by_count).toBe(thd.share_by_count);
    }
    expect(dashboard.overall.lots_total).toBe(expected.reduce((n, e) => n + e.total, 0));
    const csv = await (await fetch(`${server.url}/api/dashboard.csv`)).text();
    expect(csv.trim().split('\r\n')).toHaveLength(dashboard.zones.length + 2);
  });

  it('moves when a lot is sold, and shows staff the sales by month', async () => {
    const before = await get<{ overall: Figures }>('/api/dashboard');
    await server.db.query(`UPDATE zone_lots SET status = 'sold' WHERE id = $1`, [marketLots[3]!.id]);
    const after = await get<{ overall: Figures }>('/api/dashboard');
    expect(after.overall.by_status.sold!.lots).toBe(before.overall.by_status.sold!.lots + 1);
    const staffView = await get<{ sales_by_month: { month: string; lots: number }[] }>('/api/dashboard/staff', staffHeaders());
    const month = new Date().toISOString().slice(0, 7);
    expect(staffView.sales_by_month.find((s) => s.month === month)!.lots).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${server.url}/api/dashboard/staff`)).status).toBe(401);
  });
});

describe('lot attachments', () => {
  const upload = (lotId: number, bytes: Buffer, query = '') => fetch(`${server.url}/api/lots/${lotId}/attachments${query}`, {
    method: 'POST', headers: { ...staffHeaders(), 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes),
  });

  it('keeps a file staff-only until it is marked public, then shows it on the lot page', async () => {
    const lot = marketLots[0]!.id;
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } }).png().toBuffer();
    const res = await upload(lot, png, '?name=../../plan%20du%20lot.png');
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: number; url: string; file_name: string; content_type: string; public: boolean };
    expect(created).toMatchObject({ file_name: 'plan du lot.png', content_type: 'image/png', public: false });
    expect((await fetch(server.url + created.url)).status).toBe(404);
    const own = await fetch(server.url + created.url, { headers: staffHeaders() });
    expect(own.status).toBe(200);
    expect(Buffer.from(await own.arrayBuffer()).equals(png)).toBe(true);
    const patch = await fetch(`${server.url}/api/attachments/${created.id}`, {
      method: 'PATCH', headers: { ...staffHeaders(), 'content-type': 'application/json' }, body: JSON.stringify({ public: true }),
    });
    expect(patch.status).toBe(204);
    expect((await fetch(server.url + created.url)).status).toBe(200);
    const page = await get<{ attachments: { id: number }[] }>(`/api/catalogue/lots/${lot}`);
    expect(page.attachments.map((a) => a.id)).toEqual([created.id]);
  });

  it('reads the type from the bytes and refuses other types, oversized files and the public', async () => {
    const lot = marketLots[0]!.id;
    const html = await upload(lot, Buffer.from('<html><script>alert(1)</script></html>'), '?name=plan.pdf');
    expect(html.status).toBe(415);
    expect(((await html.json()) as { description: string }).description).toContain(' / ');
    expect((await upload(lot, Buffer.alloc(1024 * 1024 + 1, 0x25))).status).toBe(413);
    const anonymous = await fetch(`${server.url}/api/lots/${lot}/attachments`, { method: 'POST', body: new TextEncoder().encode('%PDF-1.4') });
    expect(anonymous.status).toBe(401);
  });
});
