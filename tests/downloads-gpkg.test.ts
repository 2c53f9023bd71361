// The pure parts of the downloads, without a database: GeoPackage encoding (geometry header,
// metadata document, schema) checked with sql.js, CSV/GeoPackage column typing, and the
// open-data terms the configuration sets.
import { describe, expect, it } from 'vitest';
import initSqlJs from 'sql.js';
import { loadConfig } from '../core/config.ts';
import { openDataTerms, layerSource } from '../server/downloads/open-data.ts';
import {
  GPKG_APPLICATION_ID, gdalMetadataXml, gpkgExtentStatement, gpkgGeometry, gpkgInsertSql, gpkgSchemaStatements, type GpkgLayerSpec,
} from '../server/downloads/gpkg-schema.ts';
import { csvColumns, gpkgColumns } from '../server/downloads/export-sql.ts';
import { prepareLayerSql } from '../server/features/feature-sql.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';

const layer = (id: string) => ALL_LAYERS.find((l) => l.id === id)!;

/** WKB of POINT(x y), little-endian. */
function pointWkb(x: number, y: number): Uint8Array {
  const out = new Uint8Array(21);
  const view = new DataView(out.buffer);
  out[0] = 1;
  view.setUint32(1, 1, true);
  view.setFloat64(5, x, true);
  view.setFloat64(13, y, true);
  return out;
}

const SPEC: GpkgLayerSpec = {
  table: 'wifi_hotspots',
  identifier: 'Points d’accès "wifi" <public>',
  description: 'Test & co',
  lastChange: '2026-01-02T03:04:05.678Z',
  geometryType: 'POINT',
  srs: { id: 4326, name: 'WGS 84', definition: 'GEOGCS["WGS 84"]' },
  columns: [{ name: 'name', type: 'TEXT' }, { name: 'active', type: 'BOOLEAN' }],
  metadata: { LICENCE: 'Licence Ouverte / Open Licence 2.0', SOURCE: 'A & B <C>' },
};

describe('GeoPackage encoding', () => {
  it('writes the binary header: magic, version, little-endian flags with the envelope code, srs id, then the WKB', () => {
    const wkb = pointWkb(-1.9, 48.1);
    const bare = gpkgGeometry(4326, wkb);
    expect([...bare.slice(0, 4)]).toEqual([0x47, 0x50, 0, 1]);
    expect(new DataView(bare.buffer).getInt32(4, true)).toBe(4326);
    expect(bare.slice(8)).toEqual(wkb);
    const boxed = gpkgGeometry(2154, wkb, [1, 2, 3, 4]);
    expect(boxed[3]).toBe(0b011);
    const view = new DataView(boxed.buffer);
    expect([8, 16, 24, 32].map((o) => view.getFloat64(o, true))).toEqual([1, 2, 3, 4]);
    expect(boxed.slice(40)).toEqual(wkb);
  });

  it('escapes metadata values in the GDAL metadata document', () => {
    const xml = gdalMetadataXml({ SOURCE: 'A & B <C> "D"' });
    expect(xml).toContain('<MDI key="SOURCE">A &amp; B &lt;C&gt; &quot;D&quot;</MDI>');
    expect(xml).toMatch(/^<GDALMultiDomainMetadata>\n {2}<Metadata>/);
  });

  it('makes a GeoPackage that SQLite reads back, with its registrations, metadata, features and extent', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    try {
      for (const s of gpkgSchemaStatements(SPEC)) db.run(s.sql, [...s.params]);
      db.run(gpkgInsertSql(SPEC), [7, gpkgGeometry(4326, pointWkb(-1.9, 48.1)), 'Mairie', 1]);
      const extent = gpkgExtentStatement(SPEC.table, [-1.9, -1.9, 48.1, 48.1]);
      db.run(extent.sql, [...extent.params]);
      const one = (sql: string) => db.exec(sql)[0]!.values[0]!;
      expect(one('PRAGMA application_id')[0]).toBe(GPKG_APPLICATION_ID);
      expect(one('PRAGMA user_version')[0]).toBe(10200);
      expect(one('SELECT identifier, description, last_change, min_x, max_y FROM gpkg_contents'))
        .toEqual([SPEC.identifier, 'Test & co', SPEC.lastChange, -1.9, 48.1]);
      expect(one('SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns')).toEqual(['POINT', 4326]);
      expect(one("SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_metadata'")).toEqual([2]);
      expect(one('SELECT fid, name, active FROM wifi_hotspots')).toEqual([7, 'Mairie', 1]);
      expect(String(one(`SELECT m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id
        WHERE r.table_name = 'wifi_hotspots'`)[0])).toContain('A &amp; B &lt;C&gt;');
      expect(db.exec('PRAGMA foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('download columns', () => {
  it('gives CSV the id, the public properties, then lon/lat, and polygons a WKT column too', () => {
    const hotspots = csvColumns(prepareLayerSql(layer('wifi_hotspots')), 4326).map((c) => c.name);
    expect(hotspots[0]).toBe('id');
    expect(hotspots.slice(-2)).toEqual(['lon', 'lat']);
    expect(csvColumns(prepareLayerSql(layer('parcels')), 2154).map((c) => c.name).slice(-3)).toEqual(['x', 'y', 'wkt']);
    const incidents = csvColumns(prepareLayerSql(layer('incidents')), 4326).map((c) => c.name);
    expect(incidents).not.toContain('reporter_email');
    expect(incidents).not.toContain('published');
  });

  it('types GeoPackage columns after the descriptions and keeps private ones out', () => {
    const columns = gpkgColumns(prepareLayerSql(layer('zone_lots')));
    expect(columns.find((c) => c.name === 'price_per_m2')!.type).toBe('REAL');
    expect(columns.find((c) => c.name === 'zone_id')!.type).toBe('INTEGER');
    expect(columns.map((c) => c.name)).not.toContain('notes');
    const addresses = gpkgColumns(prepareLayerSql(layer('addresses')));
    expect(addresses[0]).toMatchObject({ name: 'id', type: 'TEXT' });
    expect(addresses.find((c) => c.name === 'cad_parcelles')!.sql).toMatch(/array_to_json/);
  });
});

describe('open-data terms', () => {
  it('default to Licence Ouverte / Open Licence 2.0 published by Montfort Communauté', () => {
    const terms = openDataTerms(loadConfig({}));
    expect(terms.licence).toEqual({ name: 'Licence Ouverte / Open Licence 2.0', url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/' });
    expect(terms.publisher).toBe('Montfort Communauté');
    expect(layerSource(layer('addresses'), terms)).toMatch(/Base Adresse Nationale/);
    expect(layerSource({ ...layer('wifi_hotspots'), source: undefined }, terms)).toBe('Montfort Communauté');
  });

  it('refuses a licence URL that is not http(s)', () => {
    expect(() => loadConfig({ OPEN_DATA_LICENCE_URL: 'javascript:alert(1)' })).toThrow(/OPEN_DATA_LICENCE_URL/);
    expect(loadConfig({ OPEN_DATA_LICENCE: 'ODbL' }).openDataLicence).toBe('ODbL');
  });
});
