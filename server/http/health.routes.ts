// GET /health (what runs and on which database), /ready (does the database answer), /api/config.
import Router from '@koa/router';
import type { Database } from '../../core/db/database.ts';
import type { RouteDeps } from './route-deps.ts';

export interface DatabaseInfo {
  kind: Database['kind'];
  postgres: string;
  postgis: string;
}

/** Reads the server and PostGIS versions once, for /health. */
export async function readDatabaseInfo(db: Database): Promise<DatabaseInfo> {
  const { rows } = await db.query<{ postgres: string; postgis: string }>(
    `SELECT current_setting('server_version') AS postgres, postgis_lib_version() AS postgis`,
  );
  return { kind: db.kind, postgres: rows[0]!.postgres, postgis: rows[0]!.postgis };
}

export function healthRoutes({ db, config }: RouteDeps, info: DatabaseInfo): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok', database: info };
  });
  router.get('/ready', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error('timeout')), 2000).unref());
    try {
      await Promise.race([db.query('SELECT 1'), timeout]);
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { code: 'ServiceUnavailable', description: 'la base de données ne répond pas / database unavailable' };
    }
  });
  router.get('/api/config', (ctx) => {
    ctx.body = { basemap: config.basemap, defaultLang: 'fr' };
  });
  return router;
}
