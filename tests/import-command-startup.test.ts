// What the import command and an import job load before their first query: on Node 20, pg's
// probe for a Cloudflare Worker built a fetch Response, loading Node's bundled undici (20 ms of a
// small file's whole command). Their entries answer the probe first (data-import/node-navigator.mjs).
// And what `npm run import` starts Node with: without NODE_EXTRA_CA_CERTS unless the connection
// may use TLS (Node 20 builds its root certificate store at start-up when it is set).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBuildEntry } from '../data-import/cli-build.mjs';
import { tempDir } from './helpers/import-fixtures.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
let probe: string;
beforeAll(() => {
  tmp = tempDir();
  // Says on stderr when pg has been loaded, and at exit whether undici and pg were.
  probe = join(tmp.dir, 'probe.mjs');
  writeFileSync(probe, `import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
const pgLoaded = () => Object.keys(cache).some((k) => k.includes('/node_modules/pg/'));
const watch = setInterval(() => { if (pgLoaded()) { writeSync(2, 'PG LOADED\\n'); clearInterval(watch); } }, 20);
watch.unref();
process.on('exit', () => writeSync(2, '\\nPROBE ' + JSON.stringify({ undici: process.moduleLoadList.some((m) => m.includes('undici')), pg: pgLoaded() }) + '\\n'));
`);
});
afterAll(() => tmp?.cleanup());

const probed = (stderr: string) => JSON.parse(/PROBE (.*)/.exec(stderr)![1]!) as { undici: boolean; pg: boolean };

describe('start-up of the import processes', () => {
  it('the probe sees undici when pg is loaded without the answer (the case it guards)', () => {
    const run = spawnSync(process.execPath, ['--import', probe, '-e', "require('pg')"], { cwd: root, encoding: 'utf8' });
    expect(probed(run.stderr)).toEqual({ undici: true, pg: true });
  });

  it('the import command loads pg without undici, which the entry it runs would load without the answer', () => {
    const env = { ...process.env, LOG_LEVEL: 'silent' };
    const command = spawnSync(process.execPath, ['--import', probe, 'data-import/import-command.mjs', '--help'], { cwd: root, encoding: 'utf8', env });
    expect(command.status, command.stderr).toBe(0);
    expect(probed(command.stderr).undici).toBe(false);
    // The build (pg bundled in it) when fresh, else the sources, run directly: pg is loaded, and undici with it.
    const built = freshBuildEntry();
    const entry = built ? ['--import', probe, fileURLToPath(built), '--help'] : ['--import', probe, '--import', 'tsx', 'data-import/cli.ts', '--help'];
    const bare = spawnSync(process.execPath, entry, { cwd: root, encoding: 'utf8', env });
    expect(bare.status, bare.stderr).toBe(0);
    expect(probed(bare.stderr).undici).toBe(true);
  });

  it('an import job’s process loads pg without undici', async () => {
    const child = spawn(process.execPath, ['--import', probe, 'data-import/import-job-boot.mjs'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Once pg is in, the job's modules are loaded; a disconnected job exits.
    await new Promise<void>((ok) => child.stderr!.on('data', () => stderr.includes('PG LOADED') && ok()));
    child.disconnect();
    await new Promise((ok) => child.once('exit', ok));
    expect(probed(stderr)).toEqual({ undici: false, pg: true });
  });
});

describe('the environment `npm run import` starts Node in', () => {
  // A stand-in for Node (the launcher runs npm's): prints what it was given.
  const run = (env: Record<string, string>) => {
    const fake = join(tmp.dir, 'fake-node.sh');
    writeFileSync(fake, '#!/bin/sh\necho "extra=${NODE_EXTRA_CA_CERTS-unset}"; for a in "$@"; do echo "arg=$a"; done\n');
    chmodSync(fake, 0o755);
    const { PGSSLMODE: _mode, DATABASE_URL: _url, ...inherited } = process.env;
    const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { import: string } }).scripts.import;
    // As npm runs a script: through sh, the arguments after it.
    const result = spawnSync('sh', ['-c', `${script} "$@"`, 'import', 'fibre_premises', 'a file.shp', '--mode', 'replace'], {
      cwd: root, encoding: 'utf8', env: { ...inherited, npm_node_execpath: fake, NODE_EXTRA_CA_CERTS: '/etc/extra-ca.pem', ...env },
    });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    return { extra: lines[0]!.slice('extra='.length), args: lines.slice(1).map((l) => l.slice('arg='.length)) };
  };

  it('passes the command line through unchanged, to the import command', () => {
    expect(run({}).args).toEqual([join('data-import', 'import-command.mjs'), 'fibre_premises', 'a file.shp', '--mode', 'replace']);
  });

  it('drops NODE_EXTRA_CA_CERTS for the embedded database and for PostgreSQL without TLS', () => {
    expect(run({}).extra).toBe('unset');
    expect(run({ DATABASE_URL: 'postgres://websig:secret@db.example:5432/websig' }).extra).toBe('unset');
  });

  it('keeps it whenever the connection may use TLS', () => {
    const urls = [
      'postgres://u@db/websig?sslmode=verify-full', 'postgres://u@db/websig?ssl=true', 'postgresql://u@db/websig?sslrootcert=/ca.pem&SSLMODE=require',
      // pg decodes the query's names: %73 is s.
      'postgres://u@db/websig?%73slmode=require', 'postgres://u@db/websig?ss%6C=true',
    ];
    for (const url of urls) {
      expect(run({ DATABASE_URL: url }).extra, url).toBe('/etc/extra-ca.pem');
    }
    expect(run({ DATABASE_URL: 'postgres://u@db/websig', PGSSLMODE: 'require' }).extra).toBe('/etc/extra-ca.pem');
    expect(run({ PGSSLMODE: '' }).extra).toBe('/etc/extra-ca.pem');
  });
});
