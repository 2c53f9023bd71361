// Runs the embedded PGlite (PostgreSQL + PostGIS in WASM) on its own thread and serves it over
// the PostgreSQL wire protocol on a unix socket, so the app reaches it with `pg` like a real server
// and a slow query never blocks the HTTP event loop. Plain JavaScript: worker threads do not
// inherit the TypeScript loader in every runner (tsx, vitest). Messages: see embedded.ts.
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { parentPort, workerData } from 'node:worker_threads';

const { dataDir, socketPath } = workerData;

try {
  const db = await PGlite.create({ dataDir, extensions: { postgis, pg_trgm, unaccent } });
  // PGlite is a single session: the app opens one connection at a time (pool of one, knex
  // migrations only while that pool is closed) so transactions never interleave. The server still
  // accepts a few, because it frees a closed connection's slot asynchronously and a reconnect
  // arriving first would be refused.
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 4 });
  await server.start();
  parentPort.on('message', async (message) => {
    if (message.type !== 'close') return;
    await server.stop();
    await db.close();
    parentPort.postMessage({ type: 'closed' });
  });
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
