// The geometry rules of a lot, checked in PostGIS (websig_lot_geometry_problems, created by the
// lot-editing migration): valid, inside its zone, overlapping no sibling beyond the tolerances.
import type { Queryable } from '../../core/db/database.ts';
import { GEOMETRY_PARAM } from '../edits/feature-sql.ts';
import { ClientError } from '../http/errors.ts';
import { LOT_OUTSIDE_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_SHARE } from '../../core/lots/lot-rules.ts';

const PROBLEMS_SQL = `SELECT problem, detail, lot_id, lot_number, round(area_m2::numeric, 1)::float8 AS area_m2
  FROM websig_lot_geometry_problems(${GEOMETRY_PARAM(1)}, $2, $3::integer[], $4, $5, $6)`;

type ProblemRow = { problem: 'invalid' | 'outside_zone' | 'overlap'; detail: string | null; lot_id: number | null; lot_number: string | null; area_m2: number | null };

/**
 * Throws a 422 on `field` (with `rule`: invalid, outside_zone or overlap, and the lots overlapped)
 * when `geometry` (GeoJSON) breaks a rule as a lot of zone `zoneId`; `ignored` lots (the lot
 * itself, the lots an operation replaces) are not counted as siblings.
 */
export async function checkLotGeometry(db: Queryable, geometry: unknown, zoneId: number, ignored: readonly number[], field = 'geometry'): Promise<void> {
  const { rows } = await db.query<ProblemRow>(PROBLEMS_SQL, [
    JSON.stringify(geometry), zoneId, ignored, LOT_OUTSIDE_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_SHARE,
  ]);
  const first = rows[0];
  if (!first) return;
  if (first.problem === 'invalid') {
    throw new ClientError(422, 'UnprocessableEntity', `géométrie invalide / invalid geometry: ${first.detail}`, { field, rule: 'invalid' });
  }
  if (first.problem === 'outside_zone') {
    throw new ClientError(422, 'UnprocessableEntity',
      `le lot déborde de sa zone de ${first.area_m2} m² / the lot extends ${first.area_m2} m² outside its zone`, { field, rule: 'outside_zone', area_m2: first.area_m2 });
  }
  const overlaps = rows.filter((r) => r.problem === 'overlap').map((r) => ({ id: r.lot_id, lot_number: r.lot_number, area_m2: r.area_m2 }));
  const list = overlaps.map((o) => `${o.lot_number} (${o.area_m2} m²)`).join(', ');
  throw new ClientError(422, 'UnprocessableEntity', `le lot chevauche le(s) lot(s) ${list} / the lot overlaps lot(s) ${list}`, { field, rule: 'overlap', lots: overlaps });
}
