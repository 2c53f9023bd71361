// Starts the real app on a test database, listening on a free loopback port.
import { createServer } from 'node:http';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import { createImportJobs, type ImportJobs } from '../../server/imports/import-jobs.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import type { Database } from '../../core/db/database.ts';
import type { ReadRouter } from '../../core/db/read-router.ts';
import { readDatabaseInfo } from '../../server/http/health.routes.ts';
import { createLayerRegistry, type LayerRegistry } from '../../core/layers/registry.ts';
import { createLogger } from '../../server/logger.ts';
import { openTestDatabase } from './test-db.ts';

export interface TestServer {
  url: string;
  db: Database;
  config: Config;
  importJobs: ImportJobs;
  app: Koa;
  /** Stops the server; its import jobs' processes are killed without a word, as in a crash. */
  close(): Promise<void>;
}

/** Counts the Koa contexts the server's app makes from now on: one per request its lean paths
 *  leave to Koa (or never take). */
export function countKoaContexts(server: TestServer): () => number {
  let contexts = 0;
  const createContext = server.app.createContext.bind(server.app);
  server.app.createContext = (req, res) => {
    contexts++;
    return createContext(req, res);
  };
  return () => contexts;
}

/**
 * The app on its own test database (or on `db` when given, which the caller then closes), serving
 * every described layer (or the `layers` given), with a DATA_DIR of its own for the files it writes
 * (download files, uploads), removed on close unless `env` names one, and its import jobs recovered
 * as at a start (a restarted server must be given its predecessor's IMPORT_DIR); logging to `log` when given;
 * `leanPaths: false` turns the app's lean paths off; `readRouter` stands for READ_DATABASE_URL's.
 */
export async function startTestServer(
  options: { db?: Database; env?: NodeJS.ProcessEnv; layers?: LayerRegistry; log?: Logger; leanPaths?: boolean; readRouter?: ReadRouter } = {},
): Promise<TestServer> {
  const db = options.db ?? (await openTestDatabase());
  const dataDir = options.env?.DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'websig-app-'));
  const config = loadConfig({ BASEMAP: 'none', PORT: '0', DATA_DIR: dataDir, ...options.env });
  const log = options.log ?? createLogger();
  const importJobs = createImportJobs({ config, db, log });
  await importJobs.recover();
  const app = createApp({
    config,
    db,
    layers: options.layers ?? createLayerRegistry(),
    log,
    databaseInfo: await readDatabaseInfo(db),
    sessionSecret: 'test-secret',
    importJobs,
    ...(options.leanPaths === undefined ? {} : { leanPaths: options.leanPaths }),
    ...(options.readRouter ? { readRouter: options.readRouter } : {}),
  });
  const server = createServer(app.callback());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    config,
    importJobs,
    app,
    async close() {
      await new Promise<void>((ok) => server.close(() => ok()));
      await importJobs.close();
      if (!options.db) await db.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
