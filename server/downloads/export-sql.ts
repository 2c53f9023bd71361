// Row SQL of the whole-layer CSV and GeoPackage downloads: each public property typed for its
// target format, coordinates in WGS84 or Lambert-93, read in keyset pages on the feature id.
import type { PropertyType } from '../../core/layers/layer-def.ts';
import { ident } from '../../core/layers/layer-sql.ts';
import type { LayerSql, SqlQuery } from '../features/feature-sql.ts';
import type { GpkgColumnType } from './gpkg-schema.ts';
import type { DownloadSrid } from './download-params.ts';

export interface ExportColumn {
  /** Column name in the file (also the SQL alias). */
  readonly name: string;
  readonly sql: string;
}

/** Row alias of the feature id that pages are keyed on; property names never start with "_". */
export const KEY = '_key';

const utc = (column: string, format: string) => `to_char(${column} AT TIME ZONE 'UTC', '${format}')`;

/** Property values as spreadsheet text: ISO dates, true/false, lists joined with ";". */
const CSV_VALUE: Record<PropertyType, (c: string) => string> = {
  text: (c) => c,
  integer: (c) => c,
  number: (c) => c,
  date: (c) => `to_char(${c}, 'YYYY-MM-DD')`,
  datetime: (c) => utc(c, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  boolean: (c) => `${c}::text`,
  'text[]': (c) => `array_to_string(${c}, ';')`,
};

/** Property values as GeoPackage stores them (DATETIME as ISO with milliseconds, BOOLEAN as 0/1). */
const GPKG_VALUE: Record<PropertyType, { type: GpkgColumnType; sql: (c: string) => string }> = {
  text: { type: 'TEXT', sql: (c) => c },
  integer: { type: 'INTEGER', sql: (c) => c },
  number: { type: 'REAL', sql: (c) => `${c}::float8` },
  date: { type: 'DATE', sql: (c) => `to_char(${c}, 'YYYY-MM-DD')` },
  datetime: { type: 'DATETIME', sql: (c) => utc(c, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') },
  boolean: { type: 'BOOLEAN', sql: (c) => `${c}::int` },
  'text[]': { type: 'TEXT', sql: (c) => `array_to_json(${c})::text` },
};

/** The geometry in the download's SRID (`g` in the row query). */
const geometryIn = (srid: DownloadSrid) => (srid === 4326 ? 't.geom' : `ST_Transform(t.geom, ${srid})`);

/**
 * CSV columns: the id, the public properties, then lon/lat (or Lambert-93 x/y). Polygons get the
 * coordinates of a point inside them plus their full geometry as WKT.
 */
export function csvColumns(ls: LayerSql, srid: DownloadSrid): ExportColumn[] {
  const point = ls.layer.geometryType === 'Point' ? 'x.g' : 'ST_PointOnSurface(x.g)';
  const decimals = srid === 4326 ? 7 : 2;
  const [xName, yName] = srid === 4326 ? ['lon', 'lat'] : ['x', 'y'];
  return [
    ...(ls.layer.idType === 'integer' ? [{ name: 'id', sql: ls.idColumn }] : []),
    ...ls.propertyNames.map((name) => ({ name, sql: CSV_VALUE[ls.propertyTypes.get(name)!](ls.propertyColumn.get(name)!) })),
    { name: xName, sql: `round(ST_X(${point})::numeric, ${decimals})` },
    { name: yName, sql: `round(ST_Y(${point})::numeric, ${decimals})` },
    ...(ls.layer.geometryType === 'Point' ? [] : [{ name: 'wkt', sql: `ST_AsText(x.g, ${decimals})` }]),
  ];
}

/** GeoPackage attribute columns (after fid and geom) with their types. */
export function gpkgColumns(ls: LayerSql): (ExportColumn & { type: GpkgColumnType })[] {
  return ls.propertyNames.map((name) => {
    const v = GPKG_VALUE[ls.propertyTypes.get(name)!];
    return { name, type: v.type, sql: v.sql(ls.propertyColumn.get(name)!) };
  });
}

/** GeoPackage geometry columns: WKB and its envelope, in the download's SRID. */
export const GPKG_GEOMETRY_COLUMNS: readonly ExportColumn[] = [
  { name: '_wkb', sql: 'ST_AsBinary(x.g)' },
  { name: '_min_x', sql: 'ST_XMin(x.g)' },
  { name: '_max_x', sql: 'ST_XMax(x.g)' },
  { name: '_min_y', sql: 'ST_YMin(x.g)' },
  { name: '_max_y', sql: 'ST_YMax(x.g)' },
];

/** The next `size` public rows after feature id `$1`, with the given columns. */
export function exportPageSql(ls: LayerSql, columns: readonly ExportColumn[], srid: DownloadSrid, afterId: number, size: number): SqlQuery {
  const select = columns.map((c) => `${c.sql} AS ${ident(c.name)}`).join(', ');
  return {
    text: `SELECT ${ls.idColumn} AS ${KEY}, ${select}
             FROM ${ls.table} t CROSS JOIN LATERAL (SELECT ${geometryIn(srid)} AS g) x
            WHERE ${ls.rowFilter} AND ${ls.idColumn} > $1::bigint ORDER BY ${ls.idColumn} LIMIT $2`,
    values: [afterId, size],
  };
}
