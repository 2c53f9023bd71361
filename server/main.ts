// Wires config → database → app → listen, and shuts down cleanly on SIGINT/SIGTERM; with
// WEB_CONCURRENCY > 1 the primary prepares the database and cluster workers serve (server/cluster.ts).
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { loadConfig, type Config } from '../core/config.ts';
import { openDatabase, type Database } from '../core/db/database.ts';
import { createReadRouter } from '../core/db/read-router.ts';
import { createLayerRegistry, type LayerRegistry } from '../core/layers/registry.ts';
import { createLogger } from './logger.ts';
import { prepareDatabase } from './startup.ts';
import { readDatabaseInfo } from './http/health.routes.ts';
import { resolveSessionSecret } from './settings.ts';
import { issueSetupToken } from './auth/first-admin.ts';
import { createApp } from './app.ts';
import { createImportJobs, type ImportJobs } from './imports/import-jobs.ts';
import { createRateLimiter } from './http/rate-limiter.ts';
import { startReporterPurge } from './incidents/incident-purge.ts';
import { createDataFileStore } from './storage/file-store.ts';
import { runWorkers, workerCount } from './cluster.ts';
import { drainServer } from './http/drain.ts';

const log = createLogger();
/** How long a SIGTERM waits for requests in flight (a load balancer has stopped sending new ones). */
const SHUTDOWN_GRACE_MS = 10_000;

/** Migrations, demo seed, interrupted imports and the first-admin token: once per start, before serving. */
async function prepareToServe(db: Database, layers: LayerRegistry, importJobs: ImportJobs, config: Config): Promise<void> {
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
}

const openConfigured = (config: Config) => openDatabase({
  url: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs,
  poolWaitMs: config.poolWaitMs, poolMaxWaiting: config.poolMaxWaiting,
});

const announceReady = (port: number, started: number) => {
  log.info({ ms: Date.now() - started }, 'ready');
  console.log(`WebSIG prêt / ready: http://localhost:${port}/`);
};

/** The primary of a cluster: prepares the database once (secret included), then runs the workers. */
async function runPrimary(config: Config, layers: LayerRegistry, workers: number, started: number): Promise<void> {
  const db = await openConfigured(config);
  const importJobs = createImportJobs({ config, db, log });
  try {
    await prepareToServe(db, layers, importJobs, config);
    // Stored now, so that every worker reads the same generated secret.
    await resolveSessionSecret(db, config.sessionSecret, log);
  } finally {
    await importJobs.close();
    await db.close();
  }
  log.info({ workers }, 'starting HTTP workers (WEB_CONCURRENCY)');
  announceReady(await runWorkers(workers, log), started);
}

/** One HTTP server process: the whole app, or a cluster worker (whose primary prepared the database). */
async function runServer(config: Config, layers: LayerRegistry, started: number): Promise<void> {
  const worker = cluster.isWorker;
  const db = await openConfigured(config);
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
    // Requests in flight are answered before the database closes under them.
    if (server) await drainServer(server, SHUTDOWN_GRACE_MS);
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
    if (!worker) await prepareToServe(db, layers, importJobs, config);
    // In every server process: the purge is one idempotent statement, so workers running it too is harmless.
    purge = startReporterPurge(db, createDataFileStore(config.dataDir), config.incidents, log);
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
    if (!worker) announceReady(typeof address === 'object' && address ? address.port : config.port, started);
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

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const layers = createLayerRegistry();
  const workers = cluster.isPrimary ? workerCount(config.webConcurrency, !config.databaseUrl, log) : 1;
  if (workers > 1) await runPrimary(config, layers, workers, started);
  else await runServer(config, layers, started);
}

main().catch((error: Error) => {
  log.fatal({ err: error }, error.message);
  process.exit(1);
});
