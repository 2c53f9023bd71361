// Feature SQL for one layer: fragments made once from its description, composed per request from
// small pure clause builders; request values only ever travel as bound parameters.
import type { LayerDef, PropertyDef, PropertyType } from '../../core/layers/layer-def.ts';
import { featureTextSql, ident, publicRowFilter } from '../../core/layers/layer-sql.ts';
import { PROPERTY_TYPES } from '../../core/layers/property-types.ts';
import { publicProperties } from '../../core/layers/registry.ts';
import type { CrsDef } from './ogc-crs.ts';
import type { BboxFilter, DatetimeFilter, FeatureQuery, PropertyFilter, TimeBound } from './ogc-params.ts';

/** What the feature SQL of a layer is made of; built once per layer. */
export interface LayerSql {
  readonly layer: LayerDef;
  /** Quoted table name. */
  readonly table: string;
  /** `t."id"` or `t."fid"`: the integer feature id, also the paging order. */
  readonly idColumn: string;
  /** Keeps only the rows the public may see. */
  readonly rowFilter: string;
  /** Output property names in description order: the text id first where ids are text, then public properties. */
  readonly propertyNames: readonly string[];
  /** SQL expression of each output property. */
  readonly propertyColumn: ReadonlyMap<string, string>;
  readonly propertyTypes: ReadonlyMap<string, PropertyType>;
  /** Properties offered as equality filters. */
  readonly queryables: readonly PropertyDef[];
  /** Property holding the feature's date, when the layer has one. */
  readonly temporal?: PropertyDef;
}

/** A SQL text and its bound values. */
export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

// json_build_object takes at most 100 arguments: 50 name/value pairs.
const MAX_JSON_PAIRS = 50;

/** The layer's SQL fragments; throws at start-up when a description cannot be served. */
export function prepareLayerSql(layer: LayerDef): LayerSql {
  const props = publicProperties(layer);
  const names = [...(layer.idType === 'text' ? ['id'] : []), ...props.map((p) => p.name)];
  if (names.length > MAX_JSON_PAIRS) throw new Error(`layer "${layer.id}": more than ${MAX_JSON_PAIRS} public properties`);
  const temporal = props.find((p) => p.name === layer.temporalProperty);
  return {
    layer,
    table: ident(layer.id),
    idColumn: `t.${ident(layer.featureIdColumn)}`,
    rowFilter: publicRowFilter(layer),
    propertyNames: names,
    propertyColumn: new Map(names.map((n) => [n, `t.${ident(n)}`])),
    propertyTypes: new Map<string, PropertyType>([
      ...(layer.idType === 'text' ? [['id', 'text'] as const] : []),
      ...props.map((p) => [p.name, p.type] as const),
    ]),
    queryables: props.filter((p) => p.queryable),
    ...(temporal ? { temporal } : {}),
  };
}

/** Collects bound values and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const envelope = (b: BboxFilter, p: Params, srid: number) =>
  `ST_SetSRID(ST_MakeBox2D(ST_MakePoint(${p.bind(b.minX)}::float8, ${p.bind(b.minY)}::float8), ` +
  `ST_MakePoint(${p.bind(b.maxX)}::float8, ${p.bind(b.maxY)}::float8))::geometry, ${srid})`;

/**
 * Features whose geometry intersects the bbox. The box goes through box2d so that a zero-width
 * bbox becomes a point or a line rather than a degenerate polygon that intersects nothing; a
 * Lambert-93 box is densified before it is transformed so that its curved edges stay close.
 * The box is a scalar subquery, computed once per statement: in the generic plan of a prepared
 * statement an expression of parameters is not folded to a constant, and would be built again for
 * every candidate row: the scan of a 700-parcel bbox took 14 ms instead of 2.
 */
export function bboxCondition(bbox: BboxFilter, p: Params): string {
  if (bbox.srid === 4326) return `ST_Intersects(t.geom, (SELECT ${envelope(bbox, p, 4326)}))`;
  const step = Math.max(bbox.maxX - bbox.minX, bbox.maxY - bbox.minY) / 16;
  const box = envelope(bbox, p, bbox.srid);
  return `ST_Intersects(t.geom, (SELECT ST_Transform(${step > 0 ? `ST_Segmentize(${box}, ${p.bind(step)}::float8)` : box}, 4326)))`;
}

const DAY_MS = 86_400_000;
const dayStart = (date: string) => `${date}T00:00:00.000Z`;
const nextDayStart = (date: string) => new Date(Date.parse(dayStart(date)) + DAY_MS).toISOString();
const utcDate = (bound: TimeBound) => (bound.kind === 'date' ? bound.value : bound.value.slice(0, 10));

/**
 * Features whose date lies in the instant or interval. A date bound on a date-time property
 * covers its whole UTC day; a date property covers its whole day, so it matches a date-time
 * bound falling on that day.
 */
export function datetimeCondition(column: string, type: PropertyType, filter: DatetimeFilter, p: Params): string {
  const parts: string[] = [];
  if (PROPERTY_TYPES[type].temporal === 'day') {
    if (filter.start) parts.push(`${column} >= ${p.bind(utcDate(filter.start))}::date`);
    if (filter.end) parts.push(`${column} <= ${p.bind(utcDate(filter.end))}::date`);
  } else {
    const { start, end } = filter;
    if (start) parts.push(`${column} >= ${p.bind(start.kind === 'date' ? dayStart(start.value) : start.value)}::timestamptz`);
    if (end) {
      parts.push(end.kind === 'date'
        ? `${column} < ${p.bind(nextDayStart(end.value))}::timestamptz`
        : `${column} <= ${p.bind(end.value)}::timestamptz`);
    }
  }
  // An interval open at both ends still leaves out features without a date.
  return parts.length ? parts.join(' AND ') : `${column} IS NOT NULL`;
}

/** Equality on one queryable property (membership for a list). */
export function propertyCondition(column: string, filter: PropertyFilter, p: Params): string {
  return PROPERTY_TYPES[filter.property.type].equals(column, p.bind(filter.value));
}

/** The WHERE condition of a query: public rows, then each filter the query carries. */
export function whereClause(ls: LayerSql, q: Pick<FeatureQuery, 'bbox' | 'nothing' | 'datetime' | 'filters'>, p: Params): string {
  const parts = [ls.rowFilter];
  if (q.nothing) parts.push('FALSE');
  if (q.bbox) parts.push(bboxCondition(q.bbox, p));
  if (q.datetime && ls.temporal) {
    parts.push(datetimeCondition(ls.propertyColumn.get(ls.temporal.name)!, ls.temporal.type, q.datetime, p));
  }
  for (const f of q.filters) parts.push(propertyCondition(ls.propertyColumn.get(f.property.name)!, f, p));
  return parts.join(' AND ');
}

/** The geometry as GeoJSON text in the output CRS (no `crs` member: the Content-Crs header says it). */
export function geometryJsonSql(crs: CrsDef): string {
  if (crs.srid !== 4326) return `ST_AsGeoJSON(ST_Transform(t.geom, ${crs.srid}), ${crs.decimals}, 0)`;
  return crs.latLon ? `ST_AsGeoJSON(ST_FlipCoordinates(t.geom), ${crs.decimals}, 0)` : `ST_AsGeoJSON(t.geom, ${crs.decimals}, 0)`;
}

/** `json_build_object` of the chosen output properties (all of them by default). */
export function propertiesJsonSql(ls: LayerSql, names: readonly string[] = ls.propertyNames): string {
  return `json_build_object(${names.map((n) => `'${n}', ${ls.propertyColumn.get(n)!}`).join(', ')})`;
}

/** One feature in the output CRS with the chosen properties. */
function ogcFeatureSql(ls: LayerSql, crs: CrsDef, names?: readonly string[]): string {
  return featureTextSql(ls.layer, { geometry: geometryJsonSql(crs), properties: propertiesJsonSql(ls, names) });
}

/** Where a page starts: after `offset` matches, or just after / just before a feature id (keyset). */
export type PageStart =
  | { readonly offset: number }
  | { readonly after: number }
  | { readonly before: number };

export interface PageOptions {
  /** Features on the page; one more is read to learn whether more remain. */
  readonly size: number;
  readonly start: PageStart;
  /** Also count every matching feature (a second scan: only for small layers). */
  readonly count?: boolean;
  /** Between features in `features` (`,\n` for downloads: one feature per line). */
  readonly separator?: string;
}

export interface PageRow {
  /** Features on the page. */
  n: number;
  /** Lowest and highest feature id on the page (null when empty). */
  first: number | null;
  last: number | null;
  /** More features match beyond the page, in its direction (after `last`, or before `first` for a `before` page). */
  more: boolean;
  /** The page's features as GeoJSON text joined by the separator, in id order. */
  features: string;
  /** Every matching feature, when asked for. */
  matched?: number;
}

/**
 * One page of features as a single text, built in PostgreSQL. It reads `size + 1` rows so that
 * `more` says whether a next page exists without counting; the extra row is numbered out of the
 * aggregates (FILTER), whose arguments PostgreSQL does not evaluate for rows the filter drops, so
 * the extra feature is never encoded. A `before` page is read backwards from its key and put back
 * in id order by the aggregate.
 */
export function featurePageSql(ls: LayerSql, q: FeatureQuery, o: PageOptions): SqlQuery {
  const p = new Params();
  const matching = whereClause(ls, q, p);
  const start = o.start;
  const backwards = 'before' in start;
  let where = matching;
  if ('after' in start) where += ` AND ${ls.idColumn} > ${p.bind(start.after)}::bigint`;
  if ('before' in start) where += ` AND ${ls.idColumn} < ${p.bind(start.before)}::bigint`;
  const order = `${ls.idColumn}${backwards ? ' DESC' : ''}`;
  const size = `${p.bind(o.size)}::int`;
  const offset = 'offset' in start && start.offset > 0 ? ` OFFSET ${p.bind(start.offset)}::bigint` : '';
  const onPage = `FILTER (WHERE t.page_row <= ${size})`;
  const count = o.count ? `, (SELECT count(*) FROM ${ls.table} t WHERE ${matching})::bigint AS matched` : '';
  // The rows are numbered after ORDER BY … LIMIT has kept them (a top-N sort of the matches), in
  // the order they arrive in, so the numbering needs no second sort.
  const text = `SELECT count(*) ${onPage}::int AS n, min(${ls.idColumn}) ${onPage} AS first, max(${ls.idColumn}) ${onPage} AS last,
      count(*) > ${size} AS more,
      coalesce(string_agg(${ogcFeatureSql(ls, q.crs, q.properties)}, '${o.separator ?? ','}' ORDER BY ${ls.idColumn}) ${onPage}, '') AS features${count}
    FROM (SELECT t.*, row_number() OVER (ORDER BY ${order}) AS page_row
            FROM (SELECT t.* FROM ${ls.table} t WHERE ${where} ORDER BY ${order} LIMIT ${size} + 1${offset}) t) t`;
  return { text, values: p.values };
}

/** One public feature by its integer id (`$1`). */
export function itemSql(ls: LayerSql, crs: CrsDef, names?: readonly string[]): string {
  return `SELECT ${ogcFeatureSql(ls, crs, names)} AS feature FROM ${ls.table} t
           WHERE ${ls.rowFilter} AND ${ls.idColumn} = $1::bigint`;
}
