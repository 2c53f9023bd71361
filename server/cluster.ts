// WEB_CONCURRENCY worker processes (node:cluster) sharing one port: the primary prepares the database
// once, then forks the workers, restarts one that dies (backing off while they keep dying), and stops
// them all on SIGINT/SIGTERM.
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createRestartBackoff } from './restart-backoff.ts';

/** Worker processes to run: WEB_CONCURRENCY, or 1 on the embedded database (one PGlite, one process may own it). */
export function workerCount(asked: number, embedded: boolean, log: Logger): number {
  if (asked > 1 && embedded) {
    log.warn({ WEB_CONCURRENCY: asked }, 'WEB_CONCURRENCY ignored: the embedded database serves one process; set DATABASE_URL to run several');
    return 1;
  }
  return asked;
}

/** In the primary: forks `count` workers and resolves with the port they listen on once all do. */
export async function runWorkers(count: number, log: Logger): Promise<number> {
  let stopping = false;
  const backoff = createRestartBackoff();
  const pendingForks = new Set<NodeJS.Timeout>();
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const timer of pendingForks) clearTimeout(timer);
    log.info({ signal }, 'stopping the workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    if (workers.length === 0) process.exit(0);
    let left = workers.length;
    for (const worker of workers) {
      worker.once('exit', () => --left === 0 && process.exit(0));
      worker.process.kill(signal);
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A worker that dies is replaced, so that the others do not carry its share for good; later and
  // later while workers keep dying (see restart-backoff.ts).
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const delayMs = backoff.delayAfterDeath(Date.now());
    log.error({ worker: worker.process.pid, code, signal, restartInMs: delayMs }, 'worker died; starting another');
    const timer = setTimeout(() => {
      pendingForks.delete(timer);
      if (!stopping) cluster.fork();
    }, delayMs);
    pendingForks.add(timer);
  });
  const listening = new Promise<number>((ok) => {
    let ready = 0;
    const onListening = (_worker: Worker, address: AddressInfo) => {
      if (++ready < count) return;
      cluster.off('listening', onListening);
      ok(address.port);
    };
    cluster.on('listening', onListening);
  });
  for (let i = 0; i < count; i++) cluster.fork();
  return listening;
}
