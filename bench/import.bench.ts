// `npm run bench -- import`: first load of a generated 200,000-polygon Lambert-93 CP1252 shapefile
// and a 500,000-point one into empty layers — our CLI against ogr2ogr (COPY, -makevalid, GiST) and
// shp2pgsql | psql (GiST), each in the same scratch database, with our peak memory.
// Works in a database of its own (<bench db>_import, created and dropped here): the bench database
// other suites read is left alone.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { samplePeakRss } from './lib/rss.ts';
import { openDatabase } from '../core/db/database.ts';
import { migrateLatest } from '../core/db/migrate.ts';
import { createShapefileWriter } from '../tests/helpers/shapefile-writer.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const POLYGONS = 200_000;
const POINTS = 500_000;
/** Each tool loads each file this many times; the best run counts (the machine is shared). */
const RUNS = 3;

const LAMBERT93_PRJ =
  'PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],' +
  'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],' +
  'PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",49.0],' +
  'PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]';

// A cheap integer hash in [0, 1): the same files on every run.
const hash = (i: number, j: number, k: number) => ((((i * 73856093 + j * 19349663 + k * 83492791) % 1000003) + 1000003) % 1000003) / 1000003;

const COMMUNES = [['35023', 'Bédée'], ['35277', 'Saint-Gonlay'], ['35188', 'Montfort-sur-Meu'], ['35133', 'Iffendic']] as const;

/** 200,000 cadastre-like parcels: a jittered 30 m grid west of Rennes, clockwise rings, CP1252 names. */
function writeParcels(base: string): void {
  const w = createShapefileWriter({
    base, kind: 'polygon', encoding: 'windows-1252', cpg: '1252', prj: LAMBERT93_PRJ,
    fields: [
      { name: 'id', type: 'C', length: 14 }, { name: 'commune', type: 'C', length: 5 }, { name: 'prefixe', type: 'C', length: 3 },
      { name: 'section', type: 'C', length: 2 }, { name: 'numero', type: 'C', length: 4 }, { name: 'contenance', type: 'N', length: 9 },
      { name: 'nom_com', type: 'C', length: 40 },
    ],
  });
  const columns = 500;
  const vertex = (a: number, b: number) => [320000 + 30 * (a + 0.6 * (hash(a, b, 1) - 0.5)), 6780000 + 30 * (b + 0.6 * (hash(a, b, 2) - 0.5))];
  for (let n = 0; n < POLYGONS; n++) {
    const i = n % columns;
    const j = Math.floor(n / columns);
    const [code, name] = COMMUNES[Math.floor(n / 50_000)]!;
    const section = String.fromCharCode(65 + (Math.floor(n / 10_000) % 26)) + String.fromCharCode(65 + (n % 26));
    const numero = String(n % 10_000).padStart(4, '0');
    w.write([[vertex(i, j), vertex(i, j + 1), vertex(i + 1, j + 1), vertex(i + 1, j), vertex(i, j)]], {
      id: `${code}000${section}${numero}`, commune: code, prefixe: '000', section, numero, contenance: 800 + (n % 400), nom_com: name,
    });
  }
  w.close();
}

/** 500,000 fibre premises (operator building ids, statuses, French addresses) as CP1252 points. */
function writePremises(base: string): void {
  const w = createShapefileWriter({
    base, kind: 'point', encoding: 'windows-1252', cpg: '1252', prj: LAMBERT93_PRJ,
    fields: [
      { name: 'premise_id', type: 'C', length: 20 }, { name: 'status', type: 'C', length: 12 },
      { name: 'address', type: 'C', length: 60 }, { name: 'pm_ref', type: 'C', length: 16 }, { name: 'updated_on', type: 'D', length: 8 },
    ],
  });
  const statuses = ['deployed', 'in_progress', 'target', 'signed', 'connectable'];
  for (let n = 0; n < POINTS; n++) {
    const [code, name] = COMMUNES[n % 4]!;
    w.write([320000 + (n % 700) * 21.3 + 5 * hash(n, 0, 1), 6780000 + Math.floor(n / 700) * 21.1 + 5 * hash(n, 0, 2)], {
      premise_id: `IMB/${code}/X/${n.toString(36).toUpperCase().padStart(5, '0')}`, status: statuses[n % 5]!,
      address: `${1 + (n % 120)} rue de l’Église, ${name}`, pm_ref: `PM-${code}-${String(n % 50).padStart(3, '0')}`, updated_on: '20260930',
    });
  }
  w.close();
}

/** A libpq keyword string (GDAL's PG: syntax) from a postgres:// URL. */
function libpqKeywords(url: URL): string {
  const words: Record<string, string> = {
    host: decodeURIComponent(url.hostname), port: url.port, dbname: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username), password: decodeURIComponent(url.password),
  };
  return Object.entries(words).filter(([, v]) => v).map(([k, v]) => `${k}='${v.replace(/['\\]/g, '\\$&')}'`).join(' ');
}

/** Runs a command to completion; its wall time in seconds, and its peak RSS (VmHWM) when asked. */
function timed(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; shell?: boolean; sampleRss?: boolean } = {}): Promise<{ seconds: number; peakRssMb: number; output: string }> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env: options.env ?? process.env, shell: options.shell ?? false, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const stopSampling = options.sampleRss ? samplePeakRss(child.pid!) : undefined;
    child.once('error', fail);
    child.once('exit', (code) => {
      const peakRssMb = stopSampling?.() ?? 0;
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) fail(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-2000)}`));
      else ok({ seconds, peakRssMb, output });
    });
  });
}

function findShp2pgsql(): string | undefined {
  const candidates = ['shp2pgsql', ...['17', '16', '15', '14', '13'].map((v) => `/usr/lib/postgresql/${v}/bin/shp2pgsql`)];
  return candidates.find((c) => spawnSync(c, ['-?']).error === undefined);
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface Dataset {
  name: 'polygons' | 'points';
  layer: string;
  file: string;
  features: number;
}

export async function run(databaseUrl: string): Promise<Record<string, number | string | boolean>> {
  const base = new URL(databaseUrl);
  const scratchName = `${decodeURIComponent(base.pathname.slice(1))}_import`;
  const scratch = new URL(databaseUrl);
  scratch.pathname = `/${scratchName}`;
  const scratchUrl = scratch.toString();
  const hasOgr2ogr = spawnSync('ogr2ogr', ['--version']).status === 0;
  const shp2pgsql = findShp2pgsql();
  console.log(`scratch database ${scratchName}; ogr2ogr ${hasOgr2ogr ? 'found' : 'MISSING'}; shp2pgsql ${shp2pgsql ?? 'MISSING'}`);

  await withClient(databaseUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(scratchName)}`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(scratchName)}`);
  });
  const dir = mkdtempSync(join(tmpdir(), 'websig-import-bench-'));
  try {
    await withClient(scratchUrl, (c) => c.query('CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm; CREATE EXTENSION unaccent'));
    const db = await openDatabase({ url: scratchUrl, dataDir: '' });
    await migrateLatest(db);
    await db.close();

    const started = performance.now();
    writeParcels(join(dir, 'parcels'));
    writePremises(join(dir, 'premises'));
    console.log(`files written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const datasets: Dataset[] = [
      { name: 'polygons', layer: 'parcels', file: join(dir, 'parcels.shp'), features: POLYGONS },
      { name: 'points', layer: 'fibre_premises', file: join(dir, 'premises.shp'), features: POINTS },
    ];
    const ogrConnection = `PG:${libpqKeywords(scratch)}`;
    const best: Record<string, Record<string, number>> = { ours: {}, ogr2ogr: {}, shp2pgsql: {} };
    let peakRssMb = 0;

    for (let round = 1; round <= RUNS; round++) {
      for (const d of datasets) {
        await withClient(scratchUrl, (c) => c.query(`TRUNCATE ${d.layer}; TRUNCATE import_runs`));
        const ours = await timed(process.execPath, ['--import', 'tsx', 'data-import/cli.ts', d.layer, d.file, '--mode', 'replace'], {
          env: { ...process.env, DATABASE_URL: scratchUrl, LOG_LEVEL: 'silent' }, sampleRss: true,
        });
        const loaded = await withClient(scratchUrl, (c) => c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${d.layer}`));
        if (Number(loaded.rows[0]!.n) !== d.features) throw new Error(`our import loaded ${loaded.rows[0]!.n} of ${d.features} ${d.name}:\n${ours.output}`);
        peakRssMb = Math.max(peakRssMb, ours.peakRssMb);
        best.ours![d.name] = Math.min(best.ours![d.name] ?? Infinity, ours.seconds);
        console.log(`round ${round} ${d.name}: ours ${ours.seconds.toFixed(2)} s, peak RSS ${ours.peakRssMb.toFixed(0)} MB — ${ours.output.trim().split('\n').at(-1)}`);

        if (hasOgr2ogr) {
          const ogr = await timed('ogr2ogr', [
            '-f', 'PostgreSQL', ogrConnection, d.file, '-nln', `ogr_${d.name}`, '-overwrite', '-nlt', 'PROMOTE_TO_MULTI', '-makevalid',
            '-t_srs', 'EPSG:4326', '-lco', 'GEOMETRY_NAME=geom', '-lco', 'SPATIAL_INDEX=GIST', '--config', 'PG_USE_COPY', 'YES',
          ]);
          best.ogr2ogr![d.name] = Math.min(best.ogr2ogr![d.name] ?? Infinity, ogr.seconds);
          console.log(`round ${round} ${d.name}: ogr2ogr ${ogr.seconds.toFixed(2)} s`);
        }
        if (shp2pgsql) {
          await withClient(scratchUrl, (c) => c.query(`DROP TABLE IF EXISTS shp_${d.name}`));
          const shp = await timed('sh', ['-c', `"$SHP2PGSQL" -D -I -s 2154:4326 -W CP1252 -g geom "$FILE" shp_${d.name} | psql -q -v ON_ERROR_STOP=1 -d "$URL" > /dev/null`], {
            env: { ...process.env, SHP2PGSQL: shp2pgsql, FILE: d.file, URL: scratchUrl },
          });
          best.shp2pgsql![d.name] = Math.min(best.shp2pgsql![d.name] ?? Infinity, shp.seconds);
          console.log(`round ${round} ${d.name}: shp2pgsql | psql ${shp.seconds.toFixed(2)} s`);
        }
      }
    }

    const total = POLYGONS + POINTS;
    const rate = (tool: string, name?: Dataset['name']) => {
      const times = best[tool]!;
      if (name) return times[name] ? datasets.find((d) => d.name === name)!.features / times[name]! : 0;
      return times.polygons && times.points ? total / (times.polygons + times.points) : 0;
    };
    const figures: Record<string, number | string | boolean> = {
      features_per_s: Math.round(rate('ours')),
      ogr2ogr_features_per_s: Math.round(rate('ogr2ogr')),
      throughput_ratio: rate('ogr2ogr') ? Number((rate('ours') / rate('ogr2ogr')).toFixed(2)) : 0,
      shp2pgsql_features_per_s: Math.round(rate('shp2pgsql')),
      shp2pgsql_ratio: rate('shp2pgsql') ? Number((rate('ours') / rate('shp2pgsql')).toFixed(2)) : 0,
      peak_rss_mb: Math.round(peakRssMb),
      polygons_features_per_s: Math.round(rate('ours', 'polygons')),
      points_features_per_s: Math.round(rate('ours', 'points')),
      ogr2ogr_polygons_features_per_s: Math.round(rate('ogr2ogr', 'polygons')),
      ogr2ogr_points_features_per_s: Math.round(rate('ogr2ogr', 'points')),
      shp2pgsql_polygons_features_per_s: Math.round(rate('shp2pgsql', 'polygons')),
      shp2pgsql_points_features_per_s: Math.round(rate('shp2pgsql', 'points')),
      polygons: POLYGONS,
      points: POINTS,
      runs: RUNS,
      ogr2ogr_available: hasOgr2ogr,
      shp2pgsql_available: shp2pgsql !== undefined,
    };
    console.log('\nfeatures/s (best of %d)   polygons   points   both', RUNS);
    for (const tool of ['ours', 'ogr2ogr', 'shp2pgsql']) {
      console.log(`${tool.padEnd(24)} ${String(Math.round(rate(tool, 'polygons'))).padStart(9)} ${String(Math.round(rate(tool, 'points'))).padStart(8)} ${String(Math.round(rate(tool))).padStart(7)}`);
    }
    console.log(`ours ÷ ogr2ogr ${figures.throughput_ratio}, ours ÷ shp2pgsql ${figures.shp2pgsql_ratio}, our peak RSS ${figures.peak_rss_mb} MB`);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await withClient(databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(scratchName)}`)).catch((error: Error) =>
      console.error(`could not drop ${scratchName}: ${error.message}`),
    );
  }
}
