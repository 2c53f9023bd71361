// `npm run import` as a user runs it: usage errors, the refusal of a data directory a server holds,
// the one-line summary and exit statuses, and (on PostGIS) a killed import leaving the layer as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../core/db/database.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { describeUnless, missingPostgis } from './helpers/skip.ts';
import { ESRI_PRJ, project, tableChecksum, tempDir } from './helpers/import-fixtures.ts';
import { createShapefileWriter } from './helpers/shapefile-writer.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = (name: string) => join(root, 'data-import', 'examples', name);
// As `npm run import` runs it (package.json): the build when fresh, else the sources.
const cliArgs = (args: string[]) => [join(root, 'data-import', 'import-command.mjs'), ...args];

/** Runs the CLI to completion with the given database settings. */
function runCli(args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, cliArgs(args), {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_URL: '', DATA_DIR: '', LOG_LEVEL: 'silent', ...env },
  });
}

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp?.cleanup());

describe('npm run import', () => {
  it('explains its usage and exits 2 on a bad command line, before opening any database', () => {
    const missing = runCli([], {});
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/usage: npm run import -- <layer> <file>/);
    const noMode = runCli(['wifi_hotspots', example('wifi-hotspots.csv')], {});
    expect(noMode.status).toBe(2);
    expect(noMode.stderr).toMatch(/--mode is required: replace, append or upsert/);
    const badLayer = runCli(['nowhere', example('wifi-hotspots.csv'), '--mode', 'append'], {});
    expect(badLayer.status).toBe(2);
    expect(badLayer.stderr).toMatch(/"nowhere" is not a layer you can import into/);
    const badMode = runCli(['wifi_hotspots', example('wifi-hotspots.csv'), '--mode', 'merge'], {});
    expect(badMode.status).toBe(2);
    const unconfirmedEmpty = runCli(['wifi_hotspots', '--empty'], {});
    expect(unconfirmedEmpty.status).toBe(2);
    expect(unconfirmedEmpty.stderr).toMatch(/--empty deletes every feature of wifi_hotspots: add --yes to confirm/);
  });

  // A brand-new embedded data directory is made first (initdb + extensions): under a loaded machine
  // that alone has taken most of vitest's default 60 s.
  it('refuses, in French and with a non-zero status, a data directory a running server holds', { timeout: 150_000 }, async () => {
    const dataDir = join(tmp.dir, 'held');
    const server: Database = await openDatabase({ dataDir });
    try {
      const result = runCli(['wifi_hotspots', example('wifi-hotspots.csv'), '--mapping', 'wifi-hotspots', '--mode', 'replace'], { DATA_DIR: dataDir });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/déjà utilisé par un autre processus WebSIG/);
    } finally {
      await server.close();
    }
  });

  describe('on a database of its own', () => {
    let db: Database | undefined;
    let env: Record<string, string>;
    beforeAll(async () => {
      // PostGIS: the test database. Embedded: a brand-new data directory the CLI migrates itself.
      if (inject('databaseUrl')) {
        db = await openTestDatabase();
        env = { DATABASE_URL: db.connection.connectionString! };
      } else {
        env = { DATA_DIR: join(tmp.dir, 'fresh') };
      }
    });
    afterAll(async () => db?.close());

    it('imports, ending with a one-line summary on stdout and exit status 0', () => {
      const result = runCli(['wifi_hotspots', example('wifi-hotspots.csv'), '--mapping', 'wifi-hotspots', '--mode', 'replace', '--yes'], env);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toMatch(/^imported wifi_hotspots ← wifi-hotspots\.csv: 3 read, 3 loaded, 0 repaired, 0 rejected; \+3 −\d+ \[[\d.]+ s, run #\d+\]/);
    // On the embedded database this first run migrates and seeds a brand-new data directory: up to the
    // CLI's own 120 s bound on a loaded machine, beyond the suite's 60 s default.
    }, 150_000);

    it('exits 1 with FAILED and the reason when the import fails', () => {
      const result = runCli(['wifi_hotspots', example('ban-adresses.csv'), '--mode', 'replace'], env);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/^FAILED wifi_hotspots ← ban-adresses\.csv: .* — no source field for the required property name/);
    });

    it('empties a layer on purpose with --empty --yes, and says how many features went', () => {
      const result = runCli(['wifi_hotspots', '--empty', '--yes', '--reason', 'test'], env);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^emptied wifi_hotspots: \d+ features deleted \(recorded in the audit log\)/);
    });

    it('prints the whole summary as JSON with --json, dry runs included', () => {
      const result = runCli(['wifi_hotspots', example('wifi-hotspots.csv'), '--mapping', 'wifi-hotspots', '--mode', 'replace', '--dry-run', '--json'], env);
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded', dryRun: true, diff: { added: 3 } });
    });
  });
});

// The embedded database lives inside the process that opened it: only against PostGIS can a test
// kill an importing process while another one watches the database.
describeUnless(missingPostgis(inject('databaseUrl')), 'a killed import', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it('leaves the layer exactly as it was (same rows, same checksum)', async () => {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const base = join(tmp.dir, 'big');
    const writer = createShapefileWriter({
      base, kind: 'point', encoding: 'windows-1252', cpg: '1252', prj: ESRI_PRJ[2154],
      fields: [{ name: 'premise_id', type: 'C', length: 16 }, { name: 'status', type: 'C', length: 12 }],
    });
    for (let i = 0; i < 400_000; i++) writer.write([x + (i % 1000), y + Math.floor(i / 1000)], { premise_id: `K-${i}`, status: 'deployed' });
    writer.close();
    const before = await tableChecksum(db, 'fibre_premises');
    const child = spawn(process.execPath, cliArgs(['fibre_premises', `${base}.shp`, '--mode', 'replace', '--yes']), {
      cwd: root, env: { ...process.env, DATABASE_URL: db.connection.connectionString!, DATA_DIR: '', LOG_LEVEL: 'silent' }, stdio: 'ignore',
    });
    const exited = new Promise<number | null>((ok) => child.once('exit', (code, signal) => ok(signal ? -1 : code)));
    // Kill it while its rows stream into the staging table.
    let copying = false;
    for (let i = 0; i < 600 && !copying; i++) {
      const { rows } = await db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'websig-import' AND query LIKE 'COPY %' AND state = 'active'`);
      copying = rows.length > 0;
      if (!copying) await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(copying).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe(-1);
    // The server notices the closed connection and rolls the transaction back.
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'websig-import'`);
      if (rows.length === 0) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(await tableChecksum(db, 'fibre_premises')).toEqual(before);
  });
});
