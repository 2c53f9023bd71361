// `npm start` as a newcomer runs it: migrate, seed, serve, print the URL, stop cleanly; and a
// second process on the same embedded data directory refuses to start instead of corrupting it.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ROOT = new URL('..', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | null>;
  output: () => string;
}

function startServer(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    // Only what the contract promises is enough: PORT, DATA_DIR, BASEMAP, NODE_ENV, DATABASE_URL.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', BASEMAP: 'none', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((ok, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready: (http:\/\/localhost:\d+\/)/.exec(output);
      if (match) ok(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before it was ready:\n${output}`)));
  });
  // A process expected to refuse to start never becomes ready: that is not an unhandled failure.
  url.catch(() => undefined);
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, url, exit, output: () => output };
}

const databaseUrl = inject('databaseUrl');

describe('npm start', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('serves /health and the map on a brand-new database, seeded with the demo data', async () => {
    const env: NodeJS.ProcessEnv = {};
    if (databaseUrl) {
      const schema = `start_${randomBytes(5).toString('hex')}`;
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
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${schema},public`);
      env.DATABASE_URL = url.toString();
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'websig-start-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env.DATA_DIR = dir;
    }
    const started = Date.now();
    const server = startServer(env);
    cleanups.push(() => void server.child.kill('SIGKILL'));
    const url = await server.url;
    const health = await fetch(url + 'health');
    console.log(`npm start → /health 200 in ${Date.now() - started} ms (${databaseUrl ? 'postgis' : 'embedded'})`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { database: { kind: string } }).database.kind).toBe(databaseUrl ? 'postgis' : 'embedded');
    const lots = (await (await fetch(url + 'ogc/collections/zone_lots/items')).json()) as { numberMatched: number };
    expect(lots.numberMatched).toBeGreaterThan(40);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/WebSIG/);
    expect(server.output()).toMatch(/SESSION_SECRET is not set/);

    if (!databaseUrl) {
      const second = startServer({ DATA_DIR: env.DATA_DIR });
      expect(await second.exit).not.toBe(0);
      expect(second.output()).toMatch(/déjà utilisé par un autre processus/);
    }

    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  }, 180_000);
});
