// The import command's JavaScript build (data-import/cli-build.mjs): it imports what the sources
// import, finding its files (mapping profiles, migrations' data, the PGlite worker) from where it
// is built; its V8 code cache is written by an import, used after, and never trusted blindly;
// and a build older than the sources is never run.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli, freshBuildEntry } from '../data-import/cli-build.mjs';
import { openDatabase, type Database } from '../core/db/database.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { ESRI_PRJ, tempDir } from './helpers/import-fixtures.ts';
import { createShapefileWriter } from './helpers/shapefile-writer.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = (name: string) => join(root, 'data-import', 'examples', name);

let tmp: ReturnType<typeof tempDir>;
let outdir: string;
let manifestText: string;
beforeAll(async () => {
  tmp = tempDir();
  // Inside the repository, as dist/ is: the build finds its packages in node_modules from there.
  mkdirSync(join(root, '.tmp'), { recursive: true });
  outdir = mkdtempSync(join(root, '.tmp', 'cli-build-'));
  await buildCli({ outdir });
  manifestText = readFileSync(join(outdir, 'build-manifest.json'), 'utf8');
});
afterAll(() => {
  tmp?.cleanup();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_URL: '', DATA_DIR: '', LOG_LEVEL: 'silent', ...env },
  });
}

/** A script running the import command as `npm run import` does, on the build in `outdir`. */
function launcher(): string {
  const path = join(tmp.dir, 'launch.mjs');
  writeFileSync(path, `import { runImportCommand } from ${JSON.stringify(pathToFileURL(join(root, 'data-import', 'cli-build.mjs')).href)};\n` +
    `await runImportCommand({ outdir: ${JSON.stringify(outdir)} });\n`);
  return path;
}

/** What an import did, without what differs between two runs of it (run id, times). */
function outcome(result: SpawnSyncReturns<string>): unknown {
  expect(result.status, result.stderr).toBe(0);
  const { id: _id, durationMs: _duration, startedAt: _started, finishedAt: _finished, ...rest } = JSON.parse(result.stdout) as Record<string, unknown>;
  return rest;
}

describe('the built import command', () => {
  let db: Database | undefined;
  let env: Record<string, string>;
  let dataDir: string | undefined;
  beforeAll(async () => {
    // PostGIS: the test database. Embedded: a brand-new data directory, migrated by the build first.
    if (inject('databaseUrl')) {
      db = await openTestDatabase();
      env = { DATABASE_URL: db.connection.connectionString! };
    } else {
      dataDir = join(tmp.dir, 'data');
      env = { DATA_DIR: dataDir };
    }
  });
  afterAll(async () => db?.close());

  /** The rows of the two layers imported, without their generated ids and times. */
  async function rows(): Promise<unknown> {
    const reader = db ?? (await openDatabase({ dataDir: dataDir! }));
    try {
      const premises = await reader.query(`SELECT premise_id, address, status, updated_on::text, ST_AsEWKT(geom) AS geom FROM fibre_premises ORDER BY premise_id`);
      const hotspots = await reader.query(`SELECT name, kind, status, ST_AsEWKT(geom) AS geom FROM wifi_hotspots ORDER BY name, ST_AsEWKT(geom)`);
      return { premises: premises.rows, hotspots: hotspots.rows };
    } finally {
      if (!db) await reader.close();
    }
  }

  it('imports a small file exactly as the sources do (embedded: into a data directory it migrates itself)', { timeout: 600_000 }, async () => {
    const base = join(tmp.dir, 'premises');
    const writer = createShapefileWriter({
      base, kind: 'point', encoding: 'windows-1252', cpg: '1252', prj: ESRI_PRJ[2154],
      fields: [{ name: 'premise_id', type: 'C', length: 16 }, { name: 'status', type: 'C', length: 12 }, { name: 'address', type: 'C', length: 40 }],
    });
    for (let i = 0; i < 200; i++) {
      writer.write([330_000 + 17.3 * (i % 20), 6_785_000 + 21.1 * Math.floor(i / 20)], { premise_id: `B-${i}`, status: i % 3 ? 'deployed' : 'target', address: `${i} rue de l’Église` });
    }
    writer.close();
    // GeoJSON too: its streaming parser is a package the build loads with require().
    const geojson = join(tmp.dir, 'hotspots.geojson');
    writeFileSync(geojson, JSON.stringify({
      type: 'FeatureCollection',
      features: [0, 1, 2].map((i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [-1.95 + i / 100, 48.13] }, properties: { name: `Borne ${i}`, kind: 'outdoor', status: 'active' } })),
    }));
    const imports = [
      ['fibre_premises', `${base}.shp`, '--mode', 'replace', '--yes', '--json'],
      ['wifi_hotspots', example('wifi-hotspots.csv'), '--mapping', 'wifi-hotspots', '--mode', 'replace', '--yes', '--json'],
      ['wifi_hotspots', geojson, '--mode', 'append', '--json'],
    ];
    // Each from empty layers (the test database holds the demo data), emptied by the same command.
    const importWith = (command: string[]) => {
      for (const layer of ['fibre_premises', 'wifi_hotspots']) {
        const emptied = run([...command, layer, '--empty', '--yes'], env);
        expect(emptied.status, emptied.stderr).toBe(0);
      }
      return imports.map((args) => outcome(run([...command, ...args], env)));
    };
    const built = importWith([join(outdir, 'cli.cjs')]);
    const builtRows = await rows();
    const source = importWith(['--import', 'tsx', 'data-import/cli.ts']);
    expect(built).toEqual(source);
    expect(built[0]).toMatchObject({ status: 'succeeded', counts: { read: 200, loaded: 200 } });
    expect(await rows()).toEqual(builtRows);
  });

  it('writes its code cache after a whole import only, then runs on it; a damaged or outdated one is replaced', { timeout: 600_000 }, () => {
    const caches = () => readdirSync(outdir).filter((f) => f.startsWith('code-cache-'));
    for (const f of caches()) rmSync(join(outdir, f));
    const command = launcher();
    const wifi = [example('wifi-hotspots.csv'), '--mapping', 'wifi-hotspots'];
    const importWifi = () => {
      const result = run([command, 'wifi_hotspots', ...wifi, '--mode', 'replace', '--yes', '--json'], env);
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded', dryRun: false });
    };
    // --help, a dry run and an import that fails all stop short of the functions a whole import runs.
    expect(run([command, '--help'], env).status).toBe(0);
    expect(run([command, 'wifi_hotspots', ...wifi, '--mode', 'replace', '--dry-run'], env).status).toBe(0);
    const bad = join(tmp.dir, 'bad-status.csv');
    writeFileSync(bad, 'nom;type;etat;adresse;commune;operateur;acces;lon;lat\nBorne;intérieur;en panne;1 rue;Bédée;x;libre;-1.946;48.178\n');
    expect(run([command, 'wifi_hotspots', bad, '--mapping', 'wifi-hotspots', '--mode', 'append'], env).status).toBe(1);
    expect(caches()).toEqual([]);

    importWifi();
    expect(caches()).toHaveLength(1);
    const cache = join(outdir, caches()[0]!);
    // Accepted: not written again (its time is left as set here).
    const past = new Date('2026-01-01T00:00:00Z');
    utimesSync(cache, past, past);
    importWifi();
    expect(statSync(cache).mtimeMs).toBe(past.getTime());
    expect(caches()).toHaveLength(1);

    // Damaged anywhere (V8 itself checks no checksum: such bytes crashed it or ran): refused, the
    // import runs all the same, and a sound cache is written in its place.
    const sound = readFileSync(cache);
    for (const at of [100, 1_000, 50_000, sound.length - 100]) {
      const damaged = Buffer.from(sound);
      for (let i = at; i < at + 16; i++) damaged[i] = damaged[i]! ^ 0xff;
      writeFileSync(cache, damaged);
      importWifi();
      expect(readFileSync(cache).equals(damaged), `damaged at ${at}`).toBe(false);
    }
    utimesSync(cache, past, past);
    importWifi();
    expect(statSync(cache).mtimeMs).toBe(past.getTime());

    // The build file touched (edited by hand, say): the old cache is never offered for it.
    const entry = join(outdir, 'cli.cjs');
    const { atime, mtime } = statSync(entry);
    try {
      utimesSync(entry, atime, new Date(mtime.getTime() + 5_000));
      importWifi();
      expect(caches()).toHaveLength(2);
    } finally {
      utimesSync(entry, atime, mtime);
    }
  });

  it('runs in strict mode, as the sources’ modules do: the build opens with the directive', () => {
    // A statement before it would make it a plain string, and every function of the build sloppy.
    expect(readFileSync(join(outdir, 'cli.cjs'), 'utf8')).toMatch(/^'use strict';\n/);
  });
});

describe('a stale build', () => {
  const manifestPath = () => join(outdir, 'build-manifest.json');
  /** Rewrites what the manifest recorded of one of the sources the build was made from. */
  function recordAs(path: string, change: (recorded: { mtimeMs: number; size: number; sha256: string } | undefined) => object | undefined) {
    const manifest = JSON.parse(manifestText) as { inputs: Record<string, { mtimeMs: number; size: number; sha256: string }> };
    const changed = change(manifest.inputs[path]);
    if (changed) manifest.inputs[path] = changed as { mtimeMs: number; size: number; sha256: string };
    else delete manifest.inputs[path];
    writeFileSync(manifestPath(), JSON.stringify(manifest));
  }
  afterAll(() => writeFileSync(manifestPath(), manifestText));

  it('is told from the sources it was made from', () => {
    writeFileSync(manifestPath(), manifestText);
    expect(freshBuildEntry({ outdir })).toBe(pathToFileURL(join(outdir, 'cli.cjs')).href);
    // A source saved since, unchanged (a checkout, an editor): its content still matches.
    recordAs('data-import/pipeline.ts', (r) => ({ ...r!, mtimeMs: r!.mtimeMs - 1000 }));
    expect(freshBuildEntry({ outdir })).toBeDefined();
    // A source edited since the build, the import command's or one it imports.
    for (const path of ['data-import/cli.ts', 'core/layers/registry.ts', 'data-import/cli-build.mjs', 'data-import/cli-code-cache.mjs']) {
      recordAs(path, (r) => ({ ...r!, mtimeMs: r!.mtimeMs - 1000, sha256: '0'.repeat(64) }));
      expect(freshBuildEntry({ outdir }), path).toBeUndefined();
      recordAs(path, (r) => ({ ...r!, size: r!.size + 1 }));
      expect(freshBuildEntry({ outdir }), path).toBeUndefined();
    }
    // A source gone, a manifest of another shape, and a build left unfinished (no manifest).
    recordAs('core/gone.ts', () => ({ mtimeMs: 0, size: 1, sha256: '0'.repeat(64) }));
    expect(freshBuildEntry({ outdir })).toBeUndefined();
    writeFileSync(manifestPath(), JSON.stringify({ built: 'by another version' }));
    expect(freshBuildEntry({ outdir })).toBeUndefined();
    rmSync(manifestPath());
    expect(freshBuildEntry({ outdir })).toBeUndefined();
  });

  it('is not run: the import command runs the sources instead', () => {
    // A build that only says it ran, so the test sees which one did.
    const builtEntry = join(outdir, 'cli.cjs');
    const entryText = readFileSync(builtEntry, 'utf8');
    const command = launcher();
    try {
      writeFileSync(builtEntry, `console.log('the build ran'); process.exit(0);\n`);
      writeFileSync(manifestPath(), manifestText);
      const fresh = run([command, '--help'], {});
      expect(fresh.stdout.trim()).toBe('the build ran');

      recordAs('data-import/mapping.ts', (r) => ({ ...r!, mtimeMs: r!.mtimeMs - 1000, sha256: '0'.repeat(64) }));
      const stale = run([command, '--help'], {});
      expect(stale.status, stale.stderr).toBe(0);
      expect(stale.stdout).not.toMatch(/the build ran/);
      expect(stale.stdout).toMatch(/^usage: npm run import -- <layer> <file>/);
    } finally {
      writeFileSync(builtEntry, entryText);
      writeFileSync(manifestPath(), manifestText);
    }
  });
});
