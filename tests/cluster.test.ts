// WEB_CONCURRENCY: `npm start` with two HTTP workers on PostGIS (one port, either worker answers, a
// dead worker replaced, all stopped by SIGTERM), and one process on the embedded database whatever
// is asked.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { describeUnless, missingPostgis } from './helpers/skip.ts';
import { workerCount } from '../server/cluster.ts';
import type { Logger } from 'pino';

const ROOT = new URL('..', import.meta.url).pathname;
const databaseUrl = inject('databaseUrl');

interface Started { child: ChildProcess; url: Promise<string>; exit: Promise<number | null> }

function startServer(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BASEMAP: 'none', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((ok, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready: http:\/\/localhost:(\d+)\//.exec(output);
      if (match) ok(`http://127.0.0.1:${match[1]}/`);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before it was ready:\n${output}`)));
  });
  url.catch(() => undefined);
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, url, exit };
}

/** The status of GET /health on a connection of its own (no keep-alive: any worker may take it). */
function healthStatus(url: string): Promise<number> {
  return new Promise((ok, fail) => {
    get(`${url}health`, { agent: false }, (res) => {
      res.resume();
      ok(res.statusCode!);
    }).on('error', fail);
  });
}

/** The Node processes whose parent is `pid` (tsx's esbuild service is a child too, and is left out). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid=,comm='], { encoding: 'utf8' }).split('\n')
      .map((l) => l.trim().split(/\s+/)).filter(([id, comm]) => id && comm === 'node').map(([id]) => Number(id));
  } catch {
    return []; // ps exits 1 when there is none
  }
}

async function until<T>(what: string, read: () => T, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// PostGIS only: the embedded database belongs to one process, so several workers cannot share it
// (there the server runs one process whatever is asked, tested below).
describeUnless(missingPostgis(databaseUrl), 'WEB_CONCURRENCY on PostGIS', () => {
  // Generous: a start migrates a fresh schema, and the machine running the suite may be busy.
  it('serves one port from two workers: either answers, a dead one is replaced, SIGTERM stops them all', { timeout: 240_000 }, async () => {
    const schema = `cluster_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    });
    const db = new URL(databaseUrl!);
    db.searchParams.set('options', `-c search_path=${schema},public`);
    const server = startServer({ DATABASE_URL: db.toString(), WEB_CONCURRENCY: '2' });
    cleanups.push(() => void server.child.kill('SIGKILL'));
    const url = await server.url;
    const primary = server.child.pid!;
    const workers = childrenOf(primary);
    expect(workers).toHaveLength(2);
    for (let i = 0; i < 6; i++) expect(await healthStatus(url)).toBe(200);

    // With one worker gone, the other answers every request while the primary starts a replacement.
    process.kill(workers[0]!, 'SIGKILL');
    await until('the killed worker to go', () => childrenOf(primary), (pids) => !pids.includes(workers[0]!));
    for (let i = 0; i < 6; i++) expect(await healthStatus(url)).toBe(200);
    const replaced = await until('a replacement worker', () => childrenOf(primary), (pids) => pids.length === 2);
    expect(replaced).toContain(workers[1]!);
    for (let i = 0; i < 6; i++) expect(await healthStatus(url)).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    for (const pid of replaced) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('WEB_CONCURRENCY on the embedded database', () => {
  // Checked on the decision rather than on a started server: a fresh embedded database takes minutes
  // to migrate on a busy machine, and npm-start.test.ts already starts one for real.
  it('runs one process whatever is asked, and says why', () => {
    const warnings: unknown[] = [];
    const log = { warn: (...args: unknown[]) => void warnings.push(args) } as unknown as Logger;
    expect(workerCount(4, true, log)).toBe(1);
    expect(JSON.stringify(warnings)).toContain('embedded database serves one process');
    expect(workerCount(4, false, log)).toBe(4);
    expect(warnings).toHaveLength(1);
  });
});
