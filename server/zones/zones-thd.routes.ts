// GET /api/zones/{id}/thd: the business zone's "Zone d'activité Très Haut Débit" label status.
import Router from '@koa/router';
import { notFound } from '../http/errors.ts';
import { parsePositiveId } from '../eligibility/eligibility-params.ts';
import { assertPublicColumns } from '../eligibility/public-fields.ts';
import { buildThdSql, THD_COLUMNS, THD_DEFINITION_EN, THD_DEFINITION_FR, type ThdRow } from './thd-sql.ts';
import type { RouteDeps } from '../http/route-deps.ts';

export interface ThdLabel extends Omit<ThdRow, 'zone'> {
  zone: NonNullable<ThdRow['zone']>;
  /** Covered lots over all lots, and covered area over all lot area (null for a zone without lots). */
  share_by_count: number | null;
  share_by_area: number | null;
  threshold: number;
  /** Both shares reach the threshold. */
  label: boolean;
  definition_fr: string;
  definition_en: string;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);

/** The label from the row: both shares must reach the threshold; a zone without lots has none. */
export function thdLabel(row: ThdRow & { zone: NonNullable<ThdRow['zone']> }, threshold: number): ThdLabel {
  const byCount = ratio(row.lots_covered, row.lots_total);
  const byArea = ratio(row.covered_area_m2, row.area_m2);
  return {
    ...row,
    share_by_count: byCount,
    share_by_area: byArea,
    threshold,
    label: byCount !== null && byArea !== null && byCount >= threshold && byArea >= threshold,
    definition_fr: THD_DEFINITION_FR,
    definition_en: THD_DEFINITION_EN,
  };
}

export function zonesThdRoutes({ db, layers, config }: RouteDeps): Router {
  assertPublicColumns(layers, 'THD label', THD_COLUMNS);
  const sql = buildThdSql(layers);
  const router = new Router();
  router.get('/api/zones/:id/thd', async (ctx) => {
    const id = parsePositiveId('zone id', ctx.params.id ?? '');
    const { rows } = await db.query<{ body: string }>(sql, [id]);
    const row = JSON.parse(rows[0]!.body) as ThdRow;
    if (!row.zone) throw notFound(`no business zone ${id}`);
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = thdLabel({ ...row, zone: row.zone }, config.thdLabelThreshold);
  });
  return router;
}
