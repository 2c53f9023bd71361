// The "Zone d'activité Très Haut Débit" label SQL (plan action 1.2): which lots of a business zone
// are covered by deployed fibre, computed in PostGIS in one statement built from the descriptions.
import type { FibreStage } from '../../core/layers/layer-def.ts';
import { valuesWithRole } from '../../core/layers/code-roles.ts';
import { sqlIn } from '../../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import type { PublishedColumns } from '../eligibility/public-fields.ts';

/** Columns this SQL publishes, checked against the layer descriptions at start-up. */
export const THD_COLUMNS: PublishedColumns = {
  business_zones: ['id', 'code', 'name', 'geom'],
  zone_lots: ['id', 'zone_id', 'lot_number', 'area_m2', 'geom'],
  fibre_phases: ['status', 'data_date', 'geom'],
  fibre_premises: ['status', 'ban_id', 'geom'],
};

/** Share of a lot's area that must lie in deployed fibre zones for the lot to count as covered. */
export const LOT_COVERED_SHARE = 0.5;

/** What "covered" means, stated with every label so that the figure can be checked. */
export const THD_DEFINITION_FR =
  `Un lot est couvert lorsqu'au moins ${LOT_COVERED_SHARE * 100} % de sa surface se trouve dans une zone où la fibre est ` +
  'déployée, ou lorsqu\'un local déployé ou raccordable (données opérateur) s\'y trouve ou a son adresse sur le lot. ' +
  'Le label est atteint quand la part des lots couverts, en nombre et en surface, atteint le seuil fixé.';

/** Stages at which a premise has fibre: deployed to the building or connectable. */
const PREMISE_HAS_FIBRE: readonly FibreStage[] = ['deployed', 'connectable'];

/** The same definition in English, for the map in English. */
export const THD_DEFINITION_EN =
  `A lot is covered when at least ${LOT_COVERED_SHARE * 100} % of its area lies where fibre is deployed, ` +
  'or when a deployed or connectable premises (operator data) stands on it or has its address on it. ' +
  'The label is granted when the share of covered lots, by number and by area, reaches the set threshold.';

/**
 * $1 = business zone id → one row `{ body }`, with `zone` null when there is no such zone. A lot's
 * deployed share is geodesic and capped at 1 (overlapping zones must not count twice). Built once at
 * start-up with the status values the descriptions give those stages.
 */
export function buildThdSql(layers: LayerRegistry): string {
  const zoneDeployed = sqlIn('f.status', valuesWithRole(layers.get('fibre_phases'), 'status', ['deployed']));
  const premiseHasFibre = sqlIn('p.status', valuesWithRole(layers.get('fibre_premises'), 'status', PREMISE_HAS_FIBRE));
  return `
WITH zone AS (SELECT z.id, z.code, z.name, z.geom FROM business_zones z WHERE z.id = $1),
lots AS (
  SELECT l.id, l.lot_number, l.area_m2::float8 AS area_m2,
         least(1, coalesce((SELECT sum(ST_Area(ST_Intersection(f.geom, l.geom)::geography)) FROM fibre_phases f
                             WHERE ${zoneDeployed} AND ST_Intersects(f.geom, l.geom)), 0)
                  / nullif(ST_Area(l.geom::geography), 0)) >= ${LOT_COVERED_SHARE}
         OR EXISTS (SELECT 1 FROM fibre_premises p
                     WHERE ${premiseHasFibre} AND ST_Intersects(p.geom, l.geom))
         OR EXISTS (SELECT 1 FROM fibre_premises p JOIN addresses a ON a.id = p.ban_id
                     WHERE ${premiseHasFibre} AND ST_Intersects(a.geom, l.geom)) AS covered
    FROM zone_lots l WHERE l.zone_id = $1)
SELECT json_build_object(
  'zone', (SELECT json_build_object('id', id, 'code', code, 'name', name) FROM zone),
  'lots_total', (SELECT count(*) FROM lots),
  'lots_covered', (SELECT count(*) FROM lots WHERE covered),
  'area_m2', (SELECT round(coalesce(sum(area_m2), 0)::numeric, 1) FROM lots),
  'covered_area_m2', (SELECT round(coalesce(sum(area_m2) FILTER (WHERE covered), 0)::numeric, 1) FROM lots),
  'data_date', (SELECT max(f.data_date) FROM fibre_phases f, zone WHERE ST_Intersects(f.geom, zone.geom)),
  'lots', coalesce((SELECT json_agg(json_build_object('id', id, 'lot_number', lot_number, 'covered', covered)
                                    ORDER BY length(lot_number), lot_number) FROM lots), '[]'::json)
)::text AS body`;
}

/** The row of the THD statement. */
export interface ThdRow {
  zone: { id: number; code: string; name: string } | null;
  lots_total: number;
  lots_covered: number;
  area_m2: number;
  covered_area_m2: number;
  data_date: string | null;
  lots: { id: number; lot_number: string; covered: boolean }[];
}
