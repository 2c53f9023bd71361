// GeoPackage as a feature source (sql.js): one feature table, rows stepped one at a time. sql.js
// holds the whole file in memory (SQLite compiled to WebAssembly has no file access), so large
// deliveries are better sent as shapefiles or GeoJSON.
import { readFileSync, statSync } from 'node:fs';
import initSqlJs, { type Database as SqlDatabase, type SqlValue } from 'sql.js';
import type { Geometry } from 'geojson';
import { decodeWkb } from '../wkb.ts';
import { SourceError, type CrsHint, type FeatureSource, type SourceRecord } from './source.ts';

/** Above this size a GeoPackage is refused: sql.js would need it all in memory. */
export const MAX_GEOPACKAGE_BYTES = 512 * 1024 * 1024;

const ENVELOPE_BYTES = [0, 32, 48, 48, 64];

/** Parses a GeoPackage geometry blob ("GP" header, optional envelope, then WKB). */
export function readGeoPackageGeometry(blob: Uint8Array): Geometry | null {
  if (blob[0] !== 0x47 || blob[1] !== 0x50) throw new Error('not a GeoPackage geometry (no GP magic)');
  const flags = blob[3]!;
  const envelope = ENVELOPE_BYTES[(flags >> 1) & 0x07];
  if (envelope === undefined) throw new Error('bad GeoPackage envelope indicator');
  if (flags & 0x10) return null; // empty geometry flag
  return decodeWkb(blob.subarray(8 + envelope));
}

function quoteSqlite(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface GeoPackageOptions {
  /** Feature table to read when the file has several. */
  table?: string;
}

export async function openGeoPackage(path: string, options: GeoPackageOptions = {}): Promise<FeatureSource> {
  if (statSync(path).size > MAX_GEOPACKAGE_BYTES) {
    throw new SourceError(`GeoPackages over ${MAX_GEOPACKAGE_BYTES / 2 ** 20} MB are not read (sql.js loads them whole): export the layer as a shapefile or GeoJSON`);
  }
  const SQL = await initSqlJs();
  let db: SqlDatabase;
  try {
    db = new SQL.Database(readFileSync(path));
  } catch (error) {
    throw new SourceError(`not a readable GeoPackage: ${(error as Error).message}`);
  }
  const one = (sql: string, params: SqlValue[] = []) => {
    const rows = db.exec(sql, params);
    return rows[0]?.values ?? [];
  };
  let tables: SqlValue[][];
  try {
    tables = one(`SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c JOIN gpkg_geometry_columns g USING (table_name) WHERE c.data_type = 'features' ORDER BY c.table_name`);
  } catch {
    db.close();
    throw new SourceError('not a GeoPackage (no gpkg_contents / gpkg_geometry_columns tables)');
  }
  const wanted = options.table?.toLowerCase();
  const chosen = wanted ? tables.filter((t) => String(t[0]).toLowerCase() === wanted) : tables;
  if (chosen.length !== 1) {
    db.close();
    const names = tables.map((t) => String(t[0])).join(', ') || 'none';
    throw new SourceError(wanted ? `no feature table "${options.table}" in the GeoPackage (tables: ${names})` : `the GeoPackage holds several feature tables (${names}): choose one with --member`);
  }
  const [table, geometryColumn, srsId] = chosen[0] as [string, string, number];
  const srs = one('SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?', [srsId])[0];
  let crs: CrsHint = { kind: 'none', origin: `GeoPackage srs_id ${srsId} undefined` };
  if (srs && String(srs[0]).toUpperCase() === 'EPSG' && Number(srs[1]) > 0) crs = { kind: 'epsg', srid: Number(srs[1]), origin: `GeoPackage srs EPSG:${srs[1]}` };
  else if (srs && typeof srs[2] === 'string' && srs[2] !== 'undefined') crs = { kind: 'wkt', wkt: srs[2], origin: `GeoPackage srs ${srsId}` };
  const total = Number(one(`SELECT count(*) FROM ${quoteSqlite(table)}`)[0]?.[0] ?? 0);
  const statement = db.prepare(`SELECT * FROM ${quoteSqlite(table)}`);
  const columns = statement.getColumnNames();
  const geometryIndex = columns.findIndex((c) => c.toLowerCase() === geometryColumn.toLowerCase());
  const fields = columns.filter((_, i) => i !== geometryIndex);
  let row = 0;

  return {
    format: 'geopackage',
    fields,
    geometryFields: [],
    crs,
    samplePositions: [],
    details: { table },
    warnings: [],
    progress: () => ({ done: row, total, unit: 'features' }),
    async *records(): AsyncGenerator<SourceRecord> {
      while (statement.step()) {
        row++;
        const values = statement.get();
        const properties: Record<string, unknown> = {};
        columns.forEach((c, i) => {
          if (i !== geometryIndex) properties[c] = values[i] instanceof Uint8Array ? null : values[i];
        });
        const blob = values[geometryIndex];
        if (!(blob instanceof Uint8Array)) {
          yield { row, properties, geometry: null };
          continue;
        }
        try {
          yield { row, properties, geometry: readGeoPackageGeometry(blob) };
        } catch (error) {
          yield { row, properties, geometry: null, error: (error as Error).message };
        }
      }
    },
    async close() {
      statement.free();
      db.close();
    },
  };
}
