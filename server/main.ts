// Wires config → database → app → listen, and shuts down cleanly on SIGINT/SIGTERM.
import { createServer } from 'node:http';
import { loadConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { createLogger } from './logger.ts';
import { prepareDatabase } from './startup.ts';
import { readDatabaseInfo } from './http/health.routes.ts';
import { resolveSessionSecret } from './settings.ts';
import { issueSetupToken } from './auth/first-admin.ts';
import { createApp } from './app.ts';
import { createImportJobs } from './imports/import-jobs.ts';
import { createRateLimiter } from './http/rate-limiter.ts';
import { drainServer } from './http/drain.ts';

const log = createLogger();
/** How long a SIGTERM waits for requests in flight (a load balancer has stopped sending new ones). */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const layers = createLayerRegistry();
  const db = await openDatabase({
    url: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs,
    poolWaitMs: config.poolWaitMs, poolMaxWaiting: config.poolMaxWaiting,
  });
  const importJobs = createImportJobs({ config, db, log });
  const rateLimiter = createRateLimiter(db, { redisUrl: config.redisUrl });
  let server: ReturnType<typeof createServer> | undefined;
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Requests in flight are answered before the database closes under them.
    if (server) await drainServer(server, SHUTDOWN_GRACE_MS);
    // Running imports stop uncommitted; the next start records them as interrupted.
    await importJobs.close();
    await rateLimiter.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  try {
    log.info({ database: db.kind, dataDir: db.kind === 'embedded' ? config.dataDir : undefined }, 'database open');
    await prepareDatabase(db, layers, { seedDemo: config.seedDemo }, log);
    await importJobs.recover();
    const setupToken = await issueSetupToken(db);
    if (setupToken) {
      log.warn('no admin account yet: create the first one with POST /api/setup and the token printed on the console');
      console.log(`Aucun administrateur / no admin yet. Jeton de configuration à usage unique / one-time setup token: ${setupToken}\n` +
        `  curl -X POST http://localhost:${config.port}/api/setup -H 'content-type: application/json' ` +
        `-d '{"token":"${setupToken}","email":"admin@example.org","password":"…"}'`);
    }
    const app = createApp({
      config,
      db,
      layers,
      log,
      databaseInfo: await readDatabaseInfo(db),
      sessionSecret: await resolveSessionSecret(db, config.sessionSecret, log),
      importJobs,
      rateLimiter,
    });
    server = createServer(app.callback());
    await new Promise<void>((ok, fail) => server!.once('error', fail).listen(config.port, config.host, ok));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info({ ms: Date.now() - started }, 'ready');
    console.log(`WebSIG prêt / ready: http://localhost:${port}/`);
  } catch (error) {
    await importJobs.close();
    await rateLimiter.close();
    await db.close().catch(() => undefined);
    throw error;
  }
}

main().catch((error: Error) => {
  log.fatal({ err: error }, error.message);
  process.exit(1);
});
