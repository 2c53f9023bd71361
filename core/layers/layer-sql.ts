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
