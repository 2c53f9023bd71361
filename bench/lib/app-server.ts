// Our app as the benchmarks serve it: the request handler `npm start` would build.
import type { RequestListener } from 'node:http';
import { createApp } from '../../server/app.ts';
import { createImportJobs } from '../../server/imports/import-jobs.ts';
import { loadConfig } from '../../core/config.ts';
import type { Database } from '../../core/db/database.ts';
import { readDatabaseInfo } from '../../server/http/health.routes.ts';
import { createLayerRegistry } from '../../core/layers/registry.ts';
import { createLogger } from '../../server/logger.ts';

/** Our app as `npm start` builds it, on `db`; settings such as TILE_CACHE_MB come from the environment. */
export async function appHandler(db: Database): Promise<RequestListener> {
  const config = loadConfig({ ...process.env, PORT: '0', BASEMAP: 'none' });
  const log = createLogger('warn');
  const importJobs = createImportJobs({ config, db, log });
  await importJobs.recover();
  return createApp({
    config, db, layers: createLayerRegistry(), log,
    databaseInfo: await readDatabaseInfo(db), sessionSecret: 'bench', importJobs,
  }).callback();
}
