// OGC API – Features on the real app and database: each endpoint's shape against the standard
// (links and rel types, paging arithmetic, limit clamping, CRSs, filters), the error cases, and
// that no private property or unpublished incident ever comes out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';
import { ident } from '../core/layers/layer-sql.ts';

const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const EPSG4326 = 'http://www.opengis.net/def/crs/EPSG/0/4326';
const EPSG2154 = 'http://www.opengis.net/def/crs/EPSG/0/2154';
const PUBLIC_LAYERS = ALL_LAYERS.filter((l) => l.public);
const PRIVATE_NAMES = new Set(ALL_LAYERS.flatMap((l) => l.properties.filter((p) => !p.public).map((p) => p.name)));
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

interface Link { href: string; rel: string; type?: string; title?: string }
interface Feature { type: string; id: number; geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown>; links?: Link[] }
interface FeatureCollection { type: string; numberMatched: number; numberReturned: number; timeStamp: string; features: Feature[]; links: Link[] }
interface Collection {
  id: string; title: string; itemType: string; crs: string[]; storageCrs: string; links: Link[];
  extent?: { spatial?: { bbox: number[][]; crs: string }; temporal?: { interval: (string | null)[][]; trs: string } };
}

const rel = (links: Link[], r: string, type?: string) => links.find((l) => l.rel === r && (!type || l.type === type));

/** Every key anywhere in a JSON value. */
/**
 * The names a document gives properties: the keys of every `properties` object in it (a
 * feature's, a JSON Schema's in queryables and OpenAPI). Other keys are the documents' own
 * vocabulary (OpenAPI's `info.version`), which a property's name may share.
 */
function propertyNamesOf(value: unknown, into = new Set<string>(), named = false): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => propertyNamesOf(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (named) into.add(k);
      propertyNamesOf(v, into, !named && k === 'properties');
    }
  }
  return into;
}

describe('OGC API – Features', () => {
  let server: TestServer;
  /** Every non-trivial private text value stored in the database: none may appear in a response. */
  let privateValues: string[] = [];
  const get = (path: string, init?: RequestInit) => fetch(path.startsWith('http') ? path : server.url + path, init);
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await get(path, init);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const count = async (sql: string, params: unknown[] = []) => (await server.db.query<{ n: number }>(sql, params)).rows[0]!.n;
  const publicCount = (layerId: string) => {
    const layer = ALL_LAYERS.find((l) => l.id === layerId)!;
    return count(`SELECT count(*) AS n FROM ${ident(layer.id)} t WHERE ${layer.publishedColumn ? `t.${ident(layer.publishedColumn)}` : 'TRUE'}`);
  };
  /** Checks a response body for private property names (as JSON keys) and private values. */
  const expectNothingPrivate = (text: string, where: string) => {
    expect(text, where).not.toMatch(EMAIL);
    for (const value of privateValues) expect(text.includes(value), `${where} leaks "${value}"`).toBe(false);
    if (text.startsWith('{')) {
      for (const key of propertyNamesOf(JSON.parse(text))) expect(PRIVATE_NAMES.has(key), `${where} has key ${key}`).toBe(false);
    }
  };

  beforeAll(async () => {
    server = await startTestServer();
    for (const layer of ALL_LAYERS) {
      for (const p of layer.properties.filter((x) => !x.public && x.type === 'text')) {
        const { rows } = await server.db.query<{ v: string }>(`SELECT DISTINCT ${ident(p.name)} AS v FROM ${ident(layer.id)} WHERE ${ident(p.name)} IS NOT NULL`);
        privateValues.push(...rows.map((r) => r.v).filter((v) => v.length >= 6));
      }
    }
    expect(privateValues.length).toBeGreaterThan(5);
  });
  afterAll(async () => server?.close());

  it('answers the landing page with links to itself, the API definition, conformance and collections', async () => {
    const res = await get('/ogc');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { title: string; links: Link[] };
    expect(body.title).toMatch(/Montfort Communauté/);
    expect(rel(body.links, 'self', 'application/json')!.href).toBe(`${server.url}/ogc?f=json`);
    expect(rel(body.links, 'alternate', 'text/html')).toBeDefined();
    expect(rel(body.links, 'service-desc')!).toEqual(expect.objectContaining({
      href: `${server.url}/ogc/api`, type: 'application/vnd.oai.openapi+json;version=3.0',
    }));
    expect(rel(body.links, 'conformance')!.href).toMatch(/\/ogc\/conformance/);
    expect(rel(body.links, 'http://www.opengis.net/def/rel/ogc/1.0/conformance')).toBeDefined();
    expect(rel(body.links, 'data')!.href).toMatch(/\/ogc\/collections/);
    expect(rel(body.links, 'http://www.opengis.net/def/rel/ogc/1.0/data')).toBeDefined();
    expect(rel(body.links, 'license')!.title).toBe('Licence Ouverte / Open Licence 2.0');
    expect((await get('/ogc/')).status).toBe(200);
  });

  it('declares the core, GeoJSON, HTML, OpenAPI 3.0, CRS and queryables conformance classes', async () => {
    const { conformsTo } = await json<{ conformsTo: string[] }>('/ogc/conformance');
    expect(conformsTo).toEqual(expect.arrayContaining([
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
      'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
    ]));
  });

  it('lists every public layer as a collection with its extent, CRSs, items, licence and download links', async () => {
    const body = await json<{ links: Link[]; collections: Collection[] }>('/ogc/collections');
    expect(rel(body.links, 'self')).toBeDefined();
    expect(body.collections.map((c) => c.id).sort()).toEqual(PUBLIC_LAYERS.map((l) => l.id).sort());
    for (const c of body.collections) {
      const layer = ALL_LAYERS.find((l) => l.id === c.id)!;
      expect(c.title).toBe(layer.title.fr);
      expect(c.itemType).toBe('feature');
      expect(c.crs).toEqual([CRS84, EPSG4326, EPSG2154]);
      expect(c.storageCrs).toBe(CRS84);
      const [minX, minY, maxX, maxY] = c.extent!.spatial!.bbox[0]!;
      expect(minX! >= -2.3 && maxX! <= -1.7 && minY! >= 48 && maxY! <= 48.3 && minX! <= maxX! && minY! <= maxY!, c.id).toBe(true);
      if (layer.temporalProperty) {
        const [start, end] = c.extent!.temporal!.interval[0]!;
        expect(start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        expect(Date.parse(end!)).toBeGreaterThanOrEqual(Date.parse(start!));
      } else {
        expect(c.extent!.temporal).toBeUndefined();
      }
      expect(rel(c.links, 'items', 'application/geo+json')!.href).toBe(`${server.url}/ogc/collections/${c.id}/items?f=json`);
      expect(rel(c.links, 'items', 'text/html')).toBeDefined();
      expect(rel(c.links, 'self')!.href).toBe(`${server.url}/ogc/collections/${c.id}?f=json`);
      expect(rel(c.links, 'license')).toBeDefined();
      expect(rel(c.links, 'http://www.opengis.net/def/rel/ogc/1.0/queryables')!.type).toBe('application/schema+json');
      const downloads = c.links.filter((l) => l.rel === 'enclosure');
      expect(downloads.map((l) => l.type).sort()).toEqual([
        'application/geo+json', 'application/geopackage+sqlite3', 'application/geopackage+sqlite3', 'text/csv', 'text/csv',
      ]);
      for (const d of downloads) expect(d.href).toMatch(new RegExp(`^${server.url}/downloads/${c.id}\\.(geojson|csv|gpkg)(\\?crs=2154)?$`));
    }
  });

  it('serves each collection on its own, and a 404 JSON error for an unknown one', async () => {
    const one = await json<Collection>('/ogc/collections/fibre_phases');
    expect(one.id).toBe('fibre_phases');
    const res = await get('/ogc/collections/users');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'NotFound', description: expect.stringMatching(/no collection "users"/) });
  });

  it('counts every public feature in numberMatched and returns a page with numberReturned and a next link', async () => {
    for (const layer of PUBLIC_LAYERS) {
      const res = await get(`/ogc/collections/${layer.id}/items?limit=5`);
      expect(res.headers.get('content-type')).toBe('application/geo+json');
      expect(res.headers.get('content-crs')).toBe(`<${CRS84}>`);
      const fc = (await res.json()) as FeatureCollection;
      const total = await publicCount(layer.id);
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.numberMatched, layer.id).toBe(total);
      expect(fc.numberReturned).toBe(Math.min(5, total));
      expect(fc.features).toHaveLength(fc.numberReturned);
      expect(Date.parse(fc.timeStamp)).not.toBeNaN();
      for (const f of fc.features) {
        expect(f.type).toBe('Feature');
        expect(Number.isInteger(f.id)).toBe(true);
        expect(f.geometry.type).toBe(layer.geometryType);
      }
      expect(Boolean(rel(fc.links, 'next', 'application/geo+json')), layer.id).toBe(total > 5);
      expect(rel(fc.links, 'self', 'application/geo+json')).toBeDefined();
      expect(rel(fc.links, 'alternate', 'text/html')).toBeDefined();
      expect(rel(fc.links, 'collection')).toBeDefined();
    }
  });

  it('walks a collection through its keyset next links without losing or repeating a feature, prev links going back', async () => {
    const pages: number[][] = [];
    let url: string | undefined = `/ogc/collections/parcels/items?limit=40`;
    while (url) {
      const fc: FeatureCollection = await json(url);
      pages.push(fc.features.map((f) => f.id));
      const prev = rel(fc.links, 'prev');
      if (pages.length === 1) expect(prev).toBeUndefined();
      else expect((await json<FeatureCollection>(prev!.href)).features.map((f) => f.id)).toEqual(pages.at(-2));
      url = rel(fc.links, 'next')?.href;
      if (url) expect(new URL(url).searchParams.get('after')).toBe(String(pages.at(-1)!.at(-1)));
    }
    const { rows } = await server.db.query<{ fid: number }>('SELECT fid FROM parcels ORDER BY fid');
    expect(rows.length).toBeGreaterThan(100);
    expect(pages.length).toBe(Math.ceil(rows.length / 40));
    expect(pages.flat()).toEqual(rows.map((r) => r.fid));
  });

  it('counts the matches of a filtered page on a small layer, and on a larger one only on the last offset page', async () => {
    const bbox = '-1.99,48.12,-1.93,48.16';
    const { rows } = await server.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(-1.99, 48.12, -1.93, 48.16, 4326))`);
    const total = rows[0]!.n;
    expect(total).toBeGreaterThan(3);
    const page = (base: string, query: string) => json<FeatureCollection>(`${base}/ogc/collections/parcels/items?bbox=${bbox}&${query}`);
    expect((await page('', 'limit=2')).numberMatched).toBe(total);
    // The same layer served as one too large to count (OGC_COUNT_MAX_FEATURES below its size).
    const uncounting = await startTestServer({ db: server.db, env: { OGC_COUNT_MAX_FEATURES: '1' } });
    try {
      const first = await page(uncounting.url, 'limit=2');
      expect(first.numberReturned).toBe(2);
      expect(first).not.toHaveProperty('numberMatched');
      const keyset = await json<FeatureCollection>(rel(first.links, 'next')!.href);
      expect(keyset).not.toHaveProperty('numberMatched');
      const last = await page(uncounting.url, `limit=2&offset=${total - 1}`);
      expect(last.numberReturned).toBe(1);
      expect(last.numberMatched).toBe(total);
      expect(rel(last.links, 'next')).toBeUndefined();
      // Without a filter the layer's count is known whatever its size.
      expect((await json<FeatureCollection>(`${uncounting.url}/ogc/collections/parcels/items?limit=2`)).numberMatched).toBe(await publicCount('parcels'));
    } finally {
      await uncounting.close();
    }
  });

  it('clamps a limit above 10,000 to 10,000 rather than refusing it, and says so in its links', async () => {
    const fc = await json<FeatureCollection>('/ogc/collections/addresses/items?limit=50000');
    const total = await publicCount('addresses');
    expect(fc.numberReturned).toBe(Math.min(total, 10_000));
    expect(new URL(rel(fc.links, 'self')!.href).searchParams.get('limit')).toBe('10000');
  });

  it('refuses bad limits and offsets, unknown parameters, inverted bboxes and unknown CRSs with 400 JSON errors', async () => {
    for (const query of ['limit=0', 'limit=-3', 'limit=2.5', 'limit=ten', 'offset=-1', 'foo=bar', 'bbox=-1.8,48.2,-2.1,48.0',
      'bbox=1,2,3', `bbox=0,0,1,1&bbox-crs=EPSG:3857`, 'crs=EPSG:2154', 'f=xml', 'limit=1&limit=2',
      'datetime=2024-01-01', 'properties=reporter_email', 'commune=' + 'x'.repeat(600), 'numero=1&section=A&nope=1']) {
      const res = await get(`/ogc/collections/parcels/items?${query}`);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { code: string; description: string };
      expect(body.code, query).toMatch(/^InvalidParameter/);
      expect(body.description.length).toBeGreaterThan(10);
    }
    for (const path of ['/ogc?foo=1', '/ogc/collections?limit=1', '/ogc/conformance?f=pdf', '/ogc/api?f=json', '/ogc/collections/parcels/items/1?limit=1']) {
      expect((await get(path)).status, path).toBe(400);
    }
  });

  it('returns an empty page, not an error, for a bbox with nothing inside or a zero-area bbox', async () => {
    const empty = await json<FeatureCollection>('/ogc/collections/parcels/items?bbox=2.0,45.0,2.1,45.1');
    expect(empty).toMatchObject({ numberMatched: 0, numberReturned: 0, features: [] });
    expect(rel(empty.links, 'next')).toBeUndefined();
    const outside = await json<FeatureCollection>(`/ogc/collections/parcels/items?bbox=9e9,9e9,9.1e9,9.1e9&bbox-crs=${EPSG2154}`);
    expect(outside.numberMatched).toBe(0);
    const { rows } = await server.db.query<{ x: number; y: number; id: number }>(
      'SELECT id, ST_X(geom) AS x, ST_Y(geom) AS y FROM wifi_hotspots ORDER BY id LIMIT 1');
    const { x, y, id } = rows[0]!;
    const point = await json<FeatureCollection>(`/ogc/collections/wifi_hotspots/items?bbox=${x},${y},${x},${y}`);
    expect(point.features.map((f) => f.id)).toContain(id);
  });

  it('finds the same features with a bbox in CRS84, in EPSG:4326 (lat,lon) and around a point in Lambert-93', async () => {
    const ids = async (query: string) => (await json<FeatureCollection>(`/ogc/collections/wifi_hotspots/items?${query}`)).features.map((f) => f.id);
    const crs84 = await ids('bbox=-2.0,48.10,-1.9,48.16');
    expect(crs84.length).toBeGreaterThan(0);
    expect(await ids(`bbox=48.10,-2.0,48.16,-1.9&bbox-crs=${encodeURIComponent(EPSG4326)}`)).toEqual(crs84);
    const { rows } = await server.db.query<{ id: number; x: number; y: number }>(
      'SELECT id, ST_X(ST_Transform(geom, 2154)) AS x, ST_Y(ST_Transform(geom, 2154)) AS y FROM wifi_hotspots ORDER BY id LIMIT 1');
    const { id, x, y } = rows[0]!;
    expect(await ids(`bbox=${x - 1},${y - 1},${x + 1},${y + 1}&bbox-crs=${encodeURIComponent(EPSG2154)}`)).toEqual([id]);
  });

  it('returns geometries in Lambert-93 or in lat,lon order on request, naming the CRS in Content-Crs', async () => {
    const { rows } = await server.db.query<{ id: number; lon: number; lat: number; x: number; y: number }>(
      `SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat, ST_X(ST_Transform(geom, 2154)) AS x, ST_Y(ST_Transform(geom, 2154)) AS y
         FROM wifi_hotspots ORDER BY id LIMIT 1`);
    const p = rows[0]!;
    const at = async (crs?: string) => {
      const res = await get(`/ogc/collections/wifi_hotspots/items/${p.id}${crs ? `?crs=${encodeURIComponent(crs)}` : ''}`);
      expect(res.headers.get('content-crs')).toBe(`<${crs ?? CRS84}>`);
      return ((await res.json()) as Feature).geometry.coordinates as [number, number];
    };
    const [lon, lat] = await at();
    expect(lon).toBeCloseTo(p.lon, 6);
    expect(lat).toBeCloseTo(p.lat, 6);
    expect(await at(EPSG4326)).toEqual([lat, lon]);
    const [x, y] = await at(EPSG2154);
    expect(x).toBeCloseTo(p.x, 1);
    expect(y).toBeCloseTo(p.y, 1);
    const lambert = await json<Feature>(`/ogc/collections/wifi_hotspots/items/${p.id}?crs=${encodeURIComponent(EPSG2154)}`);
    expect(new URL(rel(lambert.links!, 'self')!.href).searchParams.get('crs')).toBe(EPSG2154);
    const page = await get(`/ogc/collections/wifi_hotspots/items?limit=1&crs=${encodeURIComponent(EPSG2154)}`);
    expect(page.headers.get('content-crs')).toBe(`<${EPSG2154}>`);
    expect(((await page.json()) as FeatureCollection).features[0]!.geometry.coordinates).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('filters on queryable properties by equality, accents included', async () => {
    const deployed = await json<FeatureCollection>('/ogc/collections/fibre_phases/items?status=deployed');
    expect(deployed.numberMatched).toBe(await count(`SELECT count(*) AS n FROM fibre_phases WHERE status = 'deployed'`));
    for (const f of deployed.features) expect(f.properties.status).toBe('deployed');
    const bedee = await json<FeatureCollection>(`/ogc/collections/wifi_hotspots/items?commune=${encodeURIComponent('Bédée')}&status=active`);
    expect(bedee.numberMatched).toBe(await count(`SELECT count(*) AS n FROM wifi_hotspots WHERE commune = 'Bédée' AND status = 'active'`));
    expect(bedee.numberMatched).toBeGreaterThan(0);
    expect((await get('/ogc/collections/fibre_phases/items?phase=one')).status).toBe(400);
    expect((await json<FeatureCollection>('/ogc/collections/fibre_phases/items?status=nonexistent')).numberMatched).toBe(0);
  });

  it('filters dated layers by datetime instants and open or closed intervals', async () => {
    const matched = async (layer: string, datetime: string) =>
      (await json<FeatureCollection>(`/ogc/collections/${layer}/items?datetime=${encodeURIComponent(datetime)}`)).numberMatched;
    expect(await matched('incidents', '2026-04-01/2026-07-31')).toBe(await count(
      `SELECT count(*) AS n FROM incidents WHERE published AND requested_datetime >= '2026-04-01T00:00:00Z' AND requested_datetime < '2026-08-01T00:00:00Z'`));
    const { rows } = await server.db.query<{ day: string; at: string }>(
      `SELECT to_char(requested_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              to_char(requested_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at
         FROM incidents WHERE published ORDER BY id LIMIT 1`);
    const { day, at } = rows[0]!;
    expect(await matched('incidents', day)).toBe(await count(
      `SELECT count(*) AS n FROM incidents WHERE published AND to_char(requested_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD') = $1`, [day]));
    expect(await matched('incidents', at)).toBeGreaterThanOrEqual(1);
    expect(await matched('incidents', `../${day}`)).toBe(await count(
      `SELECT count(*) AS n FROM incidents WHERE published AND requested_datetime < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'`, [day]));
    expect(await matched('fibre_phases', '2022-01-01/..')).toBe(await count(
      `SELECT count(*) AS n FROM fibre_phases WHERE planned_end >= '2022-01-01'`));
  });

  it('returns only the properties chosen with properties=, in the order asked', async () => {
    const fc = await json<FeatureCollection>('/ogc/collections/fibre_phases/items?limit=3&properties=status,zone_code');
    for (const f of fc.features) expect(Object.keys(f.properties)).toEqual(['status', 'zone_code']);
    const none = await json<FeatureCollection>('/ogc/collections/fibre_phases/items?limit=1&properties=');
    expect(none.features[0]!.properties).toEqual({});
  });

  it('gives text-id layers their integer fid as feature id and the national id as the property id', async () => {
    const fc = await json<FeatureCollection>('/ogc/collections/parcels/items?limit=1');
    const f = fc.features[0]!;
    const { rows } = await server.db.query<{ id: string }>('SELECT id FROM parcels WHERE fid = $1', [f.id]);
    expect(f.properties.id).toBe(rows[0]!.id);
    expect(f.properties.id).toMatch(/^\d{5}\d{3}[A-Z0-9]{2}\d{4}$/);
  });

  it('serves one feature by id with its links, and 404 for an unknown, unpublished or non-numeric id', async () => {
    const f = await json<Feature>('/ogc/collections/fibre_phases/items/1');
    expect(f).toMatchObject({ type: 'Feature', id: 1, geometry: { type: 'MultiPolygon' } });
    expect(rel(f.links!, 'self', 'application/geo+json')!.href).toBe(`${server.url}/ogc/collections/fibre_phases/items/1?f=json`);
    expect(rel(f.links!, 'collection')).toBeDefined();
    const { rows } = await server.db.query<{ id: number }>('SELECT id FROM incidents WHERE NOT published');
    expect(rows.length).toBeGreaterThan(0);
    for (const path of ['/ogc/collections/fibre_phases/items/999999', '/ogc/collections/fibre_phases/items/abc',
      '/ogc/collections/fibre_phases/items/1.5', '/ogc/collections/fibre_phases/items/99999999999999999999',
      ...rows.map((r) => `/ogc/collections/incidents/items/${r.id}`)]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('NotFound');
    }
  });

  it('keeps unpublished incidents out of every page and every count', async () => {
    const fc = await json<FeatureCollection>('/ogc/collections/incidents/items?limit=10000');
    const { rows } = await server.db.query<{ id: number }>('SELECT id FROM incidents WHERE published ORDER BY id');
    expect(fc.features.map((f) => f.id)).toEqual(rows.map((r) => r.id));
    expect(fc.numberMatched).toBe(rows.length);
  });

  it('never returns a private property or a reporter’s contact details, in JSON or HTML', async () => {
    const paths = ['/ogc', '/ogc/api', '/ogc/collections', '/ogc/collections?f=html'];
    for (const layer of PUBLIC_LAYERS) {
      paths.push(`/ogc/collections/${layer.id}`, `/ogc/collections/${layer.id}/queryables`,
        `/ogc/collections/${layer.id}/items?limit=10000`, `/ogc/collections/${layer.id}/items?limit=10000&f=html`,
        `/ogc/collections/${layer.id}/items/1`, `/ogc/collections/${layer.id}/items/1?f=html`);
    }
    const { rows } = await server.db.query<{ id: number }>('SELECT id FROM incidents ORDER BY id');
    paths.push(...rows.map((r) => `/ogc/collections/incidents/items/${r.id}`));
    for (const path of paths) {
      const res = await get(path);
      expect([200, 404], path).toContain(res.status);
      const text = await res.text();
      expectNothingPrivate(text, path);
      if (path.includes('html')) for (const name of PRIVATE_NAMES) expect(text, path).not.toContain(`<th>${name}</th>`);
    }
  });

  it('serves browsable HTML when asked with f=html or preferred by the browser, every value escaped', async () => {
    await server.db.query(`INSERT INTO incidents (service_code, description, status, published, geom)
      VALUES ('other', '<script>alert(1)</script> & co', 'new', true, ST_SetSRID(ST_MakePoint(-1.95, 48.14), 4326))`);
    const res = await get('/ogc/collections/incidents/items?limit=1000', { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; co');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/<\/table>.*rel="?next|<\/html>$/s);
    for (const path of ['/ogc?f=html', '/ogc/conformance?f=html', '/ogc/collections/parcels?f=html', '/ogc/collections/parcels/items/1?f=html',
      '/ogc/collections/parcels/queryables?f=html']) {
      const page = await get(path);
      expect(page.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(await page.text(), path).toMatch(/<\/html>$/);
    }
    expect((await get('/ogc', { headers: { Accept: 'application/json' } })).headers.get('content-type')).toMatch(/json/);
  });

  it('serves the queryable properties as a JSON Schema with their code lists', async () => {
    const res = await get('/ogc/collections/fibre_phases/queryables');
    expect(res.headers.get('content-type')).toBe('application/schema+json');
    const schema = (await res.json()) as { type: string; properties: Record<string, { type: string; enum?: string[] }> };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties).sort()).toEqual(['operator', 'phase', 'status', 'technology', 'zone_code']);
    expect(schema.properties.status!.enum).toContain('deployed');
    expect(schema.properties.phase!.type).toBe('integer');
  });

  it('answers the OpenAPI definition with its media type, this host as server and every collection’s paths', async () => {
    const res = await get('/ogc/api');
    expect(res.headers.get('content-type')).toBe('application/vnd.oai.openapi+json;version=3.0');
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.servers[0]!.url).toBe(`${server.url}/ogc`);
    for (const layer of PUBLIC_LAYERS) {
      for (const suffix of ['', '/items', '/items/{featureId}', '/queryables']) expect(doc.paths).toHaveProperty([`/collections/${layer.id}${suffix}`]);
    }
  });

  it('accepts every parameter its OpenAPI definition lists for a collection’s items', async () => {
    const doc = (await (await get('/ogc/api')).json()) as {
      paths: Record<string, { get: { parameters: { name?: string; $ref?: string }[] } }>;
      components: { parameters: Record<string, { name: string }> };
    };
    const sample: Record<string, string> = {
      f: 'json', bbox: '-2.2,48,-1.8,48.3', 'bbox-crs': CRS84, limit: '2', offset: '1', after: '1', before: '9', crs: EPSG2154, properties: 'status',
      datetime: '2020-01-01/..', phase: '1', status: 'deployed', zone_code: 'x', operator: 'x', technology: 'FttH',
    };
    const params = doc.paths['/collections/fibre_phases/items']!.get.parameters
      .map((p) => p.name ?? doc.components.parameters[p.$ref!.split('/').pop()!]!.name);
    for (const name of params) {
      const res = await get(`/ogc/collections/fibre_phases/items?${name}=${encodeURIComponent(sample[name]!)}`);
      expect(res.status, name).toBe(200);
    }
  });

  it('builds links from the forwarded host and scheme only behind a trusted proxy', async () => {
    const headers = { 'X-Forwarded-Host': 'sig.montfort.example', 'X-Forwarded-Proto': 'https' };
    const direct = await json<{ links: Link[] }>('/ogc', { headers });
    expect(rel(direct.links, 'self')!.href).toBe(`${server.url}/ogc?f=json`);
    const proxied = await startTestServer({ db: server.db, env: { TRUST_PROXY: '1' } });
    try {
      const body = (await (await fetch(`${proxied.url}/ogc/collections/parcels/items?limit=1`, { headers })).json()) as FeatureCollection;
      expect(rel(body.links, 'next')!.href).toMatch(/^https:\/\/sig\.montfort\.example\/ogc\/collections\/parcels\/items\?/);
    } finally {
      await proxied.close();
    }
  });
});
