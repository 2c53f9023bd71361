// The ZAE inventory files: CSV as the CNIG exchange format asks (UTF-8, ";" separator, the schema's
// header) and GeoPackage (one table per class, geometry in Lambert-93 EPSG:2154, attributes as text
// or numbers after the schema's types).
import { stringify } from 'csv-stringify/sync';
import type { Config } from '../../core/config.ts';
import type { Queryable } from '../../core/db/database.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import { ETABLISSEMENT_SCHEMA, SITE_ECO_SCHEMA, TERRAIN_ECO_SCHEMA, type TableSchema } from '../../core/zae/cnig-schemas.ts';
import { buildGeoPackage, type GpkgRow } from '../downloads/gpkg-build.ts';
import { ETABLISSEMENT_HEADER, ETABLISSEMENT_SQL, etablissementRow, etablissementRowsArePublic, type EtablissementSqlRow } from './zae-etablissement.ts';
import { SITE_ECO_HEADER, siteEcoRow, TERRAIN_ECO_HEADER, terrainEcoRow } from './zae-rows.ts';
import { buildSiteSql, buildTerrainSql, type SiteSqlRow, type TerrainSqlRow } from './zae-sql.ts';

export type ZaeClass = 'site-eco' | 'terrain-eco' | 'etablissement';
export const ZAE_CLASSES: readonly ZaeClass[] = ['site-eco', 'terrain-eco', 'etablissement'];
/** Who a file is for: the public file leaves out what the layer descriptions keep for staff. */
export type ZaeAudience = 'public' | 'staff';

export interface ZaeTable {
  readonly cls: ZaeClass;
  readonly schema: TableSchema;
  readonly header: readonly string[];
  /** Source row id (zone or lot; for occupants, their rank) of each row, in order. */
  readonly ids: readonly number[];
  readonly rows: readonly string[][];
}

/** Reads the inventory tables (every class) from the database. */
export function createZaeReader(db: Queryable, layers: LayerRegistry, config: Config) {
  const siteSql = buildSiteSql(layers);
  const terrainSql = buildTerrainSql();
  const lots = layers.get('zone_lots')!;
  return async (cls: ZaeClass, audience: ZaeAudience = 'public'): Promise<ZaeTable> => {
    if (cls === 'etablissement') {
      const { rows } = audience === 'staff' || etablissementRowsArePublic(lots)
        ? await db.query<EtablissementSqlRow & Record<string, unknown>>(ETABLISSEMENT_SQL)
        : { rows: [] as EtablissementSqlRow[] };
      return { cls, schema: ETABLISSEMENT_SCHEMA, header: ETABLISSEMENT_HEADER, ids: rows.map((_, i) => i + 1), rows: rows.map((r) => etablissementRow(r, lots, config)) };
    }
    if (cls === 'site-eco') {
      const { rows } = await db.query<SiteSqlRow & Record<string, unknown>>(siteSql);
      return { cls, schema: SITE_ECO_SCHEMA, header: SITE_ECO_HEADER, ids: rows.map((r) => r.id), rows: rows.map((r) => siteEcoRow(r, config)) };
    }
    const { rows } = await db.query<TerrainSqlRow & Record<string, unknown>>(terrainSql);
    return { cls, schema: TERRAIN_ECO_SCHEMA, header: TERRAIN_ECO_HEADER, ids: rows.map((r) => r.id), rows: rows.map((r) => terrainEcoRow(r, lots, config)) };
  };
}

/** The CSV file: CRLF records, fields quoted only when they must be. */
export function zaeCsv(table: ZaeTable): string {
  return stringify([table.header, ...table.rows], { delimiter: ';', record_delimiter: 'windows' });
}

/** The geometry field of each class, carried as the GeoPackage geometry rather than as text. */
const GEOMETRY_FIELD: Readonly<Record<ZaeClass, string>> = { 'site-eco': 'site_geomsurf', 'terrain-eco': 'terr_geomsurf', etablissement: 'etab_geompoint' };
const TITLE: Readonly<Record<ZaeClass, string>> = {
  'site-eco': 'CNIG Sites économiques — SITE-ECO',
  'terrain-eco': 'CNIG Sites économiques — TERRAIN-ECO',
  etablissement: 'CNIG Sites économiques — ETABLISSEMENT',
};

/** The GeoPackage file; `srtext` is EPSG:2154's definition as the database has it. */
export async function zaeGeoPackage(db: Queryable, table: ZaeTable, lastChange: string): Promise<Uint8Array> {
  const { rows: srs } = await db.query<{ srtext: string }>('SELECT srtext FROM spatial_ref_sys WHERE srid = 2154');
  const geometryField = GEOMETRY_FIELD[table.cls];
  const geometryIndex = table.header.indexOf(geometryField);
  const fields = table.schema.fields.filter((f) => f.name !== geometryField);
  const indexes = fields.map((f) => table.header.indexOf(f.name));
  // WKB and envelope from PostGIS, from the very GeoJSON the CSV carries.
  const { rows: geometries } = await db.query<{ wkb: Uint8Array; xmin: number; xmax: number; ymin: number; ymax: number }>(
    `SELECT ST_AsBinary(g) AS wkb, ST_XMin(g) AS xmin, ST_XMax(g) AS xmax, ST_YMin(g) AS ymin, ST_YMax(g) AS ymax
       FROM unnest($1::text[]) WITH ORDINALITY AS t(json, n)
       CROSS JOIN LATERAL (SELECT ST_Multi(ST_GeomFromGeoJSON(t.json)) AS g) x ORDER BY t.n`,
    [table.rows.map((r) => r[geometryIndex]!)],
  );
  const gpkgRows: GpkgRow[] = table.rows.map((cells, i) => {
    const g = geometries[i]!;
    return {
      fid: table.ids[i]!,
      wkb: g.wkb,
      envelope: [g.xmin, g.xmax, g.ymin, g.ymax],
      values: fields.map((f, j) => {
        const value = cells[indexes[j]!]!;
        if (value === '') return null;
        return f.type === 'number' ? Number(value) : value;
      }),
    };
  });
  const title = TITLE[table.cls];
  return buildGeoPackage({
    table: table.cls.replace('-', '_'),
    identifier: title,
    description: `${title} (standard CNIG v1.0.1, inventaire des zones d'activité économique, article L318-8-2 du code de l'urbanisme).`,
    lastChange,
    geometryType: table.cls === 'etablissement' ? 'MULTIPOINT' : 'MULTIPOLYGON',
    srs: { id: 2154, name: 'RGF93 v1 / Lambert-93', definition: srs[0]!.srtext },
    columns: fields.map((f) => ({ name: f.name, type: f.type === 'number' ? 'REAL' : 'TEXT' })),
    metadata: { TITLE: title, STANDARD: 'CNIG Sites économiques v1.0.1' },
  }, (async function* () { yield gpkgRows; })());
}
