// Bench servers on every core: the forked suite process becomes a node:cluster primary whose workers
// each serve the role on one shared port (as WEB_CONCURRENCY runs our app, server/cluster.ts). The
// primary hands the suite that port, passes on what the suite sends (tiles to serve) and answers its
// CPU questions with the sum over itself and its workers, so that per-request figures count every
// process that served.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/** The environment variable that asks a forked bench server for this many worker processes. */
const WORKERS_VAR = 'BENCH_SERVER_WORKERS';

/** The environment that starts a bench server on every core of this machine. */
export const EVERY_CORE: Record<string, string> = { [WORKERS_VAR]: String(availableParallelism()) };

/** Workers asked for this process, when it is the cluster primary that must run them; else undefined. */
export function workersToRun(): number | undefined {
  const asked = Number(process.env[WORKERS_VAR] ?? 1);
  return cluster.isPrimary && asked > 1 ? asked : undefined;
}

/** The CPU (user + system, µs) a worker reports when asked (listenInChild answers 'cpu'). */
function workerCpu(worker: Worker): Promise<number> {
  return new Promise((ok) => {
    const listen = (m: { cpu?: NodeJS.CpuUsage }) => {
      if (!m.cpu) return;
      worker.off('message', listen);
      ok(m.cpu.user + m.cpu.system);
    };
    worker.on('message', listen);
    worker.send('cpu');
  });
}

/**
 * What the suite sent this server before it listens (the tiles to serve). A worker asks its primary
 * for it: a message the primary passed on before the worker listened for it would be lost.
 */
export function suiteMessage<T>(): Promise<T> {
  return new Promise((ok) => {
    process.once('message', (m) => ok(m as T));
    if (cluster.isWorker) process.send!('payload');
  });
}

/** In the forked suite process: runs `count` workers (each forked with this process's arguments) and relays for them. */
export async function superviseWorkers(count: number): Promise<void> {
  let received: (m: unknown) => void;
  const payload = new Promise<unknown>((ok) => (received = ok));
  process.on('message', (m) => {
    if (m !== 'cpu') return void received(m);
    void Promise.all(workers.map(workerCpu)).then((parts) => {
      const own = process.cpuUsage();
      process.send!({ cpu: { user: own.user + parts.reduce((a, b) => a + b, 0), system: own.system } });
    });
  });
  cluster.setupPrimary({ serialization: 'advanced' });
  const workers = Array.from({ length: count }, () => cluster.fork());
  let listening = 0;
  for (const worker of workers) {
    worker.on('message', (m: 'payload' | { port?: number }) => {
      if (m === 'payload') void payload.then((p) => worker.send(p as object));
      else if (m.port !== undefined && ++listening === count) process.send!({ port: m.port });
    });
  }
  // The suite letting go of this process lets go of the workers, which then close (listenInChild).
  process.once('disconnect', () => {
    for (const worker of workers) worker.disconnect();
  });
}
