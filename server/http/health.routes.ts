// GET /health (what runs and on which database), /ready (does the database answer), /api/config.
import Router from '@koa/router';
import type { Database } from '../../core/db/database.ts';
import type { ReadRouter } from '../../core/db/read-router.ts';
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

/** While the pool is busy, a query answered this recently is proof enough that the database answers. */
const READY_RECENT_MS = 10_000;
/** Longest wait for the readiness query itself. */
const READY_QUERY_MS = 2000;

export function healthRoutes({ db, config }: RouteDeps, info: DatabaseInfo, readRouter?: ReadRouter): Router {
  // Replicas are reported, not required: reads fall back to the primary when none is fit.
  const replicas = () => (readRouter?.hasReplicas ? { replicas: readRouter.status() } : {});
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok', database: info };
  });
  // Ready when the database answers. A busy pool (the embedded database has one connection) is
  // not asked again, where the probe would queue behind the work: a query it answered within
  // READY_RECENT_MS says so, and the answer tells how long ago. Otherwise SELECT 1 must answer.
  router.get('/ready', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const { busy, lastAnswerAt } = db.liveness();
    const sinceAnswer = lastAnswerAt === undefined ? Infinity : Date.now() - lastAnswerAt;
    if (busy && sinceAnswer < READY_RECENT_MS) {
      ctx.body = { status: 'ready', database: 'busy', lastAnswerMsAgo: sinceAnswer, ...replicas() };
      return;
    }
    const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error('timeout')), READY_QUERY_MS).unref());
    try {
      await Promise.race([db.query('SELECT 1'), timeout]);
      ctx.body = { status: 'ready', database: 'answered', lastAnswerMsAgo: 0, ...replicas() };
    } catch {
      ctx.status = 503;
      ctx.body = { code: 'ServiceUnavailable', description: 'la base de données ne répond pas / database unavailable' };
    }
  });
  router.get('/api/config', (ctx) => {
    ctx.body = { basemap: config.basemap, defaultLang: 'fr', tileVersionPollS: config.tileVersionPollS };
  });
  return router;
}
