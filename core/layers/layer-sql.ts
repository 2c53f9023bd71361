// SQL fragments derived from a layer description; identifiers and description literals escaped here
// and nowhere else.
import pg from 'pg';
import type { LayerDef } from './layer-def.ts';
import { publicProperties } from './registry.ts';

/** Quotes a name that comes from a layer description (never from a request). */
export const ident = (name: string): string => pg.escapeIdentifier(name);

/** Quotes a string known at start-up (a layer id, a code value, a fixed answer word) as a literal, for
 *  statements built once so the planner sees constants; a value from a request is always bound instead. */
export const literal = (value: string): string => pg.escapeLiteral(value);

/** `expr IN (…)` over description values; FALSE for none, which `IN ()` cannot say. */
export function sqlIn(expr: string, values: readonly string[]): string {
  return values.length > 0 ? `${expr} IN (${values.map(literal).join(', ')})` : 'FALSE';
}

/** `CASE expr WHEN <value> THEN <sql> … ELSE <otherwise> END`: description values mapped to SQL results
 *  (just `otherwise` for none, as CASE needs one WHEN). */
export function sqlCase(expr: string, cases: readonly (readonly [string, string])[], otherwise: string): string {
  if (cases.length === 0) return otherwise;
  return `CASE ${expr} ${cases.map(([value, then]) => `WHEN ${literal(value)} THEN ${then}`).join(' ')} ELSE ${otherwise} END`;
}

/** WHERE condition keeping only the rows the public may see ("TRUE" when all are public). */
export function publicRowFilter(layer: LayerDef, alias = 't'): string {
  return layer.publishedColumn ? `${alias}.${ident(layer.publishedColumn)}` : 'TRUE';
}

/** `json_build_object(...)` of the layer's public properties, plus the text id where ids are text. */
function publicPropertiesJson(layer: LayerDef, alias = 't'): string {
  const pairs = publicProperties(layer).map((p) => `'${p.name}', ${alias}.${ident(p.name)}`);
  if (layer.idType === 'text') pairs.unshift(`'id', ${alias}.id`);
  return `json_build_object(${pairs.join(', ')})`;
}

/** What differs between the places that serve a layer row as a GeoJSON Feature. */
export interface FeatureSqlParts {
  /** Alias of the layer table in the query (default `t`). */
  readonly alias?: string;
  /** JSON text of the feature id (default: the integer feature id column). */
  readonly id?: string;
  /** GeoJSON text of the geometry (default: `geom` in WGS84, 7 decimals, no `crs` member). */
  readonly geometry?: string;
  /** `json` of the properties (default: every public property, the text id first where ids are text). */
  readonly properties?: string;
}

/**
 * One row as a GeoJSON Feature, as text: concatenated rather than built with json_build_object so
 * that PostgreSQL does not parse the geometry's GeoJSON again. A NULL part would make the whole
 * Feature NULL; none is (ids are keys, `geom` is NOT NULL).
 */
export function featureTextSql(layer: LayerDef, parts: FeatureSqlParts = {}): string {
  const alias = parts.alias ?? 't';
  const id = parts.id ?? `${alias}.${ident(layer.featureIdColumn)}`;
  const geometry = parts.geometry ?? `ST_AsGeoJSON(${alias}.geom, 7, 0)`;
  const properties = parts.properties ?? publicPropertiesJson(layer, alias);
  return `'{"type":"Feature","id":' || ${id} || ',"geometry":' || ${geometry} || ',"properties":' || ${properties}::text || '}'`;
}
