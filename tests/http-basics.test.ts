// The HTTP basics on the real app: health and readiness, the public layer list and the layers' public
// features (OGC items, downloads), metrics, compression, and JSON errors for bad input.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

describe('HTTP basics', () => {
  let server: TestServer;
  const get = (path: string, init?: RequestInit) => fetch(server.url + path, init);
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('reports the database kind in use and the PostGIS version on /health', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; database: { kind: string; postgis: string } };
    expect(body.status).toBe('ok');
    expect(body.database.kind).toBe(inject('databaseUrl') ? 'postgis' : 'embedded');
    expect(body.database.postgis).toMatch(/^3\.\d+/);
  });

  it('answers /ready while the database answers', async () => {
    expect((await get('/ready')).status).toBe(200);
  });

  it('lists the eight public layers with French titles, fields, legend, zooms and TileJSON on /layers', async () => {
    const body = (await (await get('/layers')).json()) as {
      layers: { id: string; title: { fr: string }; fields: { name: string }[]; legend: unknown[]; minzoom: number; tilejson: string }[];
    };
    expect(body.layers).toHaveLength(8);
    const fibre = body.layers.find((l) => l.id === 'fibre_phases')!;
    expect(fibre.title.fr).toBe('Déploiement de la fibre');
    expect(fibre.legend).toHaveLength(5);
    expect(fibre.tilejson).toBe('/tiles/fibre_phases.json');
    expect(fibre).not.toHaveProperty('geojson');
    const incidents = body.layers.find((l) => l.id === 'incidents')!;
    expect(incidents.fields.map((f) => f.name)).not.toContain('reporter_email');
  });

  it('serves each listed layer as OGC items with integer ids and only the fields /layers lists', async () => {
    const body = (await (await get('/layers')).json()) as { layers: { id: string; fields: { name: string }[] }[] };
    for (const layer of body.layers) {
      const res = await get(`/ogc/collections/${layer.id}/items?limit=100`);
      expect(res.status, layer.id).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/geo\+json/);
      const fc = (await res.json()) as { type: string; features: { id: unknown; properties: Record<string, unknown> }[] };
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.features.length, layer.id).toBeGreaterThan(0);
      const fields = layer.fields.map((f) => f.name);
      for (const f of fc.features) {
        expect(Number.isInteger(f.id)).toBe(true);
        expect(fields, layer.id).toEqual(expect.arrayContaining(Object.keys(f.properties)));
      }
    }
  });

  it('never lets a reporter’s contact details or an unpublished incident out of OGC items or the download', async () => {
    const { rows } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents WHERE published');
    const { rows: hidden } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents WHERE NOT published');
    expect(hidden[0]!.n).toBeGreaterThan(0);
    for (const path of ['/ogc/collections/incidents/items?limit=10000', '/downloads/incidents.geojson']) {
      const text = await (await get(path)).text();
      expect(text, path).not.toMatch(/@example\.org|reporter_|"published"/);
      expect(JSON.parse(text).features, path).toHaveLength(rows[0]!.n);
    }
  });

  it('filters OGC items by bbox and rejects a malformed or inverted bbox with a JSON reason', async () => {
    const items = '/ogc/collections/wifi_hotspots/items';
    const all = (await (await get(items)).json()) as { numberMatched: number };
    const some = (await (await get(`${items}?bbox=-1.97,48.13,-1.94,48.15`)).json()) as { numberMatched: number };
    expect(some.numberMatched).toBeGreaterThan(0);
    expect(some.numberMatched).toBeLessThan(all.numberMatched);
    for (const bbox of ['1,2,3', 'a,b,c,d', '-1,48,-2,49', '-200,0,0,1']) {
      const res = await get(`${items}?bbox=${bbox}`);
      expect(res.status, bbox).toBe(400);
      const body = (await res.json()) as { code: string; description: string };
      expect(body.code).toBe('InvalidParameterValue');
      expect(body.description).toMatch(/bbox/);
    }
  });

  it('answers an unknown layer or path with a 404 JSON error', async () => {
    for (const path of ['/ogc/collections/secrets/items', '/downloads/secrets.geojson', '/tiles/secrets.json']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toMatchObject({ code: 'NotFound' });
    }
    expect((await get('/no/such/path')).status).toBe(404);
  });

  it('serves the territory outline with its bbox', async () => {
    const fc = (await (await get('/api/territory')).json()) as { bbox: number[]; features: unknown[] };
    expect(fc.features).toHaveLength(8);
    const [minX, minY, maxX, maxY] = fc.bbox as [number, number, number, number];
    expect(minX).toBeGreaterThan(-2.2);
    expect(maxX).toBeLessThan(-1.7);
    expect(minY).toBeGreaterThan(47.9);
    expect(maxY).toBeLessThan(48.3);
  });

  it('exposes Prometheus metrics, labelled by route', async () => {
    await get('/layers');
    const text = await (await get('/metrics')).text();
    expect(text).toMatch(/websig_http_request_duration_seconds_count\{method="GET",route="\/layers",status="200"\} \d+/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('gives the web app its basemap setting', async () => {
    expect(await (await get('/api/config')).json()).toEqual({ basemap: 'none', defaultLang: 'fr', tileVersionPollS: 5 });
  });

  it('compresses large responses for clients that accept gzip', async () => {
    for (const path of ['/ogc/collections/fibre_phases/items', '/downloads/fibre_phases.geojson']) {
      const res = await get(path, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.headers.get('content-encoding'), path).toBe('gzip');
      await res.arrayBuffer();
    }
  });
});
