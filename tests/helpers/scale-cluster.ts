// Several machines' worth on loopback, for the scale test and benchmark: a PostgreSQL primary made
// by initdb in a temporary directory, a streaming replica made from it by pg_basebackup -R, app
// instances as real processes (primary + replica), and HAProxy started from deploy/haproxy.cfg with
// this run's ports. Never touches the shared cluster.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '../../core/db/database.ts';
import { createLayerRegistry } from '../../core/layers/registry.ts';
import { createLogger } from '../../server/logger.ts';
import { prepareDatabase } from '../../server/startup.ts';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const HAPROXY = '/usr/sbin/haproxy';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The same secret on every instance: a session made on one is valid on all. */
const SESSION_SECRET = 'scale-test-shared-secret';

/** Why the cluster cannot run here, or undefined when it can. */
export function missingScaleTools(): string | undefined {
  if (!existsSync(`${PG_BIN}/initdb`)) return `PostgreSQL 15 server binaries not found in ${PG_BIN} (apt-get install postgresql-15)`;
  if (!existsSync(`${PG_BIN}/pg_basebackup`)) return 'pg_basebackup not found';
  if (!existsSync(HAPROXY)) return 'haproxy not found (apt-get install haproxy)';
  if (userInfo().uid === 0 && !existsSync('/usr/sbin/runuser')) return 'running as root without runuser: initdb refuses root';
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** PostgreSQL's binaries refuse root: run them as the postgres user then. */
const asPostgres = (bin: string, args: string[]) =>
  userInfo().uid === 0 ? run('/usr/sbin/runuser', ['-u', 'postgres', '--', `${PG_BIN}/${bin}`, ...args]) : run(`${PG_BIN}/${bin}`, args);

export interface AppInstance {
  readonly port: number;
  readonly url: string;
  /** Kills the process with SIGKILL (a crash: no drain). */
  kill(): void;
  /** Starts it again on the same port; resolves once /ready answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ScaleCluster {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  readonly instances: AppInstance[];
  /** HAProxy's frontend. */
  readonly url: string;
  /** HAProxy's stats page (CSV at `;csv`). */
  readonly statsUrl: string;
  /** Each backend server's HAProxy status (UP, DOWN…) and sessions served so far. */
  serverStates(): Promise<Map<string, { status: string; sessions: number }>>;
  close(): Promise<void>;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

const answers = async (url: string) => (await fetch(url)).ok;

export interface ScaleClusterOptions {
  instances: number;
  /** Bound on replica lag before reads leave it (REPLICA_MAX_LAG_MS). */
  replicaMaxLagMs?: number;
}

/** Starts everything; on failure, stops what was started. */
export async function startScaleCluster(options: ScaleClusterOptions): Promise<ScaleCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'websig-scale-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    if (userInfo().uid === 0) chownSync(dir, ...(await postgresIds()));
    const [pgPort, replicaPort] = [await freePort(), await freePort()];
    const primaryDir = join(dir, 'primary');
    const replicaDir = join(dir, 'replica');
    await asPostgres('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    // initdb's pg_hba.conf already trusts replication connections from 127.0.0.1. fsync off: a test
    // cluster's durability is not what is measured, and the machine is shared.
    appendFileSync(join(primaryDir, 'postgresql.conf'), [
      `port = ${pgPort}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${dir}'`,
      'wal_level = replica', 'max_wal_senders = 4', 'fsync = off', 'shared_buffers = 32MB', 'max_connections = 60', '',
    ].join('\n'));
    await asPostgres('pg_ctl', ['-D', primaryDir, '-l', join(dir, 'primary.log'), '-w', 'start']);
    cleanups.push(() => asPostgres('pg_ctl', ['-D', primaryDir, '-m', 'immediate', 'stop']).then(() => undefined));
    await asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', 'websig']);
    const primaryUrl = `postgres://postgres@127.0.0.1:${pgPort}/websig`;
    const setup = await openDatabase({ url: primaryUrl, dataDir: dir, poolSize: 2 });
    try {
      await prepareDatabase(setup, createLayerRegistry(), { seedDemo: true }, createLogger('warn'));
    } finally {
      await setup.close();
    }
    // A fast checkpoint: the default spread one makes pg_basebackup wait minutes on an idle cluster.
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--no-sync', '--checkpoint=fast']);
    appendFileSync(join(replicaDir, 'postgresql.conf'), `port = ${replicaPort}\nhot_standby = on\n`);
    await asPostgres('pg_ctl', ['-D', replicaDir, '-l', join(dir, 'replica.log'), '-w', 'start']);
    cleanups.push(() => asPostgres('pg_ctl', ['-D', replicaDir, '-m', 'immediate', 'stop']).then(() => undefined));
    const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/websig`;

    const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
    const instances = ports.map((port, i) => appInstance(port, dir, i, {
      DATABASE_URL: primaryUrl,
      READ_DATABASE_URL: replicaUrl,
      REPLICA_MAX_LAG_MS: String(options.replicaMaxLagMs ?? 1000),
    }));
    cleanups.push(async () => { await Promise.all(instances.map((i) => i.stop())); });
    await Promise.all(instances.map((i) => i.restart()));

    const [frontPort, statsPort] = [await freePort(), await freePort()];
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(frontPort, statsPort, dir, instances.map((i) => i.port)));
    const haproxy = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', openSync(join(dir, 'haproxy.log'), 'a'), 'pipe'] });
    let haproxyErr = '';
    haproxy.stderr!.on('data', (c: Buffer) => { haproxyErr += c.toString(); });
    cleanups.push(() => stopProcess(haproxy));
    const statsUrl = `http://127.0.0.1:${statsPort}/stats`;
    const serverStates = async () => {
      const csv = await (await fetch(`${statsUrl};csv`)).text();
      const [header, ...lines] = csv.trim().split('\n');
      const cols = header!.replace(/^# /, '').split(',');
      const states = new Map<string, { status: string; sessions: number }>();
      for (const line of lines) {
        const row = Object.fromEntries(line.split(',').map((v, i) => [cols[i], v]));
        if (row.pxname === 'websig' && row.svname !== 'BACKEND') states.set(row.svname!, { status: row.status!, sessions: Number(row.stot) });
      }
      return states;
    };
    await waitFor('HAProxy to see every instance up', async () => {
      if (haproxy.exitCode !== null) throw new Error(`haproxy exited: ${haproxyErr}`);
      return [...(await serverStates()).values()].filter((s) => s.status === 'UP').length === instances.length;
    }, 30_000);
    return { primaryUrl, replicaUrl, instances, url: `http://127.0.0.1:${frontPort}`, statsUrl, serverStates, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(gid.trim())];
}

/**
 * deploy/haproxy.cfg with this run's addresses: the frontend and stats bound on loopback ports, the
 * stats socket in the run's directory, and one server line per instance. Everything else (checks,
 * retries, redispatch) is the deployed file's.
 */
export function haproxyConfig(frontPort: number, statsPort: number, dir: string, ports: readonly number[]): string {
  const template = readFileSync(join(ROOT, 'deploy/haproxy.cfg'), 'utf8');
  const servers = ports.map((p, i) => `    server app${i + 1} 127.0.0.1:${p}`).join('\n');
  return template
    .replace(/^ {4}log stdout.*$/m, '')
    .replace(/^ {4}bind :80$/m, `    bind 127.0.0.1:${frontPort}`)
    .replace(/^ {4}bind :8404$/m, `    bind 127.0.0.1:${statsPort}`)
    .replace(/^ {4}stats socket \S+/m, `    stats socket ${join(dir, 'haproxy.sock')}`)
    .replace(/(^ {4}server app\d+ .*\n?)+/m, `${servers}\n`);
}

function appInstance(port: number, dir: string, index: number, env: Record<string, string>): AppInstance {
  let child: ChildProcess | undefined;
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(join(dir, `app${index + 1}.log`), 'a');
  return {
    port,
    url,
    kill() {
      child?.kill('SIGKILL');
      child = undefined;
    },
    async restart() {
      const started = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: ROOT,
        stdio: ['ignore', log, log],
        env: {
          PATH: process.env.PATH, HOME: process.env.HOME, ...env,
          PORT: String(port), HOST: '127.0.0.1', BASEMAP: 'none', SEED_DEMO: '0', SESSION_SECRET,
          DATA_DIR: join(dir, `data${index + 1}`), NODE_ENV: 'production', TILE_FRESHNESS_MS: '100',
          // Behind HAProxy as docker-compose.scale.yml runs it: the client is X-Forwarded-For's address.
          TRUST_PROXY: '1',
        },
      });
      child = started;
      await waitFor(`instance ${index + 1} on port ${port}`, async () => {
        if (started.exitCode !== null) throw new Error(`instance ${index + 1} exited with ${started.exitCode}; see ${dir}/app${index + 1}.log`);
        return answers(`${url}/ready`);
      }, 90_000);
    },
    async stop() {
      if (child) await stopProcess(child);
      child = undefined;
    },
  };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      ok();
    });
    child.kill('SIGTERM');
  });
}
