// Parcel lookup SQL, built once from the parcels layer description: by cadastre id, and by point.
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { publicPropertiesJson } from '../../core/layers/layer-sql.ts';

export interface ParcelSql {
  /** $1 = cadastre id → one row `{ body }` with the Feature, or none. */
  byId: string;
  /** $1, $2 = lon, lat → one row `{ body }` with the FeatureCollection of the parcels containing it. */
  atPoint: string;
}

/** The parcel as a GeoJSON Feature whose id is its cadastre id, with its public properties. */
const feature = (layer: LayerDef) => `json_build_object('type', 'Feature', 'id', p.id,
  'geometry', ST_AsGeoJSON(p.geom, 7)::json, 'properties', ${publicPropertiesJson(layer, 'p')})`;

export function buildParcelSql(layer: LayerDef): ParcelSql {
  return {
    byId: `SELECT ${feature(layer)}::text AS body FROM parcels p WHERE p.id = $1`,
    // A point on the line between two parcels belongs to both: both are returned, by id.
    atPoint: `SELECT json_build_object('type', 'FeatureCollection',
        'features', coalesce(json_agg(${feature(layer)} ORDER BY p.id), '[]'::json))::text AS body
      FROM parcels p WHERE ST_Intersects(p.geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))`,
  };
}
