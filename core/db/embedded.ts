// Starts the embedded database: locks DATA_DIR, opens PGlite on a worker thread, returns its socket.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What pglite.worker.mjs receives and answers. */
interface PgliteWorkerData {
  dataDir: string;
  socketPath: string;
}
type PgliteWorkerMessage = { type: 'ready' } | { type: 'error'; message: string } | { type: 'closed' };

export interface EmbeddedServer {
  /** Directory holding the unix socket `.s.PGSQL.5432`, as `pg` expects for `host`. */
  socketDir: string;
  stop(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(dataDir: string) {
    super(
      `Le répertoire de données ${dataDir} est déjà utilisé par un autre processus WebSIG ` +
        `(serveur ou import en cours). Arrêtez-le, ou passez par l'API du serveur. ` +
        `/ The data directory is in use by another WebSIG process.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Opens PGlite on `dataDir` in a worker thread; refuses if another process holds the directory. */
export async function startEmbedded(dataDir: string): Promise<EmbeddedServer> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  // Two PGlite processes on one directory corrupt it, so the directory is locked for our lifetime.
  // Loaded here: a command on PostGIS (the import CLI) need not pay for it at start-up.
  const { default: lockfile } = await import('proper-lockfile');
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, { lockfilePath: join(dir, '.websig.lock'), stale: 30_000, update: 10_000 });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(dir);
    throw error;
  }
  // A short private directory: unix socket paths are limited to ~107 bytes.
  const socketDir = mkdtempSync(join(tmpdir(), 'websig-pg-'));
  // Loaded here too, for the same reason (3 ms of Node's own modules).
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(new URL('./pglite.worker.mjs', import.meta.url), {
    workerData: { dataDir: join(dir, 'pgdata'), socketPath: join(socketDir, '.s.PGSQL.5432') } satisfies PgliteWorkerData,
  });
  const cleanup = async () => {
    rmSync(socketDir, { recursive: true, force: true });
    await release().catch(() => undefined);
  };
  try {
    await new Promise<void>((ok, fail) => {
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`embedded database worker exited with code ${code}`)));
      worker.once('message', (m: PgliteWorkerMessage) =>
        m.type === 'ready' ? ok() : fail(new Error(`embedded database failed to open: ${m.type === 'error' ? m.message : m.type}`)),
      );
    });
  } catch (error) {
    await worker.terminate();
    await cleanup();
    throw error;
  }
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  return {
    socketDir,
    async stop() {
      const closed = new Promise<void>((ok) => {
        worker.on('message', (m: PgliteWorkerMessage) => m.type === 'closed' && ok());
        worker.once('exit', () => ok());
      });
      worker.postMessage({ type: 'close' });
      await closed;
      await worker.terminate();
      await cleanup();
    },
  };
}
