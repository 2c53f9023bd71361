// Wires config → database → app → listen, and shuts down cleanly on SIGINT/SIGTERM.
import { createServer } from 'node:http';
import { loadConfig } from '../core/config.ts';
import { openDatabase, type Database } from '../core/db/database.ts';
import { createReadRouter } from '../core/db/read-router.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { createLogger } from './logger.ts';
import { prepareDatabase } from './startup.ts';
import { readDatabaseInfo } from './http/health.routes.ts';
import { resolveSessionSecret } from './settings.ts';
import { issueSetupToken } from './auth/first-admin.ts';
import { createApp } from './app.ts';
import { createImportJobs } from './imports/import-jobs.ts';
import { createRateLimiter } from './http/rate-limiter.ts';
import { startReporterPurge } from './incidents/incident-purge.ts';

const log = createLogger();
/** Longest wait for requests in flight when asked to stop. */
const DRAIN_MS = 10_000;

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const layers = createLayerRegistry();
  const db = await openDatabase({
    url: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs,
    poolWaitMs: config.poolWaitMs, poolMaxWaiting: config.poolMaxWaiting,
  });
  const replicas = await Promise.all(config.readDatabaseUrls.map(async (url) => ({
    name: replicaName(url),
    db: await openDatabase({
      url, dataDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs,
      poolWaitMs: config.poolWaitMs, poolMaxWaiting: config.poolMaxWaiting,
    }) as Database,
  })));
  const readRouter = createReadRouter({ primary: db, replicas, maxLagMs: config.replicaMaxLagMs, probeIntervalMs: config.replicaProbeMs });
  const importJobs = createImportJobs({ config, db, log });
  const rateLimiter = createRateLimiter(db, { redisUrl: config.redisUrl });
  let server: ReturnType<typeof createServer> | undefined;
  let purge: { stop(): void } | undefined;
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Draining: stop accepting (a balancer sends new requests elsewhere, and retries the refused
    // ones), let the requests in flight end, then close the database under nothing.
    const listening = server;
    if (listening) {
      await new Promise<void>((done) => {
        listening.close(() => done());
        listening.closeIdleConnections();
        setTimeout(done, DRAIN_MS).unref();
      });
    }
    purge?.stop();
    // Running imports stop uncommitted; the next start records them as interrupted.
    await importJobs.close();
    await rateLimiter.close();
    await readRouter.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  try {
    log.info({ database: db.kind, dataDir: db.kind === 'embedded' ? config.dataDir : undefined }, 'database open');
    await prepareDatabase(db, layers, { seedDemo: config.seedDemo }, log);
    await importJobs.recover();
    purge = startReporterPurge(db, config.incidents, log);
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
      readRouter,
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
    await readRouter.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** host:port of a replica URL, for logs, /ready and metrics: never its password. */
function replicaName(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || 5432}`;
}

main().catch((error: Error) => {
  log.fatal({ err: error }, error.message);
  process.exit(1);
});
