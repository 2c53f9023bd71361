// GET /api/dashboard (public summary) and /api/dashboard.csv; staff: /api/dashboard/staff and
// /api/dashboard/staff.csv, which add sales by month (dates of status changes are staff-only).
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireStaff } from '../auth/auth.middleware.ts';
import { rejectUnknownParameters } from '../http/params.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { createDashboardReader, dashboardCsv, type Dashboard } from './dashboard-figures.ts';

export function dashboardRoutes({ db, layers }: RouteDeps): Router {
  const read = createDashboardReader(db, layers);
  const router = new Router();
  const staff = requireStaff(db);
  const json = (isStaff: boolean) => async (ctx: Context) => {
    rejectUnknownParameters(ctx.query, []);
    ctx.set('Cache-Control', isStaff ? 'private, no-store' : 'public, max-age=60');
    ctx.body = await read(isStaff);
  };
  const csv = (isStaff: boolean) => async (ctx: Context) => {
    rejectUnknownParameters(ctx.query, []);
    const dashboard: Dashboard = await read(isStaff);
    ctx.set('Cache-Control', isStaff ? 'private, no-store' : 'public, max-age=60');
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment(isStaff ? 'tableau-de-bord-agents.csv' : 'tableau-de-bord-zones.csv');
    ctx.body = dashboardCsv(dashboard);
  };
  router.get('/api/dashboard', json(false));
  router.get('/api/dashboard.csv', csv(false));
  router.get('/api/dashboard/staff', staff, json(true));
  router.get('/api/dashboard/staff.csv', staff, csv(true));
  return router;
}
