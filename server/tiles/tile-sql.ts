// Tile SQL built from layer descriptions: the ST_AsMVT query, the portable query that does in plain
// SQL what ST_AsMVTGeom does, and the bounds query. Built once per layer set; z/x/y always $1..$3.
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { TILE_GEOMETRY_COLUMN } from '../../core/layers/layer-def.ts';
import { ident, literal, publicRowFilter } from '../../core/layers/layer-sql.ts';
import { PROPERTY_TYPES } from '../../core/layers/property-types.ts';
import { publicProperties } from '../../core/layers/registry.ts';

/** Tile coordinate space: 4096 units a side, as every MVT client expects by default. */
export const TILE_EXTENT = 4096;
/** Units kept around the tile so that outlines and symbols do not stop at its edge. */
export const TILE_BUFFER = 64;

/**
 * The public properties a tile carries, as (name, SQL expression); the text id first where ids are
 * text. Each is a text, number or boolean (`tileValue`) that both producers encode the same way.
 */
export function tileProperties(layer: LayerDef, alias = 't'): { name: string; sql: string }[] {
  const columns = publicProperties(layer).map((p) => ({ name: p.name, sql: PROPERTY_TYPES[p.type].tileValue(`${alias}.${ident(p.name)}`) }));
  return layer.idType === 'text' ? [{ name: 'id', sql: PROPERTY_TYPES.text.tileValue(`${alias}.id`) }, ...columns] : columns;
}

/**
 * The tile's envelope `env` and the envelope `benv` grown by the buffer, both in EPSG:3857. OFFSET 0
 * keeps the planner from pulling the subquery up: the prepared statement runs on a generic plan,
 * where z/x/y are not constants, and a pulled-up envelope would be computed again for every row
 * that ST_AsMVTGeom clips instead of once per tile.
 */
const ENVELOPES = `SELECT ST_TileEnvelope($1, $2, $3) AS env,
  ST_TileEnvelope($1, $2, $3, margin => ${TILE_BUFFER / TILE_EXTENT}) AS benv OFFSET 0`;

/** Rows of a layer that touch the buffered tile, public ones only; `e` holds the envelopes. */
function candidateRows(layer: LayerDef, lateral = ''): string {
  return `FROM ${ident(layer.id)} t ${lateral}
    WHERE t.${TILE_GEOMETRY_COLUMN} && e.benv AND ${publicRowFilter(layer)}`;
}

/**
 * One query for the whole layer set with PostGIS's own encoder: one MVT layer per id; an empty bytea
 * when nothing is in the tile. Rows whose geometry ST_AsMVTGeom drops (NULL: too small, or outside
 * once clipped) need no filter: ST_AsMVT skips rows with a NULL geometry (mvt.c, mvt_agg_transfn),
 * and a `WHERE geom IS NOT NULL` on the subquery would be pushed down into it and run ST_AsMVTGeom
 * a second time on every row, the most costly step of the query.
 */
export function buildMvtTileSql(layers: readonly LayerDef[]): string {
  const parts = layers.map((layer) => {
    const props = tileProperties(layer).map((p) => `${p.sql} AS ${ident(p.name)}`);
    const columns = [`t.${ident(layer.featureIdColumn)}`, ...props,
      `ST_AsMVTGeom(t.${TILE_GEOMETRY_COLUMN}, e.env, ${TILE_EXTENT}, ${TILE_BUFFER}, true) AS geom`];
    return `coalesce((SELECT ST_AsMVT(q, ${literal(layer.id)}, ${TILE_EXTENT}, 'geom', ${literal(layer.featureIdColumn)})
      FROM (SELECT ${columns.join(', ')} ${candidateRows(layer)}) q), ''::bytea)`;
  });
  return `SELECT ${parts.join(' || ')} AS tile FROM (${ENVELOPES}) e`;
}

// Tile space: x right and y down from the tile's north-west corner, in 1/4096 of the tile; `e.s`
// is tile units per metre and `e.half` half a unit in metres.
const TILE_SPACE_PARAMS = `SELECT env, benv, ST_XMin(env) AS x0, ST_YMax(env) AS y1,
  ${TILE_EXTENT} / (ST_XMax(env) - ST_XMin(env)) AS s, (ST_XMax(env) - ST_XMin(env)) / ${2 * TILE_EXTENT} AS half
  FROM (${ENVELOPES}) b`;
const toTileSpace = (g: string) => `ST_TransScale(${g}, -e.x0, -e.y1, e.s, -e.s)`;
const TILE_BOX = `ST_MakeEnvelope(${-TILE_BUFFER}, ${-TILE_BUFFER}, ${TILE_EXTENT + TILE_BUFFER}, ${TILE_EXTENT + TILE_BUFFER}, 3857)`;

/**
 * What ST_AsMVTGeom does (PostGIS 3.3+: mvt.c), in SQL every PostGIS has (GEOS, no protobuf), per
 * geometry type, in the same order so that both round alike. Polygons whose box is under half a unit
 * both ways are dropped; the rest move to tile space, snap to the integer grid, lose collinear points
 * (simplify at 0), are made valid again and kept polygonal (before the clip: GEOS clips valid input
 * only) and clipped to the buffered tile; what is left empty or flat is dropped. Points move to
 * tile space, snap, and must lie in the buffered tile. Wagyu, which ST_AsMVTGeom clips with,
 * snap-rounds differently from GEOS: outlines agree within a unit, slivers of a unit or two may
 * exist on one side only. `expression` may be NULL; `keep` filters on its value `g.tg`.
 */
function tileGeometry(layer: LayerDef): { expression: string; keep: string } {
  const g = `t.${TILE_GEOMETRY_COLUMN}`;
  if (layer.geometryType === 'Point') {
    return { expression: `ST_SnapToGrid(${toTileSpace(g)}, 1)`, keep: `g.tg && ${TILE_BOX}` };
  }
  const snapped = `ST_Simplify(ST_SnapToGrid(${toTileSpace(g)}, 1), 0)`;
  return {
    expression: `CASE WHEN ST_XMax(${g}) - ST_XMin(${g}) >= e.half OR ST_YMax(${g}) - ST_YMin(${g}) >= e.half
      THEN ST_ClipByBox2D(ST_CollectionExtract(ST_MakeValid(${snapped}), 3), ${TILE_BOX}::box2d) END`,
    keep: 'NOT ST_IsEmpty(g.tg) AND ST_Area(g.tg) > 0',
  };
}

/**
 * One query for the whole layer set without ST_AsMVT: per layer (column l0, l1, …) a JSON array of
 * `[feature id, {public properties}, GeoJSON geometry in integer tile coordinates]`.
 */
export function buildPortableTileSql(layers: readonly LayerDef[]): string {
  const parts = layers.map((layer, i) => {
    const geometry = tileGeometry(layer);
    const props = tileProperties(layer).map((p) => `${literal(p.name)}, ${p.sql}`).join(', ');
    // OFFSET 0 keeps the geometry work from being inlined, and so done twice, in WHERE and SELECT.
    const lateral = `CROSS JOIN LATERAL (SELECT ${geometry.expression} AS tg OFFSET 0) g`;
    return `(SELECT coalesce(json_agg(json_build_array(f.id, f.props, f.geom)), '[]'::json) FROM (
      SELECT t.${ident(layer.featureIdColumn)} AS id, json_build_object(${props}) AS props, ST_AsGeoJSON(g.tg, 0, 0)::json AS geom
      ${candidateRows(layer, lateral)} AND g.tg IS NOT NULL AND ${geometry.keep}) f) AS l${i}`;
  });
  return `SELECT ${parts.join(', ')} FROM (${TILE_SPACE_PARAMS}) e`;
}

/** The extent of a layer's public rows in EPSG:4326 (NULLs when it has none). */
export function buildBoundsSql(layer: LayerDef): string {
  return `SELECT ST_XMin(b) AS west, ST_YMin(b) AS south, ST_XMax(b) AS east, ST_YMax(b) AS north
    FROM (SELECT ST_Extent(t.geom) AS b FROM ${ident(layer.id)} t WHERE ${publicRowFilter(layer)}) s`;
}
