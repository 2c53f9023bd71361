// Open-data downloads on the real app and database: GeoJSON, CSV (BOM, lon/lat or Lambert-93 x/y)
// and GeoPackage (valid, read back with sql.js and, where installed, GDAL) for every public layer,
// with licence, source and last update; nothing private; paging across many pages; 304s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import initSqlJs, { type Database as SqlJsDatabase } from 'sql.js';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { itUnless, missingGdal } from './helpers/skip.ts';
import { ALL_LAYERS, publicProperties } from '../core/layers/registry.ts';
import { ident } from '../core/layers/layer-sql.ts';
import { DOWNLOAD_PAGE_SIZE } from '../server/downloads/downloads.routes.ts';

const run = promisify(execFile);
const PUBLIC_LAYERS = ALL_LAYERS.filter((l) => l.public);
const PRIVATE_NAMES = new Set(ALL_LAYERS.flatMap((l) => l.properties.filter((p) => !p.public).map((p) => p.name)));
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const LICENCE = 'Licence Ouverte / Open Licence 2.0';

interface GeoJsonDownload {
  type: string;
  name: string;
  metadata: { title: string; licence: { name: string; url: string }; source: string; publisher: string; lastUpdate: string };
  features: { id: number; geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> }[];
}

describe('open-data downloads', () => {
  let server: TestServer;
  let dir: string;
  let SQL: Awaited<ReturnType<typeof initSqlJs>>;
  let privateValues: string[] = [];
  const get = (path: string, init?: RequestInit) => fetch(server.url + path, init);
  const layerOf = (id: string) => ALL_LAYERS.find((l) => l.id === id)!;
  const publicIds = async (layerId: string) => {
    const layer = layerOf(layerId);
    const published = layer.publishedColumn ? `t.${ident(layer.publishedColumn)}` : 'TRUE';
    const { rows } = await server.db.query<{ id: number }>(
      `SELECT t.${ident(layer.featureIdColumn)} AS id FROM ${ident(layer.id)} t WHERE ${published} ORDER BY 1`);
    return rows.map((r) => r.id);
  };
  const csvOf = async (path: string) => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return { res, bytes, text, records: parse(text.slice(1), { columns: true }) as Record<string, string>[] };
  };
  const gpkgOf = async (path: string): Promise<{ db: SqlJsDatabase; bytes: Uint8Array }> => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/geopackage+sqlite3');
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { db: new SQL.Database(bytes), bytes };
  };
  const rows = (db: SqlJsDatabase, sql: string) => {
    const result = db.exec(sql)[0];
    return result ? result.values.map((v) => Object.fromEntries(result.columns.map((c, i) => [c, v[i]]))) : [];
  };

  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'websig-downloads-'));
    SQL = await initSqlJs();
    for (const layer of ALL_LAYERS) {
      for (const p of layer.properties.filter((x) => !x.public && x.type === 'text')) {
        const { rows: values } = await server.db.query<{ v: string }>(
          `SELECT DISTINCT ${ident(p.name)} AS v FROM ${ident(layer.id)} WHERE ${ident(p.name)} IS NOT NULL`);
        privateValues.push(...values.map((r) => r.v).filter((v) => v.length >= 6));
      }
    }
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves every public layer as GeoJSON with its licence, source and last update, each public feature once', async () => {
    for (const layer of PUBLIC_LAYERS) {
      const res = await get(`/downloads/${layer.id}.geojson`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/geo+json');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${layer.id}.geojson"`);
      expect(res.headers.get('link')).toMatch(/rel="license"/);
      const body = (await res.json()) as GeoJsonDownload;
      expect(body.type).toBe('FeatureCollection');
      expect(body.name).toBe(layer.id);
      expect(body.metadata.licence.name).toBe(LICENCE);
      expect(body.metadata.source).toBe(layer.source);
      const { rows: last } = await server.db.query<{ at: Date }>(
        `SELECT max(updated_at) AS at FROM ${ident(layer.id)} t WHERE ${layer.publishedColumn ? `t.${ident(layer.publishedColumn)}` : 'TRUE'}`);
      expect(body.metadata.lastUpdate).toBe(last[0]!.at.toISOString());
      // Last-Modified is the layer's last write, which deletions and unpublished rows move too.
      const { rows: [written] } = await server.db.query<{ at: Date }>('SELECT updated_at AS at FROM layer_versions WHERE layer = $1', [layer.id]);
      expect(res.headers.get('last-modified')).toBe(new Date(Math.floor(written!.at.getTime() / 1000) * 1000).toUTCString());
      expect(body.features.map((f) => f.id), layer.id).toEqual(await publicIds(layer.id));
      const names = [...(layer.idType === 'text' ? ['id'] : []), ...publicProperties(layer).map((p) => p.name)];
      for (const f of body.features) expect(Object.keys(f.properties)).toEqual(names);
    }
  });

  it('serves CSV in UTF-8 with a byte order mark and WGS84 lon/lat columns', async () => {
    const { res, bytes, text, records } = await csvOf('/downloads/wifi_hotspots.csv');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text).toContain('\r\n');
    expect(Object.keys(records[0]!)).toEqual(['id', ...publicProperties(layerOf('wifi_hotspots')).map((p) => p.name), 'lon', 'lat']);
    const { rows: db } = await server.db.query<{ id: number; lon: number; lat: number; commune: string }>(
      'SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat, commune FROM wifi_hotspots ORDER BY id');
    expect(records.map((r) => Number(r.id))).toEqual(db.map((r) => r.id));
    records.forEach((r, i) => {
      expect(Number(r.lon)).toBeCloseTo(db[i]!.lon, 6);
      expect(Number(r.lat)).toBeCloseTo(db[i]!.lat, 6);
      expect(r.commune).toBe(db[i]!.commune);
    });
  });

  it('gives Lambert-93 x/y columns on request, and polygons a point inside them plus their WKT', async () => {
    const { res, records } = await csvOf('/downloads/fibre_phases.csv?crs=2154');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="fibre_phases-lambert93.csv"');
    expect(Object.keys(records[0]!).slice(-3)).toEqual(['x', 'y', 'wkt']);
    const { rows: db } = await server.db.query<{ id: number; inside: boolean }>(
      `SELECT id, ST_Contains(ST_Transform(geom, 2154), ST_SetSRID(ST_MakePoint($1, $2), 2154)) AS inside FROM fibre_phases WHERE id = $3`,
      [Number(records[0]!.x), Number(records[0]!.y), Number(records[0]!.id)]);
    expect(db[0]!.inside).toBe(true);
    expect(records[0]!.wkt).toMatch(/^MULTIPOLYGON\(\(\(3\d{5}(\.\d+)? 6\d{6}/);
    const { records: parcels } = await csvOf('/downloads/parcels.csv');
    expect(Object.keys(parcels[0]!)[0]).toBe('id');
    expect(parcels[0]!.id).toMatch(/^\d{5}\d{3}[A-Z0-9]{2}\d{4}$/);
  });

  it('keeps a text cell from running as a spreadsheet formula', async () => {
    await server.db.query(`INSERT INTO incidents (service_code, description, status, published, geom)
      VALUES ('other', '=HYPERLINK("http://attacker.example","x")', 'new', true, ST_SetSRID(ST_MakePoint(-1.95, 48.14), 4326))`);
    const { records } = await csvOf('/downloads/incidents.csv');
    const cell = records.find((r) => r.description!.includes('HYPERLINK'))!.description;
    expect(cell).toBe(`'=HYPERLINK("http://attacker.example","x")`);
    expect(records.every((r) => !/^[=+@-]/.test(r.description!))).toBe(true);
  });

  it('quotes digits-only text such as a lot number so spreadsheets keep it as text, and leaves numbers bare', async () => {
    const { text, records } = await csvOf('/downloads/zone_lots.csv');
    const lotNumber = records.find((r) => /^\d+$/.test(r.lot_number ?? ''))!.lot_number!;
    expect(text).toMatch(new RegExp(`(^|,)"${lotNumber}"(,|\r?$)`, 'm'));
    // The occupant's SIRET is staff-only (it may identify a sole trader): not in the open data.
    expect(Object.keys(records[0]!)).not.toContain('occupant_siret');
    const withArea = records.find((r) => r.area_m2)!;
    expect(text).toContain(`,${withArea.area_m2},`);
  });

  it('builds a valid GeoPackage: application id, version, core tables, geometry headers and metadata', async () => {
    const { db } = await gpkgOf('/downloads/wifi_hotspots.gpkg');
    try {
      expect(db.exec('PRAGMA application_id')[0]!.values[0]![0]).toBe(0x47504b47);
      expect(Number(db.exec('PRAGMA user_version')[0]!.values[0]![0])).toBeGreaterThanOrEqual(10200);
      expect(rows(db, 'SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id').map((r) => r.srs_id)).toEqual([-1, 0, 4326]);
      const [contents] = rows(db, 'SELECT * FROM gpkg_contents');
      expect(contents).toMatchObject({ table_name: 'wifi_hotspots', data_type: 'features', srs_id: 4326 });
      expect(contents!.description).toMatch(new RegExp(`Licence : ${LICENCE.replace(/\//g, '\\/')}.*Source : Montfort Communauté.*Dernière mise à jour : \\d{4}-`));
      expect(contents!.last_change).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(rows(db, 'SELECT * FROM gpkg_geometry_columns')).toEqual([
        { table_name: 'wifi_hotspots', column_name: 'geom', geometry_type_name: 'POINT', srs_id: 4326, z: 0, m: 0 },
      ]);
      const [metadata] = rows(db, `SELECT m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id
                                    WHERE r.reference_scope = 'table' AND r.table_name = 'wifi_hotspots'`);
      expect(metadata!.metadata).toContain(`<MDI key="LICENCE">${LICENCE}</MDI>`);
      const features = rows(db, 'SELECT fid, geom, name FROM wifi_hotspots ORDER BY fid');
      const { rows: expected } = await server.db.query<{ id: number; lon: number; lat: number; name: string }>(
        'SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat, name FROM wifi_hotspots ORDER BY id');
      expect(features.map((f) => f.fid)).toEqual(expected.map((r) => r.id));
      const blob = features[0]!.geom as Uint8Array;
      const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
      expect(String.fromCharCode(blob[0]!, blob[1]!)).toBe('GP');
      expect(blob[2]).toBe(0);
      expect(view.getInt32(4, (blob[3]! & 1) === 1)).toBe(4326);
      const wkb = 8 + [0, 32, 48, 48, 64][(blob[3]! >> 1) & 7]!;
      const le = blob[wkb] === 1;
      expect(view.getUint32(wkb + 1, le)).toBe(1);
      expect(view.getFloat64(wkb + 5, le)).toBeCloseTo(expected[0]!.lon, 9);
      expect(view.getFloat64(wkb + 13, le)).toBeCloseTo(expected[0]!.lat, 9);
      expect(features[0]!.name).toBe(expected[0]!.name);
    } finally {
      db.close();
    }
  });

  it('builds a Lambert-93 GeoPackage with its CRS definition and envelopes in metres', async () => {
    const { db } = await gpkgOf('/downloads/business_zones.gpkg?crs=2154');
    try {
      const [srs] = rows(db, 'SELECT * FROM gpkg_spatial_ref_sys WHERE srs_id = 2154');
      expect(srs).toMatchObject({ organization: 'EPSG', organization_coordsys_id: 2154 });
      expect(srs!.definition).toMatch(/Lambert-93/);
      const [contents] = rows(db, 'SELECT * FROM gpkg_contents');
      expect(contents!.min_x as number).toBeGreaterThan(300_000);
      expect(contents!.max_y as number).toBeLessThan(7_000_000);
      const blob = rows(db, 'SELECT geom FROM business_zones LIMIT 1')[0]!.geom as Uint8Array;
      expect((blob[3]! >> 1) & 7).toBe(1);
      expect(new DataView(blob.buffer, blob.byteOffset).getFloat64(8, true)).toBeGreaterThan(300_000);
    } finally {
      db.close();
    }
  });

  // GDAL is the outside reader here; skipped where gdal-bin is missing (CI installs it).
  itUnless(missingGdal(), 'opens with GDAL (ogrinfo) showing every feature and the licence, source and last update', async () => {
    for (const [path, layer] of [['/downloads/zone_lots.gpkg', 'zone_lots'], ['/downloads/addresses.gpkg?crs=2154', 'addresses']] as const) {
      const file = join(dir, `${layer}.gpkg`);
      writeFileSync(file, new Uint8Array(await (await get(path)).arrayBuffer()));
      const { stdout, stderr } = await run('ogrinfo', ['-ro', '-so', '-al', file]);
      expect(stderr).not.toMatch(/ERROR|Warning/);
      expect(stdout).toContain(`Feature Count: ${(await publicIds(layer)).length}`);
      expect(stdout).toContain(`LICENCE=${LICENCE}`);
      expect(stdout).toContain(`SOURCE=${layerOf(layer).source}`);
      expect(stdout).toMatch(/LAST_UPDATE=\d{4}-\d{2}-\d{2}T/);
      for (const name of PRIVATE_NAMES) expect(stdout).not.toMatch(new RegExp(`^${name}:`, 'm'));
    }
  });

  it('never puts a private property, a reporter’s details or an unpublished incident in any download', async () => {
    for (const layer of PUBLIC_LAYERS) {
      for (const path of [`${layer.id}.geojson`, `${layer.id}.csv`, `${layer.id}.csv?crs=2154`, `${layer.id}.gpkg`]) {
        const res = await get(`/downloads/${path}`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = new TextDecoder().decode(bytes);
        expect(text, path).not.toMatch(EMAIL);
        for (const value of privateValues) expect(text.includes(value), `${path} leaks "${value}"`).toBe(false);
        let names: string[];
        if (path.includes('.gpkg')) {
          const db = new SQL.Database(bytes);
          names = rows(db, `PRAGMA table_info("${layer.id}")`).map((r) => String(r.name));
          if (layer.publishedColumn) expect(rows(db, `SELECT fid FROM "${layer.id}" ORDER BY fid`).map((r) => r.fid)).toEqual(await publicIds(layer.id));
          db.close();
        } else if (path.includes('.csv')) {
          names = Object.keys((parse(text.slice(1), { columns: true }) as Record<string, string>[])[0]!);
        } else {
          names = Object.keys((JSON.parse(text) as GeoJsonDownload).features[0]!.properties);
        }
        for (const name of names) expect(PRIVATE_NAMES.has(name), `${path}: ${name}`).toBe(false);
      }
    }
  });

  it('answers 304 to a client holding the current file, and serves the new file after an edit', async () => {
    const first = await get('/downloads/business_zones.csv');
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    // fetch() adds "Cache-Control: no-cache" to a conditional request unless told otherwise, and
    // no-cache asks for the full answer; a browser revalidating sends max-age=0.
    const revalidate = { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' };
    const again = await get('/downloads/business_zones.csv', { headers: revalidate });
    expect(again.status).toBe(304);
    await server.db.query(`UPDATE business_zones SET description = 'mise à jour du test' WHERE id = (SELECT min(id) FROM business_zones)`);
    // Validators come from the layer versions, re-read once TILE_FRESHNESS_MS has passed.
    await new Promise((ok) => setTimeout(ok, server.config.tileFreshnessMs + 50));
    const after = await get('/downloads/business_zones.csv', { headers: revalidate });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(await after.text()).toContain('mise à jour du test');
  });

  it('answers HEAD with the headers only', async () => {
    const res = await get('/downloads/parcels.gpkg', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/geopackage+sqlite3');
    expect(res.headers.get('etag')).toBeTruthy();
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses unknown layers, formats and parameters', async () => {
    for (const [path, status] of [
      ['/downloads/users.csv', 404], ['/downloads/parcels.shp', 404], ['/downloads/parcels', 404], ['/downloads/../app.csv', 404],
      ['/downloads/parcels.csv?crs=3857', 400], ['/downloads/parcels.geojson?crs=2154', 400], ['/downloads/parcels.gpkg?limit=1', 400],
      ['/downloads/parcels.csv?crs=2154&crs=4326', 400],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { code: string }).code).toBeTruthy();
    }
  });

  it('names the configured licence and publisher', async () => {
    const other = await startTestServer({
      db: server.db,
      env: { OPEN_DATA_LICENCE: 'ODbL 1.0', OPEN_DATA_LICENCE_URL: 'https://opendatacommons.org/licenses/odbl/1-0/', OPEN_DATA_PUBLISHER: 'Syndicat test' },
    });
    try {
      const res = await fetch(`${other.url}/downloads/wifi_hotspots.geojson`);
      expect(res.headers.get('link')).toMatch(/^<https:\/\/opendatacommons\.org\/licenses\/odbl\/1-0\/>; rel="license"/);
      const body = (await res.json()) as GeoJsonDownload;
      expect(body.metadata.licence).toEqual({ name: 'ODbL 1.0', url: 'https://opendatacommons.org/licenses/odbl/1-0/' });
      expect(body.metadata.publisher).toBe('Syndicat test');
      const collection = (await (await fetch(`${other.url}/ogc/collections/wifi_hotspots`)).json()) as { links: { rel: string; title?: string }[] };
      expect(collection.links.find((l) => l.rel === 'license')!.title).toBe('ODbL 1.0');
    } finally {
      await other.close();
    }
  });

  it('streams a layer of several pages, in GeoJSON, CSV, GeoPackage and 10,000-feature item pages, losing and repeating nothing', async () => {
    // More than two download pages and more than one 10,000-feature item page, ending mid-page.
    const extra = Math.max(2 * DOWNLOAD_PAGE_SIZE, 10_000) + 1234;
    await server.db.query(`INSERT INTO addresses (id, numero, nom_voie, code_insee, nom_commune, geom)
      SELECT 'bench_' || i, i, 'Rue des Essais', '35188', 'Montfort-sur-Meu', ST_SetSRID(ST_MakePoint(-1.96 + i * 1e-6, 48.13), 4326)
        FROM generate_series(1, ${extra}) i`);
    const ids = await publicIds('addresses');
    expect(ids.length).toBeGreaterThan(Math.max(2 * DOWNLOAD_PAGE_SIZE, 10_000));
    const geojson = (await (await get('/downloads/addresses.geojson')).json()) as GeoJsonDownload;
    expect(geojson.features.map((f) => f.id)).toEqual(ids);
    const { records } = await csvOf('/downloads/addresses.csv');
    expect(records).toHaveLength(ids.length);
    expect(new Set(records.map((r) => r.id)).size).toBe(ids.length);
    const { db } = await gpkgOf('/downloads/addresses.gpkg');
    expect(rows(db, 'SELECT fid FROM addresses ORDER BY fid').map((r) => r.fid)).toEqual(ids);
    db.close();
    const page = (await (await get('/ogc/collections/addresses/items?limit=10000&properties=')).json()) as
      { numberReturned: number; numberMatched: number; features: { id: number }[]; links: { rel: string; href: string }[] };
    expect(page.numberMatched).toBe(ids.length);
    expect(page.numberReturned).toBe(10_000);
    expect(page.features.map((f) => f.id)).toEqual(ids.slice(0, 10_000));
    const next = (await (await fetch(page.links.find((l) => l.rel === 'next')!.href)).json()) as { features: { id: number }[] };
    expect(next.features.map((f) => f.id)).toEqual(ids.slice(10_000, 20_000));
  });
});
