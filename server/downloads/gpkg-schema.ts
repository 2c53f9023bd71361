// GeoPackage 1.2 encoding, pure: the core tables, one feature table, the metadata extension (GDAL
// reads it as layer metadata) and the GeoPackage binary geometry header in front of the WKB.
import type { GpkgColumnType } from '../../core/layers/property-types.ts';

export interface GpkgLayerSpec {
  /** Feature table name (the layer id). */
  readonly table: string;
  /** Human title (gpkg_contents.identifier). */
  readonly identifier: string;
  /** gpkg_contents.description: description, licence, source and last update in words. */
  readonly description: string;
  /** Last change of the data, `YYYY-MM-DDTHH:MM:SS.SSSZ`. */
  readonly lastChange: string;
  readonly geometryType: 'POINT' | 'MULTIPOINT' | 'MULTIPOLYGON';
  readonly srs: { readonly id: number; readonly name: string; readonly definition: string };
  /** Attribute columns after `fid` and `geom`. */
  readonly columns: readonly { readonly name: string; readonly type: GpkgColumnType }[];
  /** Items GDAL shows as the layer's metadata (licence, source, last update…). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly (string | number | null)[];
}

/** "GPKG" as a big-endian integer, for PRAGMA application_id. */
export const GPKG_APPLICATION_ID = 0x47504b47;
/** GeoPackage 1.2.0. */
export const GPKG_USER_VERSION = 10200;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

/** The document GDAL writes to gpkg_metadata for a layer's metadata items, and reads back. */
export function gdalMetadataXml(items: Readonly<Record<string, string>>): string {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const mdi = Object.entries(items).map(([k, v]) => `    <MDI key="${escape(k)}">${escape(v)}</MDI>`);
  return `<GDALMultiDomainMetadata>\n  <Metadata>\n${mdi.join('\n')}\n  </Metadata>\n</GDALMultiDomainMetadata>\n`;
}

/** Every statement that makes an empty, valid GeoPackage holding the layer's (still empty) table. */
export function gpkgSchemaStatements(spec: GpkgLayerSpec): SqlStatement[] {
  const s = (sql: string, params: SqlStatement['params'] = []): SqlStatement => ({ sql, params });
  const columns = spec.columns.map((c) => `${quote(c.name)} ${c.type}`);
  return [
    s(`PRAGMA application_id = ${GPKG_APPLICATION_ID}`),
    s(`PRAGMA user_version = ${GPKG_USER_VERSION}`),
    s(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`),
    s(`INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
        ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system')`),
    s(`INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)`, [spec.srs.name, spec.srs.id, spec.srs.id, spec.srs.definition]),
    s(`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (${NOW}),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`),
    s(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`),
    s(`CREATE TABLE ${quote(spec.table)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom ${spec.geometryType}${columns.map((c) => `, ${c}`).join('')})`),
    s(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
        VALUES (?, 'features', ?, ?, ?, ?)`,
      [spec.table, spec.identifier, spec.description, spec.lastChange, spec.srs.id]),
    s(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`, [spec.table, spec.geometryType, spec.srs.id]),
    s(`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
        scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`),
    s(`INSERT INTO gpkg_extensions VALUES ('gpkg_metadata', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata', 'read-write'),
        ('gpkg_metadata_reference', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata', 'read-write')`),
    s(`CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset',
        md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')`),
    s(`CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER,
        timestamp DATETIME NOT NULL DEFAULT (${NOW}), md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
        CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
        CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))`),
    // md_standard_uri http://gdal.org + text/xml is how GDAL stores (and reads back) layer metadata.
    s(`INSERT INTO gpkg_metadata (id, md_scope, md_standard_uri, mime_type, metadata) VALUES (1, 'dataset', 'http://gdal.org', 'text/xml', ?)`,
      [gdalMetadataXml(spec.metadata)]),
    s(`INSERT INTO gpkg_metadata_reference (reference_scope, table_name, timestamp, md_file_id) VALUES ('table', ?, ?, 1)`,
      [spec.table, spec.lastChange]),
  ];
}

/** Records the extent of the stored features ([minX, maxX, minY, maxY], as envelopes are) in gpkg_contents. */
export function gpkgExtentStatement(table: string, extent: readonly [number, number, number, number]): SqlStatement {
  const [minX, maxX, minY, maxY] = extent;
  return { sql: 'UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?', params: [minX, minY, maxX, maxY, table] };
}

/** The feature insert: `fid`, `geom`, then the attribute columns, all bound. */
export function gpkgInsertSql(spec: GpkgLayerSpec): string {
  const names = ['fid', 'geom', ...spec.columns.map((c) => c.name)];
  return `INSERT INTO ${quote(spec.table)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
}

/**
 * GeoPackage binary geometry: "GP", version 0, flags, srs_id, optional envelope, then standard WKB.
 * The header is written little-endian (flags bit 0 set); the envelope, when given, is
 * [minX, maxX, minY, maxY] (envelope code 1).
 */
export function gpkgGeometry(srsId: number, wkb: Uint8Array, envelope?: readonly [number, number, number, number]): Uint8Array {
  const headerLength = 8 + (envelope ? 32 : 0);
  const out = new Uint8Array(headerLength + wkb.length);
  const view = new DataView(out.buffer);
  out[0] = 0x47; // G
  out[1] = 0x50; // P
  out[2] = 0; // version 1
  out[3] = (envelope ? 1 << 1 : 0) | 1; // envelope code, little-endian header
  view.setInt32(4, srsId, true);
  if (envelope) envelope.forEach((v, i) => view.setFloat64(8 + i * 8, v, true));
  out.set(wkb, headerLength);
  return out;
}
