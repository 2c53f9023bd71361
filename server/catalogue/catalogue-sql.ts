// The public catalogue's SQL: lots on the market with their zone, a zone summary, and one lot with its
// neighbours and public attachments. Only public columns (checked at start-up); statuses from core/zae.
import { sqlIn } from '../../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import { statusesWhere } from '../../core/zae/zae-status.ts';
import type { PublishedColumns } from '../eligibility/public-fields.ts';

export const CATALOGUE_COLUMNS: PublishedColumns = {
  business_zones: ['id', 'code', 'name', 'commune', 'kind', 'geom'],
  zone_lots: ['id', 'zone_id', 'lot_number', 'status', 'area_m2', 'price_per_m2', 'activity', 'serviced', 'water', 'sewer',
    'electricity', 'fibre_ready', 'geom'],
};

/** Lots closer than this to a lot's edge are its neighbours (geodesic metres). */
export const NEIGHBOUR_DISTANCE_M = 15;

const LOT_FIELDS = `l.id, l.zone_id, z.code AS zone_code, z.name AS zone_name, z.commune, l.lot_number, l.status,
  l.area_m2::float8 AS area_m2, l.price_per_m2::float8 AS price_per_m2, l.activity, l.serviced, l.water, l.sewer,
  l.electricity, l.fibre_ready`;

export interface CatalogueStatements {
  /** $1 zone, $2 commune, $3 area min, $4 area max, $5 price max, $6 serviced → lots on the market. */
  readonly lots: string;
  readonly zones: string;
  /** $1 lot id → the lot (any status), its neighbours and public attachments. */
  readonly lot: string;
  /** Statuses of lots on the market (the catalogue lists these). */
  readonly marketStatuses: readonly string[];
}

export function buildCatalogueSql(layers: LayerRegistry): CatalogueStatements {
  const market = statusesWhere(layers.get('zone_lots')!, (m) => m.vacant);
  const onMarket = sqlIn('l.status', market);
  return {
    marketStatuses: market,
    lots: `
SELECT ${LOT_FIELDS}, ST_AsGeoJSON(l.geom, 6)::json AS geometry
  FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id
 WHERE ${onMarket}
   AND ($1::int IS NULL OR l.zone_id = $1) AND ($2::text IS NULL OR lower(z.commune) = lower($2))
   AND ($3::float8 IS NULL OR l.area_m2 >= $3) AND ($4::float8 IS NULL OR l.area_m2 <= $4)
   AND ($5::float8 IS NULL OR l.price_per_m2 <= $5) AND ($6::boolean IS NULL OR l.serviced = $6)
 ORDER BY z.name, length(l.lot_number), l.lot_number`,
    zones: `
SELECT z.id, z.code, z.name, z.commune, z.kind,
       count(l.id)::int AS lots_total, (count(l.id) FILTER (WHERE ${onMarket}))::int AS lots_on_market,
       coalesce(sum(l.area_m2) FILTER (WHERE ${onMarket}), 0)::float8 AS area_on_market_m2,
       ST_AsGeoJSON(ST_Envelope(z.geom), 6)::json AS bbox
  FROM business_zones z LEFT JOIN zone_lots l ON l.zone_id = z.id
 GROUP BY z.id ORDER BY z.name`,
    lot: `
SELECT ${LOT_FIELDS}, ST_AsGeoJSON(l.geom, 6)::json AS geometry,
       coalesce((SELECT json_agg(json_build_object('id', n.id, 'lot_number', n.lot_number, 'status', n.status,
                                                   'area_m2', n.area_m2::float8) ORDER BY length(n.lot_number), n.lot_number)
                   FROM zone_lots n
                  WHERE n.zone_id = l.zone_id AND n.id <> l.id AND n.geom && ST_Expand(l.geom, 0.001)
                    AND ST_DWithin(n.geom::geography, l.geom::geography, ${NEIGHBOUR_DISTANCE_M})), '[]'::json) AS neighbours,
       coalesce((SELECT json_agg(json_build_object('id', a.id, 'file_name', a.file_name, 'content_type', a.content_type,
                                                   'size_bytes', a.size_bytes) ORDER BY a.id)
                   FROM lot_attachments a WHERE a.lot_id = l.id AND a.public), '[]'::json) AS attachments
  FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id
 WHERE l.id = $1`,
  };
}

export interface CatalogueLotRow {
  id: number;
  zone_id: number;
  zone_code: string;
  zone_name: string;
  commune: string | null;
  lot_number: string;
  status: string;
  area_m2: number;
  price_per_m2: number | null;
  activity: string | null;
  serviced: boolean | null;
  water: boolean | null;
  sewer: boolean | null;
  electricity: boolean | null;
  fibre_ready: boolean | null;
  geometry: unknown;
}
