// Bench servers in child processes: a suite file forked with `--serve <role>` listens on loopback
// and reports its port (and, when asked, its CPU time) to the suite, which drives the load; or the
// whole app (server/main.ts) as a process of its own.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../core/db/database.ts';
import { openBenchDatabase } from './bench-database.ts';

export interface ServerProcess { url: string; process: ChildProcess }

/** In a forked suite: runs `serve(role)` when this process was started with `--serve <role>`. */
export function serveIfForked<Role extends string>(serve: (role: Role) => Promise<void>): void {
  if (process.argv[2] !== '--serve') return;
  serve(process.argv[3] as Role).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * In a forked suite whose servers are `app` (our endpoint) and `bare` (the reference), both on the
 * bench database: serves the role this process was forked for.
 */
export function serveAppOrBare(app: (db: Database) => Promise<RequestListener>, bare: (db: Database) => RequestListener): void {
  serveIfForked<'app' | 'bare'>(async (role) => {
    const db = await openBenchDatabase(process.env.BENCH_DATABASE_URL!);
    listenInChild(role === 'app' ? await app(db) : bare(db), () => void db.close());
  });
}

/** In a forked suite: serves `handler` on a loopback port sent to the parent; `onStop` runs when the parent lets go. */
export function listenInChild(handler: RequestListener, onStop: () => void): void {
  const server = createServer({ keepAliveTimeout: 30_000 }, handler);
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  // CPU time the server has used so far: per request, it tells overhead apart from machine noise.
  process.on('message', (m) => m === 'cpu' && process.send!({ cpu: process.cpuUsage() }));
  process.once('disconnect', () => {
    server.close();
    onStop();
  });
}

/** Forks the suite at `suiteUrl` (its import.meta.url) as server `role` and waits for its port; `message` is sent to it first. */
export async function startServerProcess(suiteUrl: string, role: string, options: {
  env?: Record<string, string>; message?: unknown; serialization?: 'json' | 'advanced';
} = {}): Promise<ServerProcess> {
  const child = fork(fileURLToPath(suiteUrl), ['--serve', role], {
    execArgv: ['--import', 'tsx'], env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    ...(options.serialization ? { serialization: options.serialization } : {}),
  });
  if (options.message !== undefined) child.send(options.message as object);
  const port = await new Promise<number>((ok, fail) => {
    child.once('message', (m) => ok((m as { port: number }).port));
    child.once('exit', (code) => fail(new Error(`bench server "${role}" exited with code ${code}`)));
  });
  child.removeAllListeners('exit');
  return { url: `http://127.0.0.1:${port}`, process: child };
}

/** Microseconds of CPU (user + system) the server process has used so far. */
export async function cpuOf(server: ServerProcess): Promise<number> {
  const reply = new Promise<number>((ok) => {
    const listen = (m: unknown) => {
      const cpu = (m as { cpu?: NodeJS.CpuUsage }).cpu;
      if (!cpu) return;
      server.process.off('message', listen);
      ok(cpu.user + cpu.system);
    };
    server.process.on('message', listen);
  });
  server.process.send('cpu');
  return reply;
}

/** Lets the server process go (it closes on disconnect), killing it if it has not exited within 5 s. */
export async function stopServerProcess(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.process.exitCode !== null) return;
  const exited = new Promise((ok) => server.process.once('exit', ok));
  server.process.disconnect();
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The app as `npm start` runs it (server/main.ts, its own import jobs and all) in a process of its
 * own, listening on a free loopback port; `env` adds to (or, when undefined, removes from) ours.
 */
export async function startAppProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', BASEMAP: 'none', HOST: '127.0.0.1', PORT: '0' };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  const main = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], { env: merged, stdio: ['ignore', 'pipe', 'inherit'] });
  // main.ts prints "WebSIG prêt / ready: http://localhost:<port>/" once it listens.
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /ready: http:\/\/localhost:(\d+)\//.exec(out);
      if (m) ok(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the app exited with code ${code} before it was ready:\n${out.slice(-2000)}`)));
  });
  child.removeAllListeners('exit');
  // Keep reading what it prints (the log), so that it never blocks on a full pipe.
  child.stdout!.removeAllListeners('data').on('data', (d: Buffer) => process.stdout.write(d));
  return { url: `http://127.0.0.1:${port}`, process: child };
}

/** Stops an app started by startAppProcess (SIGTERM: it closes its jobs and database), killing it after 10 s. */
export async function stopAppProcess(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise((ok) => server.process.once('exit', ok));
  server.process.kill('SIGTERM');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
