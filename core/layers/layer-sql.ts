// SQL fragments derived from a layer description; identifiers escaped here and nowhere else.
import pg from 'pg';
import type { LayerDef } from './layer-def.ts';
import { publicProperties } from './registry.ts';

/** Quotes a name that comes from a layer description (never from a request). */
export const ident = (name: string): string => pg.escapeIdentifier(name);

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
