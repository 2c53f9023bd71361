// The HTTP basics on the real app: health and readiness, the public layer list, layer GeoJSON,
// metrics, and JSON errors for bad input.
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

  it('lists the eight public layers with French titles, fields, legend and zooms on /layers', async () => {
    const body = (await (await get('/layers')).json()) as {
      layers: { id: string; title: { fr: string }; fields: { name: string }[]; legend: unknown[]; minzoom: number; geojson: string }[];
    };
    expect(body.layers).toHaveLength(8);
    const fibre = body.layers.find((l) => l.id === 'fibre_phases')!;
    expect(fibre.title.fr).toBe('Déploiement de la fibre');
    expect(fibre.legend).toHaveLength(5);
    const incidents = body.layers.find((l) => l.id === 'incidents')!;
    expect(incidents.fields.map((f) => f.name)).not.toContain('reporter_email');
  });

  it('serves each layer as GeoJSON with public properties and integer ids only', async () => {
    const body = (await (await get('/layers')).json()) as { layers: { id: string; geojson: string }[] };
    for (const layer of body.layers) {
      const res = await get(layer.geojson);
      expect(res.status, layer.id).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/geo\+json/);
      const fc = (await res.json()) as { type: string; features: { id: unknown; properties: Record<string, unknown> }[] };
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.features.length, layer.id).toBeGreaterThan(0);
      for (const f of fc.features) expect(Number.isInteger(f.id)).toBe(true);
    }
  });

  it('never lets a reporter’s contact details or an unpublished incident out', async () => {
    const text = await (await get('/api/layers/incidents/features.geojson')).text();
    expect(text).not.toMatch(/@example\.org|reporter_|"published"/);
    const { rows } = await server.db.query<{ n: number }>('SELECT count(*) AS n FROM incidents WHERE published');
    expect(JSON.parse(text).features).toHaveLength(rows[0]!.n);
    const { rows: hidden } = await server.db.query<{ n: number }>('SELECT count(*) AS n FROM incidents WHERE NOT published');
    expect(hidden[0]!.n).toBeGreaterThan(0);
  });

  it('filters layer GeoJSON by bbox and rejects a malformed or inverted bbox with a JSON reason', async () => {
    const all = (await (await get('/api/layers/wifi_hotspots/features.geojson')).json()) as { features: unknown[] };
    const some = (await (await get('/api/layers/wifi_hotspots/features.geojson?bbox=-1.97,48.13,-1.94,48.15')).json()) as { features: unknown[] };
    expect(some.features.length).toBeLessThan(all.features.length);
    for (const bbox of ['1,2,3', 'a,b,c,d', '-1,48,-2,49', '-200,0,0,1']) {
      const res = await get(`/api/layers/wifi_hotspots/features.geojson?bbox=${bbox}`);
      expect(res.status, bbox).toBe(400);
      const body = (await res.json()) as { code: string; description: string };
      expect(body.code).toBe('InvalidParameterValue');
      expect(body.description).toMatch(/bbox/);
    }
  });

  it('answers an unknown layer or path with a 404 JSON error', async () => {
    const res = await get('/api/layers/secrets/features.geojson');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NotFound' });
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
    expect(await (await get('/api/config')).json()).toEqual({ basemap: 'none', defaultLang: 'fr' });
  });

  it('compresses large responses for clients that accept gzip', async () => {
    const res = await get('/api/layers/fibre_phases/features.geojson', { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
  });
});
