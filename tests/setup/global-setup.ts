// Prepares the database the suite runs on, once: real PostGIS (TEST_DATABASE_URL or a
// testcontainers PostGIS), or an embedded template directory, migrated and seeded, that each
// test file copies instead of paying for migrations and the seed again.
import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../core/db/database.ts';
import { prepareDatabase } from '../../server/startup.ts';
import { createLayerRegistry } from '../../core/layers/registry.ts';
import { createLogger } from '../../server/logger.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL URL of the PostGIS server the suite runs on; empty for the embedded database. */
    databaseUrl: string;
    /** Embedded template data directory (migrated and seeded); empty on PostGIS. */
    templateDir: string;
  }
}

async function startTestcontainer(): Promise<{ url: string; stop: () => Promise<unknown> } | undefined> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    console.warn(`USE_TESTCONTAINERS=1 but no Docker engine is reachable (${(error as Error).message}): ` +
      'skipping the testcontainers path, running on the embedded database.');
    return undefined;
  }
  const container = await new GenericContainer('postgis/postgis:15-3.3')
    .withEnvironment({ POSTGRES_PASSWORD: 'websig', POSTGRES_DB: 'websig_test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return {
    url: `postgres://postgres:websig@${container.getHost()}:${container.getMappedPort(5432)}/websig_test`,
    stop: () => container.stop(),
  };
}

/** The extensions live in `public` so that per-file schemas (see test-db.ts) all see them. */
async function ensureExtensions(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const ext of ['postgis', 'pg_trgm', 'unaccent']) {
      await client.query(`CREATE EXTENSION IF NOT EXISTS ${ext} SCHEMA public`);
    }
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.TEST_DATABASE_URL ?? '';
  let stopContainer: (() => Promise<unknown>) | undefined;
  if (!url && process.env.USE_TESTCONTAINERS === '1') {
    const container = await startTestcontainer();
    if (container) ({ url, stop: stopContainer } = container);
  }
  if (url) {
    await ensureExtensions(url);
    project.provide('databaseUrl', url);
    project.provide('templateDir', '');
    console.log(`tests run on PostGIS (${url.replace(/:[^:@/]*@/, ':***@')})`);
    return async () => void (await stopContainer?.());
  }
  const templateDir = mkdtempSync(join(tmpdir(), 'websig-template-'));
  const started = Date.now();
  const db = await openDatabase({ dataDir: templateDir });
  try {
    await prepareDatabase(db, createLayerRegistry(), { seedDemo: true }, createLogger('warn'));
  } finally {
    await db.close();
  }
  console.log(`tests run on the embedded database (template ready in ${Date.now() - started} ms)`);
  project.provide('databaseUrl', '');
  project.provide('templateDir', templateDir);
  return async () => rmSync(templateDir, { recursive: true, force: true });
}
