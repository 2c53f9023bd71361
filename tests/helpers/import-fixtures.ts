// Fixtures for the import tests, made by code: coordinate-system definitions as ArcGIS/QGIS write
// them in .prj files, small shapefiles around Montfort-sur-Meu, zip archives, text files.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { Queryable } from '../../core/db/database.ts';
import { createShapefileWriter, type DbfField, type ShapeGeometry, type ShapefileSpec } from './shapefile-writer.ts';

/** ESRI WKT (as `gdalsrsinfo -o wkt_esri` and ArcGIS write it), the usual content of a .prj. */
export const ESRI_PRJ = {
  2154:
    'PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],' +
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],' +
    'PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",49.0],' +
    'PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]',
  3948:
    'PROJCS["RGF_1993_CC48",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],' +
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",1700000.0],' +
    'PARAMETER["False_Northing",7200000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",47.25],' +
    'PARAMETER["Standard_Parallel_2",48.75],PARAMETER["Latitude_Of_Origin",48.0],UNIT["Meter",1.0]]',
  32630:
    'PROJCS["WGS_1984_UTM_Zone_30N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],' +
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],' +
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-3.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]',
  3857:
    'PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],' +
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],' +
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]',
  4326:
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]',
} as const;

/** A private directory removed by `cleanup()`. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'websig-import-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a shapefile from a list of records; returns the .shp path. */
export function writeShapefile(
  spec: Omit<ShapefileSpec, 'fields'> & { fields: readonly DbfField[] },
  records: readonly { geometry: ShapeGeometry; attributes: Record<string, string | number | boolean | null> }[],
): string {
  const writer = createShapefileWriter(spec);
  for (const r of records) writer.write(r.geometry, r.attributes);
  writer.close();
  return `${spec.base}.shp`;
}

/** A clockwise square ring (an outer ring for the shapefile specification). */
export function squareRing(x: number, y: number, size: number): number[][] {
  return [[x, y], [x, y + size], [x + size, y + size], [x + size, y], [x, y]];
}

/** Zips files (each stored under its base name, or the given name). */
export async function zipFiles(target: string, files: readonly (string | { path: string; name: string })[]): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const f of files) {
    const path = typeof f === 'string' ? f : f.path;
    zip.addBuffer(readFileSync(path), typeof f === 'string' ? basename(f) : f.name);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(target));
  return target;
}

/**
 * Zips buffers under the given names, including names yazl refuses to write (`../x`, `/x`, `a\x`):
 * each entry is written under a placeholder of the same length, then its name patched in the local
 * header and the central directory (names are not covered by the CRC).
 */
export async function zipBuffers(target: string, entries: readonly { name: string; data: Buffer }[]): Promise<string> {
  const zip = new yazl.ZipFile();
  const placeholders = entries.map((e, i) => `p${i}_`.padEnd(Buffer.byteLength(e.name), 'z'));
  entries.forEach((e, i) => zip.addBuffer(e.data, placeholders[i]!));
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  entries.forEach((e, i) => {
    const from = Buffer.from(placeholders[i]!);
    for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + from.length)) bytes.write(e.name, at);
  });
  writeFileSync(target, bytes);
  return target;
}

/** Projects WGS84 lon/lat to another system with PostGIS (the reference the tests compare with). */
export async function project(db: Queryable, srid: number, lon: number, lat: number): Promise<[number, number]> {
  const { rows } = await db.query<{ x: number; y: number }>(
    'SELECT ST_X(p) AS x, ST_Y(p) AS y FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), $3::int) p',
    [lon, lat, srid],
  );
  return [rows[0]!.x, rows[0]!.y];
}

/** A stable fingerprint of a whole table: row count and an md5 of every row in id order. */
export async function tableChecksum(db: Queryable, table: 'fibre_phases' | 'fibre_premises' | 'parcels' | 'addresses' | 'wifi_hotspots' | 'business_zones' | 'zone_lots'): Promise<{ n: number; md5: string }> {
  const { rows } = await db.query<{ n: number; md5: string }>(
    `SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') AS md5 FROM ${table} t`,
  );
  return rows[0]!;
}

/** Writes a text file and returns its path. */
export function writeText(path: string, content: string | Buffer): string {
  writeFileSync(path, content);
  return path;
}
