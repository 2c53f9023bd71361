// Parcel lookup SQL, built once from the parcels layer description: by cadastre id, and by point.
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { featureTextSql } from '../../core/layers/layer-sql.ts';

export interface ParcelSql {
  /** $1 = cadastre id → one row `{ body }` with the Feature, or none. */
  byId: string;
  /** $1, $2 = lon, lat → one row `{ body }` with the FeatureCollection of the parcels containing it. */
  atPoint: string;
}

export function buildParcelSql(layer: LayerDef): ParcelSql {
  // The parcel's Feature id is its cadastre id, the id every parcel API uses.
  const feature = featureTextSql(layer, { alias: 'p', id: 'to_json(p.id)::text' });
  return {
    byId: `SELECT ${feature} AS body FROM parcels p WHERE p.id = $1`,
    // A point on the line between two parcels belongs to both: both are returned, by id.
    atPoint: `SELECT '{"type":"FeatureCollection","features":[' || coalesce(string_agg(${feature}, ',' ORDER BY p.id), '') || ']}' AS body
      FROM parcels p WHERE ST_Intersects(p.geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))`,
  };
}
