// SQL of the edit APIs, built from a layer description: a feature as GeoJSON for the public or for
// staff, and the insert and versioned update of a feature. Identifiers only through ident().
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { ident } from '../../core/layers/layer-sql.ts';

/** Who reads: the public sees public properties only, staff see them all. */
export type Audience = 'public' | 'staff';

/** The properties an audience may read. */
export const readableProperties = (layer: LayerDef, audience: Audience) =>
  layer.properties.filter((p) => audience === 'staff' || p.public);

/** A row as a GeoJSON Feature (json) with the properties the audience may read. */
export function featureJsonSql(layer: LayerDef, audience: Audience, alias = 't'): string {
  const pairs = readableProperties(layer, audience).map((p) => `'${p.name}', ${alias}.${ident(p.name)}`);
  // json_build_object takes at most 100 arguments; our layers stay far below 50 properties.
  if (pairs.length > 50) throw new Error(`layer ${layer.id}: too many properties for one json_build_object`);
  return `json_build_object('type', 'Feature', 'id', ${alias}.id, 'geometry', ST_AsGeoJSON(${alias}.geom, 7)::json, 'properties', json_build_object(${pairs.join(', ')}))`;
}

/** $1 = id → `feature` (json text) and `version`; `lock` takes the row for the transaction. */
export function selectFeatureSql(layer: LayerDef, audience: Audience, lock = false): string {
  return `SELECT ${featureJsonSql(layer, audience)}::text AS feature, t.version FROM ${ident(layer.id)} t WHERE t.id = $1${lock ? ' FOR UPDATE' : ''}`;
}

/** The geometry parameter: GeoJSON text, stored as a 4326 multi-polygon. */
export const GEOMETRY_PARAM = (n: number) => `ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($${n}::text), 4326))`;

/** INSERT of `columns` ($1…$n) and the geometry ($n+1) → `id`. */
export function insertFeatureSql(layer: LayerDef, columns: readonly string[]): string {
  const values = columns.map((_, i) => `$${i + 1}`);
  return `INSERT INTO ${ident(layer.id)} (${[...columns.map(ident), 'geom'].join(', ')})
          VALUES (${[...values, GEOMETRY_PARAM(columns.length + 1)].join(', ')}) RETURNING id`;
}

/**
 * UPDATE of `columns` ($3…) and, when `geometry`, the geometry (last parameter) of the row with id
 * $1 still at version $2 → its new `version`. No row comes back when another change got there
 * first: the version condition, checked again after any row lock wait, lets exactly one of two
 * concurrent writers of one version through.
 */
export function updateFeatureSql(layer: LayerDef, columns: readonly string[], geometry: boolean): string {
  const sets = columns.map((c, i) => `${ident(c)} = $${i + 3}`);
  if (geometry) sets.push(`geom = ${GEOMETRY_PARAM(columns.length + 3)}`);
  // SET id = id keeps the statement valid (and the version bumped by its trigger) when nothing else is set.
  return `UPDATE ${ident(layer.id)} SET ${sets.length ? sets.join(', ') : 'id = id'} WHERE id = $1 AND version = $2 RETURNING version`;
}
