// `npm run bench -- region`: a Brittany-sized deployment (issue 17) — 2,000,000 parcels, 2,500,000
// addresses, 1,300,000 fibre premises, generated deterministically as delivery files
// (bench/data/region-files.ts) and imported by our CLI (data-import/cli.ts), as an operator would —
// then: cold z16 parcel tiles against the canonical ST_AsMVT query (bench/lib/canonical-tiles.ts),
// geocode, eligibility and OGC API items p95 on the eligibility and features suites' request lists,
// the server's peak memory while a client downloads every address, and the database's size (without
// the canonical reference's own table).
// REGION_SCALE (default 1) scales the three counts (0.1: a tenth). Works in a database of its own,
// <bench db>_region, kept afterwards: a later run with the same spec skips generation and import.
// REGION_PARTS (default all) measures only the parts named, e.g. `geocode,eligibility`: a change to
// one endpoint is measured again without the half hour of the others.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { regionCommunes, regionSpec, writeRegionFiles, type RegionSpec } from './data/region-files.ts';
import { appHandler } from './lib/app-server.ts';
import { openBenchDatabase, recreateDatabase, withClient } from './lib/bench-database.ts';
import { CANONICAL_TABLE, ensureCanonicalTable, serveCanonical } from './lib/canonical-tiles.ts';
import { measureDownload } from './lib/download-memory.ts';
import { requestLists } from './lib/eligibility-requests.ts';
import { CONNECTIONS, DURATION_S, measure, measurePair, ROUNDS, WARMUP_S, type Summary } from './lib/load.ts';
import { bboxPaths } from './lib/ogc-requests.ts';
import { samplePeakRss } from './lib/rss.ts';
import { listenInChild, serveIfForked, startServerProcess, stopServerProcess, type ServerProcess } from './lib/server-process.ts';
import { round } from './lib/stats.ts';
import { pathOf, tileAt } from './lib/tiles.ts';
import { decodeTile } from '../tests/helpers/tile-golden.ts';
import { openDatabase, type Database } from '../core/db/database.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Targets of the issue, the same as at Montfort's size. */
const TARGETS = { coldRatio: 1.2, p95Ms: 50 };
/** z16 parcel tiles in the cold list, spread over the whole territory. */
const TILES = 60;
/** The layers the region fills, in import order. */
const LAYERS = ['parcels', 'addresses', 'fibre_phases', 'fibre_premises'] as const;

/** What the suite measures, each part on its own; REGION_PARTS picks some. */
const PARTS = ['tiles', 'geocode', 'eligibility', 'ogc', 'download', 'size'] as const;
type Part = (typeof PARTS)[number];

function regionParts(): Set<Part> {
  const raw = process.env.REGION_PARTS;
  if (raw === undefined || raw.trim() === '') return new Set(PARTS);
  const asked = raw.split(',').map((p) => p.trim());
  const unknown = asked.filter((p) => !PARTS.includes(p as Part));
  if (unknown.length) throw new Error(`REGION_PARTS: unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.join(', ')}`);
  return new Set(asked as Part[]);
}

function regionScale(): number {
  const raw = process.env.REGION_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10) throw new Error(`REGION_SCALE must be a number in (0, 10], not "${raw}"`);
  return scale;
}

// ---------------------------------------------------------------------------------------------
// Child processes: our app (tile cache off: every tile produced) and the canonical tile query.

type Role = 'app' | 'canonical';

serveIfForked<Role>(async (role) => {
  const db = await openBenchDatabase(process.env.BENCH_DATABASE_URL!);
  listenInChild(role === 'app' ? await appHandler(db) : serveCanonical(db), () => void db.close());
});

const startChild = (role: Role, env: Record<string, string> = {}) =>
  startServerProcess(import.meta.url, role, { env: { TILE_CACHE_MB: '0', ...env } });

// ---------------------------------------------------------------------------------------------
// The region database: created, migrated, its territory replaced, filled by our CLI.


function regionUrlOf(databaseUrl: string): { name: string; url: string } {
  const name = `${decodeURIComponent(new URL(databaseUrl).pathname.slice(1))}_region`;
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** The spec the region database holds, if it was filled to the end. */
async function heldSpec(databaseUrl: string, name: string, url: string): Promise<string | undefined> {
  const exists = await withClient(databaseUrl, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  if (exists.rowCount === 0) return undefined;
  return withClient(url, async (c) => {
    const table = await c.query(`SELECT to_regclass('region_meta') AS t`);
    if (!table.rows[0].t) return undefined;
    return (await c.query<{ spec: string }>('SELECT spec FROM region_meta')).rows[0]?.spec;
  });
}

/** One CLI import, as `npm run import` runs it; its wall time and peak memory. */
async function importFile(url: string, layer: string, file: string, extra: string[]): Promise<{ seconds: number; peakRssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'data-import/cli.ts', layer, file, '--mode', 'replace', '--yes', ...extra], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stopSampling = samplePeakRss(child.pid!, 200);
  // The CLI draws its progress bar only on a terminal: a line every 30 s says it is alive.
  const ticker = setInterval(() => console.log(`  ${layer}: importing for ${((performance.now() - started) / 1000).toFixed(0)} s`), 30_000);
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  clearInterval(ticker);
  const peakRssMb = stopSampling();
  if (code !== 0) throw new Error(`importing ${layer} from ${file} exited with ${code}`);
  return { seconds: (performance.now() - started) / 1000, peakRssMb };
}

/** Creates the region database, generates the files, imports them; the figures of that work. */
async function fillRegion(databaseUrl: string, name: string, url: string, spec: RegionSpec): Promise<Record<string, number>> {
  await recreateDatabase(databaseUrl, name, url);
  const db = await openDatabase({ url, dataDir: '' });
  try {
    // The region's own territory replaces Montfort's: eligibility answers inside it, commune names come from it.
    await db.query('DELETE FROM communes');
    for (const c of regionCommunes(spec)) {
      await db.query('INSERT INTO communes (code_insee, nom, geom) VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)))',
        [c.code, c.name, c.geometry]);
    }
  } finally {
    await db.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'websig-region-bench-'));
  try {
    let started = performance.now();
    console.log(`writing the delivery files in ${dir}`);
    const files = writeRegionFiles(dir, spec);
    const figures: Record<string, number> = { files_s: round((performance.now() - started) / 1000, 1) };
    console.log(`files written in ${figures.files_s} s`);
    started = performance.now();
    const args: Record<(typeof LAYERS)[number], [string, string[]]> = {
      parcels: [files.parcels, []],
      addresses: [files.addresses, ['--mapping', 'ban-adresses']],
      fibre_phases: [files.zones, []],
      fibre_premises: [files.premises, []],
    };
    let peak = 0;
    for (const layer of LAYERS) {
      const [file, extra] = args[layer];
      const done = await importFile(url, layer, file, extra);
      console.log(`${layer}: imported in ${done.seconds.toFixed(1)} s, CLI peak RSS ${done.peakRssMb.toFixed(0)} MB`);
      figures[`import_${layer}_s`] = round(done.seconds, 1);
      peak = Math.max(peak, done.peakRssMb);
    }
    figures.import_s = round((performance.now() - started) / 1000, 1);
    figures.import_peak_rss_mb = Math.round(peak);
    await withClient(url, async (c) => {
      await c.query('CREATE TABLE region_meta (spec text NOT NULL, figures jsonb NOT NULL)');
      await c.query('INSERT INTO region_meta VALUES ($1, $2)', [JSON.stringify(spec), JSON.stringify(figures)]);
    });
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Measures.

/** z16 parcel tiles under every n-th parcel, non-empty by construction, the same on every run. */
async function tilePaths(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
       SELECT ST_PointOnSurface(geom) AS p FROM parcels
        WHERE fid % (SELECT greatest(1, count(*) / $1) FROM parcels) = 3 ORDER BY fid LIMIT $1) s`, [TILES]);
  return [...new Set(rows.map((r) => pathOf('parcels', tileAt(r.lon, r.lat, 16))))];
}

/** Our tile and the canonical query's hold the same features on the first few tiles of the list. */
async function checkSameTiles(ours: ServerProcess, canonical: ServerProcess, paths: readonly string[]): Promise<void> {
  for (const p of paths.slice(0, 5)) {
    const [a, b] = await Promise.all([ours, canonical].map(async (s) => {
      const res = await fetch(s.url + p, { headers: { 'Accept-Encoding': 'identity' } });
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    }));
    if (a!.status !== 200 || b!.status !== 200 || JSON.stringify(decodeTile(a!.bytes)) !== JSON.stringify(decodeTile(b!.bytes))) {
      throw new Error(`our tile and the canonical query's differ on ${p}: HTTP ${a!.status} (${a!.bytes.length} bytes) vs HTTP ${b!.status} (${b!.bytes.length} bytes)`);
    }
  }
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');

function logged(label: string, m: Summary): Summary {
  console.log(`${label.padEnd(34)} ${m.rps.toFixed(1).padStart(8)} req/s  p50 ${m.p50.toFixed(2)} ms  p95 ${m.p95.toFixed(2)} ms  ` +
    `p99 ${m.p99.toFixed(2)} ms  errors ${m.errors}  non-2xx ${m.non2xx}`);
  return m;
}

/**
 * Size of the database without the canonical reference's table (a copy of the parcels the app never
 * reads), of that table, and of each layer's table with its indexes (and the indexes alone), in MB.
 */
async function sizes(db: Database): Promise<Record<string, number>> {
  const mb = (bytes: number | string) => Math.round(Number(bytes) / 2 ** 20);
  const { rows } = await db.query<{ db: string; canonical: string }>(
    'SELECT pg_database_size(current_database()) AS db, pg_total_relation_size($1::regclass) AS canonical', [CANONICAL_TABLE]);
  const figures: Record<string, number> = { db_size_mb: mb(Number(rows[0]!.db) - Number(rows[0]!.canonical)), canonical_table_mb: mb(rows[0]!.canonical) };
  for (const layer of LAYERS) {
    const { rows: r } = await db.query<{ total: string; indexes: string }>(
      'SELECT pg_total_relation_size($1::regclass) AS total, pg_indexes_size($1::regclass) AS indexes', [layer]);
    figures[`${layer}_mb`] = mb(r[0]!.total);
    figures[`${layer}_indexes_mb`] = mb(r[0]!.indexes);
  }
  return figures;
}

export async function run(databaseUrl: string): Promise<Record<string, number | string | boolean>> {
  const scale = regionScale();
  const parts = regionParts();
  const spec = regionSpec(scale);
  const { name, url } = regionUrlOf(databaseUrl);
  const loadBefore = loadavg()[0]!;
  console.log(`region at scale ${scale}: ${JSON.stringify(spec)} in database ${name} (kept afterwards); load average ${loadBefore.toFixed(1)}`);
  let filled: Record<string, number>;
  const held = await heldSpec(databaseUrl, name, url);
  if (held === JSON.stringify(spec)) {
    filled = await withClient(url, async (c) => (await c.query<{ figures: Record<string, number> }>('SELECT figures FROM region_meta')).rows[0]!.figures);
    console.log(`region data already imported (${held}): generation and import skipped, their figures are the first run's`);
  } else {
    filled = await fillRegion(databaseUrl, name, url, spec);
  }

  // The children (forked servers) read the region database.
  process.env.BENCH_DATABASE_URL = url;
  const db = await openBenchDatabase(url);
  const children: ServerProcess[] = [];
  try {
    // A maintained database, as the eligibility suite measures (GIN pending lists merged, statistics fresh).
    await db.query('VACUUM (ANALYZE) addresses, parcels, fibre_premises, fibre_phases, search_words, communes');
    const counts = (await db.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM parcels) AS parcels, (SELECT count(*) FROM addresses) AS addresses,
              (SELECT count(*) FROM fibre_premises) AS premises, (SELECT count(*) FROM fibre_phases) AS fibre_zones,
              (SELECT count(*) FROM communes) AS communes`)).rows[0]!;
    console.log(`data: ${JSON.stringify(counts)}`);
    if (Number(counts.parcels) !== spec.parcels || Number(counts.addresses) !== spec.addresses || Number(counts.premises) !== spec.premises) {
      throw new Error(`the region database does not hold the spec ${JSON.stringify(spec)}: ${JSON.stringify(counts)}`);
    }

    const figures: Record<string, number | string | boolean> = {};
    const errors: Summary[] = [];
    const ours = await startChild('app');
    children.push(ours);

    if (parts.has('tiles')) {
      // Cold tiles: our endpoint with its cache off against the canonical query on a plain table.
      await ensureCanonicalTable(db);
      const tiles = await tilePaths(db);
      const canonical = await startChild('canonical');
      children.push(canonical);
      await checkSameTiles(ours, canonical, tiles);
      const [coldOurs, coldCanonical] = await measurePair(ours, canonical, tiles);
      logged(`cold z16 parcels, ${tiles.length} tiles: ours`, coldOurs);
      logged('cold z16 parcels: canonical query', coldCanonical);
      await stopServerProcess(canonical);
      errors.push(coldOurs, coldCanonical);
      const coldRatio = coldOurs.p50 / coldCanonical.p50;
      console.log(`target cold tiles ≤ ${TARGETS.coldRatio} × the canonical query: ${met(coldRatio <= TARGETS.coldRatio)} (${coldRatio.toFixed(2)})`);
      Object.assign(figures, {
        cold_ratio: round(coldRatio, 3), cold_p50_ms: round(coldOurs.p50), canonical_p50_ms: round(coldCanonical.p50),
        cold_p95_ms: round(coldOurs.p95), cold_tiles_per_s: round(coldOurs.rps, 1), canonical_tiles_per_s: round(coldCanonical.rps, 1),
        tiles_in_list: tiles.length, cold_target_met: coldRatio <= TARGETS.coldRatio,
      });
    }

    // The read APIs on the same app, each on its fixed list.
    if (parts.has('geocode') || parts.has('eligibility')) {
      const lists = await requestLists(db);
      if (parts.has('geocode')) {
        const geocode = logged('geocode', await measure(ours.url, lists.geocode));
        errors.push(geocode);
        console.log(`target geocode p95 < ${TARGETS.p95Ms} ms: ${met(geocode.p95 < TARGETS.p95Ms)}`);
        Object.assign(figures, { geocode_p95_ms: round(geocode.p95), geocode_p50_ms: round(geocode.p50), geocode_top3_share: round(lists.found, 3) });
      }
      if (parts.has('eligibility')) {
        const eligibility = logged('eligibility', await measure(ours.url, lists.eligibility));
        errors.push(eligibility);
        console.log(`target eligibility p95 < ${TARGETS.p95Ms} ms: ${met(eligibility.p95 < TARGETS.p95Ms)}`);
        Object.assign(figures, { eligibility_p95_ms: round(eligibility.p95), eligibility_p50_ms: round(eligibility.p50) });
      }
      if (parts.has('geocode') && parts.has('eligibility')) {
        figures.p95_target_met = (figures.geocode_p95_ms as number) < TARGETS.p95Ms && (figures.eligibility_p95_ms as number) < TARGETS.p95Ms;
      }
    }
    if (parts.has('ogc')) {
      const { paths: ogcPaths, meanMatched } = await bboxPaths(db);
      const ogc = logged(`OGC items bbox+limit=100 (${meanMatched.toFixed(0)} matched)`, await measure(ours.url, ogcPaths));
      errors.push(ogc);
      Object.assign(figures, { ogc_p95_ms: round(ogc.p95), ogc_p50_ms: round(ogc.p50), ogc_bbox_mean_matched: Math.round(meanMatched) });
    }
    await stopServerProcess(ours);

    if (parts.has('download')) {
      // A data directory of its own: the file is built by this download (as the first one after an
      // import is), not served from an earlier run's cache on disk.
      const downloadDir = mkdtempSync(join(tmpdir(), 'websig-region-download-'));
      const download = await measureDownload(() => startChild('app', { DATA_DIR: downloadDir }), '/downloads/addresses.geojson')
        .finally(() => rmSync(downloadDir, { recursive: true, force: true }));
      Object.assign(figures, {
        download_peak_rss_mb: Math.round(download.peakRss), download_idle_rss_mb: Math.round(download.idleRss),
        download_geojson_mb: round(download.mb, 1), download_geojson_s: round(download.seconds, 1),
      });
    }
    if (parts.has('size')) Object.assign(figures, await sizes(db));
    const loadAfter = loadavg()[0]!;

    return {
      ...figures,
      ...(parts.size < PARTS.length ? { parts: [...parts].join(',') } : {}),
      scale,
      parcels: Number(counts.parcels),
      addresses: Number(counts.addresses),
      premises: Number(counts.premises),
      fibre_zones: Number(counts.fibre_zones),
      communes: Number(counts.communes),
      errors: errors.reduce((n, m) => n + m.errors + m.non2xx, 0),
      ...filled,
      load_average_start: round(loadBefore, 1),
      load_average_end: round(loadAfter, 1),
      load: `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up (tiles: ${ROUNDS} slices alternated with the reference), loopback`,
    };
  } finally {
    for (const child of children) await stopServerProcess(child);
    await db.close();
  }
}
