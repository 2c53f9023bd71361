// SQL fragments derived from a layer description; identifiers and description literals escaped here
// and nowhere else.
import pg from 'pg';
import type { LayerDef } from './layer-def.ts';
import { publicProperties } from './registry.ts';

/** Quotes a name that comes from a layer description (never from a request). */
export const ident = (name: string): string => pg.escapeIdentifier(name);

/** Quotes a value known at start-up (a description's code value, a fixed answer word) as a literal, for
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
export function publicPropertiesJson(layer: LayerDef, alias = 't'): string {
  const pairs = publicProperties(layer).map((p) => `'${p.name}', ${alias}.${ident(p.name)}`);
  if (layer.idType === 'text') pairs.unshift(`'id', ${alias}.id`);
  return `json_build_object(${pairs.join(', ')})`;
}

/** A GeoJSON Feature (as json) of one row: integer feature id, public properties, 4326 geometry. */
export function publicFeatureJson(layer: LayerDef, alias = 't'): string {
  return `json_build_object('type', 'Feature', 'id', ${alias}.${ident(layer.featureIdColumn)},
    'geometry', ST_AsGeoJSON(${alias}.geom, 7)::json, 'properties', ${publicPropertiesJson(layer, alias)})`;
}
