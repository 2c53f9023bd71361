// Row SQL of the whole-layer CSV and GeoPackage downloads: each public property typed for its
// target format, coordinates in WGS84 or Lambert-93, read in keyset pages on the feature id.
import { ident } from '../../core/layers/layer-sql.ts';
import { PROPERTY_TYPES, type GpkgColumnType } from '../../core/layers/property-types.ts';
import type { LayerSql, SqlQuery } from '../features/feature-sql.ts';
import type { DownloadSrid } from './download-params.ts';

export interface ExportColumn {
  /** Column name in the file (also the SQL alias). */
  readonly name: string;
  readonly sql: string;
  /** A text column (SIRET, postcode…): its values must stay text even when they are all digits. */
  readonly text?: boolean;
}

/**
 * A spreadsheet opening a CSV reads an unquoted run of digits as a number: a SIRET becomes
 * 3.44507E+13 and a postcode loses its leading 0. Quoting such cells of text columns is how RFC 4180
 * says "text", which LibreOffice ("quoted field as text"), Google Sheets imports and CSV readers
 * honour; the value itself is unchanged, so programs reading the file get exactly the data.
 */
export const quotesAsText = (column: ExportColumn | undefined, value: string): boolean =>
  column?.text === true && /^[0-9]+$/.test(value);

/** Row alias of the feature id that pages are keyed on; property names never start with "_". */
export const KEY = '_key';

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
    ...ls.propertyNames.map((name) => ({
      name, sql: PROPERTY_TYPES[ls.propertyTypes.get(name)!].csvValue(ls.propertyColumn.get(name)!), text: ls.propertyTypes.get(name) === 'text',
    })),
    { name: xName, sql: `round(ST_X(${point})::numeric, ${decimals})` },
    { name: yName, sql: `round(ST_Y(${point})::numeric, ${decimals})` },
    ...(ls.layer.geometryType === 'Point' ? [] : [{ name: 'wkt', sql: `ST_AsText(x.g, ${decimals})` }]),
  ];
}

/** GeoPackage attribute columns (after fid and geom) with their types. */
export function gpkgColumns(ls: LayerSql): (ExportColumn & { type: GpkgColumnType })[] {
  return ls.propertyNames.map((name) => {
    const t = PROPERTY_TYPES[ls.propertyTypes.get(name)!];
    return { name, type: t.gpkgType, sql: t.gpkgValue(ls.propertyColumn.get(name)!) };
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
