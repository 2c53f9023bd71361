// GET /api/expiries (staff): options and reservations whose end date falls in the next `days` (30 by
// default) and those already lapsed. A lapsed one is flagged, never changed: staff decide what follows.
import Router from '@koa/router';
import { sqlIn } from '../../core/layers/layer-sql.ts';
import { statusesWhere } from '../../core/zae/zae-status.ts';
import { requireStaff } from '../auth/auth.middleware.ts';
import { badRequest } from '../http/errors.ts';
import { rejectUnknownParameters, single } from '../http/params.ts';
import type { RouteDeps } from '../http/route-deps.ts';

export const DEFAULT_EXPIRY_DAYS = 30;

export interface Expiry {
  lot_id: number;
  lot_number: string;
  zone_id: number;
  zone_name: string;
  status: string;
  option_expires_on: string;
  /** Days from today to the end date (negative once lapsed). */
  days_left: number;
  lapsed: boolean;
}

export function expiriesRoutes({ db, layers }: RouteDeps): Router {
  // Held lots: on the market but not for sale to anyone else (optioned, reserved).
  const held = statusesWhere(layers.get('zone_lots')!, (m) => m.vacant && m.stadeComm !== 'en vente');
  const sql = `
    SELECT l.id AS lot_id, l.lot_number, z.id AS zone_id, z.name AS zone_name, l.status,
           to_char(l.option_expires_on, 'YYYY-MM-DD') AS option_expires_on,
           (l.option_expires_on - current_date)::int AS days_left, l.option_expires_on < current_date AS lapsed
      FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id
     WHERE ${sqlIn('l.status', held)} AND l.option_expires_on IS NOT NULL AND l.option_expires_on <= current_date + $1::int
     ORDER BY l.option_expires_on, z.name, l.lot_number`;
  const router = new Router();
  router.get('/api/expiries', requireStaff(db), async (ctx) => {
    rejectUnknownParameters(ctx.query, ['days']);
    const raw = single(ctx.query, 'days');
    if (raw !== undefined && !/^[1-9]\d{0,2}$/.test(raw)) throw badRequest(`days : entier de 1 à 999 / days must be an integer from 1 to 999, got "${raw.slice(0, 40)}"`);
    const days = raw ? Number(raw) : DEFAULT_EXPIRY_DAYS;
    const { rows } = await db.query<Expiry & Record<string, unknown>>(sql, [days]);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = { days, lapsed: rows.filter((r) => r.lapsed), upcoming: rows.filter((r) => !r.lapsed) };
  });
  return router;
}
