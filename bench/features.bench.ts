// `npm run bench -- features`: OGC API items with bbox + limit=100 on 200,000 parcels (PostGIS),
// our endpoint vs two references behind a minimal node:http handler that share none of our code:
// the bare items query (100 features as GeoJSON built in PostgreSQL, no count, as pg_featureserv
// pages) alternated with ours in slices, and the earlier reference that also counts numberMatched;
// 8 connections for 20 s after a 5 s warm-up each; then the peak memory of the server process while a
// client downloads a whole layer (500,000 addresses as GeoJSON and CSV; GeoPackages). Every server
// runs in its own child process (this file, forked with `--serve <role>`), autocannon in this one.
import type { IncomingMessage, RequestListener } from 'node:http';
import { appHandler } from './lib/app-server.ts';
import { openBenchDatabase, openFilledBenchDatabase } from './lib/bench-database.ts';
import { measure, measurePair, type Summary } from './lib/load.ts';
import { memoryOf } from './lib/rss.ts';
import { listenInChild, serveIfForked, startServerProcess, stopServerProcess, type ServerProcess } from './lib/server-process.ts';
import { round } from './lib/stats.ts';
import type { Database } from '../core/db/database.ts';

/** Requests in the fixed list: bboxes centred on parcels spread over the whole layer. */
const BBOXES = 200;
/** Half-size of each bbox in degrees: ~750 m × 780 m, a town-centre map view of some 600 parcels. */
const HALF_LON = 0.005;
const HALF_LAT = 0.0035;

// ---------------------------------------------------------------------------------------------
// Child processes: the servers under test.

type Role = 'app' | 'bare' | 'counting';

/**
 * The bare items query: the first 100 features intersecting the bbox in id order, each a GeoJSON
 * text made by PostgreSQL, joined into one text; no count, so a full page means a next link.
 */
const BARE_SQL = `
  SELECT count(*)::int AS returned, coalesce(string_agg(f, ',' ORDER BY fid), '') AS features FROM (
    SELECT '{"type":"Feature","id":' || p.fid || ',"geometry":' || ST_AsGeoJSON(p.geom, 7, 0) || ',"properties":' ||
           json_build_object('id', p.id, 'commune', p.commune, 'prefixe', p.prefixe, 'section', p.section,
                             'numero', p.numero, 'contenance', p.contenance)::text || '}' AS f, p.fid
      FROM parcels p WHERE ST_Intersects(p.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY p.fid LIMIT 100) page`;

/** The query string's bbox as 4 numbers, or undefined when the request is not a bbox items request. */
function bboxOf(req: IncomingMessage): number[] | undefined {
  const url = new URL(req.url ?? '/', 'http://bench');
  const bbox = (url.searchParams.get('bbox') ?? '').split(',').map(Number);
  if (url.pathname !== '/ogc/collections/parcels/items' || bbox.length !== 4 || bbox.some((n) => !Number.isFinite(n))) return undefined;
  return bbox;
}

function serveBare(db: Database): RequestListener {
  return (req, res) => {
    const bbox = bboxOf(req);
    if (!bbox) return void res.writeHead(400).end();
    db.query<{ returned: number; features: string }>(BARE_SQL, bbox).then(({ rows }) => {
      const { returned, features } = rows[0]!;
      const self = `http://${req.headers.host}${req.url}`;
      const links = [`{"href":"${self}","rel":"self","type":"application/geo+json"}`];
      if (returned === 100) links.push(`{"href":"${self}&offset=100","rel":"next","type":"application/geo+json"}`);
      res.writeHead(200, { 'Content-Type': 'application/geo+json' });
      res.end(`{"type":"FeatureCollection","timeStamp":"${new Date().toISOString()}",` +
        `"features":[${features}],"numberReturned":${returned},"links":[${links.join(',')}]}`);
    }, () => res.writeHead(500).end());
  };
}

/**
 * The earlier reference: one hand-written statement that returns the same FeatureCollection (features,
 * numberMatched, numberReturned, self and next links), behind the least HTTP code that can answer.
 */
const COUNTING_SQL = `
  WITH box AS (SELECT ST_SetSRID(ST_MakeBox2D(ST_MakePoint($1, $2), ST_MakePoint($3, $4)), 4326) AS g),
  page AS (
    SELECT '{"type":"Feature","id":' || p.fid || ',"geometry":' || ST_AsGeoJSON(p.geom, 7, 0) || ',"properties":' ||
           json_build_object('id', p.id, 'commune', p.commune, 'prefixe', p.prefixe, 'section', p.section,
                             'numero', p.numero, 'contenance', p.contenance)::text || '}' AS f, p.fid
      FROM parcels p, box WHERE ST_Intersects(p.geom, box.g) ORDER BY p.fid LIMIT 100)
  SELECT (SELECT count(*) FROM parcels p, box WHERE ST_Intersects(p.geom, box.g)) AS matched,
         count(*) AS returned, coalesce(string_agg(f, ',' ORDER BY fid), '') AS features FROM page`;

function serveCounting(db: Database): RequestListener {
  return (req, res) => {
    const bbox = bboxOf(req);
    if (!bbox) return void res.writeHead(400).end();
    db.query<{ matched: number; returned: number; features: string }>(COUNTING_SQL, bbox).then(({ rows }) => {
      const { matched, returned, features } = rows[0]!;
      const self = `http://${req.headers.host}${req.url}`;
      const links = [`{"href":"${self}","rel":"self","type":"application/geo+json"}`];
      if (returned > 0 && returned < matched) links.push(`{"href":"${self}&offset=100","rel":"next","type":"application/geo+json"}`);
      res.writeHead(200, { 'Content-Type': 'application/geo+json' });
      res.end(`{"type":"FeatureCollection","numberMatched":${matched},"timeStamp":"${new Date().toISOString()}",` +
        `"features":[${features}],"numberReturned":${returned},"links":[${links.join(',')}]}`);
    }, () => res.writeHead(500).end());
  };
}

serveIfForked<Role>(async (role) => {
  const db = await openBenchDatabase(process.env.BENCH_DATABASE_URL!);
  const handler = role === 'app' ? await appHandler(db) : role === 'bare' ? serveBare(db) : serveCounting(db);
  listenInChild(handler, () => void db.close());
});

const startChild = (role: Role) => startServerProcess(import.meta.url, role);

// ---------------------------------------------------------------------------------------------
// Load: autocannon, each request the next bbox of the list (connections interleave over it).

function logged<T extends Summary>(result: T, label: string): T {
  console.log(`${label.padEnd(34)} ${result.rps.toFixed(1).padStart(8)} req/s  p50 ${result.p50.toFixed(2)} ms  ` +
    `p95 ${result.p95.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  errors ${result.errors}  non-2xx ${result.non2xx}`);
  return result;
}

/** The fixed request list: a bbox around every (200,000 / BBOXES)-th parcel, limit=100. */
async function bboxPaths(db: Database): Promise<{ paths: string[]; meanMatched: number }> {
  const { rows } = await db.query<{ x: number; y: number; matched: number }>(`
    WITH c AS (SELECT ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y
                 FROM parcels WHERE fid % (SELECT greatest(1, count(*) / $1) FROM parcels) = 7 ORDER BY fid LIMIT $1)
    SELECT x, y, (SELECT count(*) FROM parcels p
                   WHERE ST_Intersects(p.geom, ST_MakeEnvelope(x - $2, y - $3, x + $2, y + $3, 4326)))::int AS matched FROM c`,
  [BBOXES, HALF_LON, HALF_LAT]);
  const paths = rows.map((r) => `/ogc/collections/parcels/items?bbox=${[r.x - HALF_LON, r.y - HALF_LAT, r.x + HALF_LON, r.y + HALF_LAT]
    .map((n) => n.toFixed(6)).join(',')}&limit=100`);
  return { paths, meanMatched: rows.reduce((s, r) => s + r.matched, 0) / rows.length };
}

// ---------------------------------------------------------------------------------------------
// Memory: peak resident set of a fresh server process while one client downloads a whole layer.

interface DownloadFigures { idleRss: number; peakRss: number; mb: number; seconds: number }

async function measureDownload(path: string): Promise<DownloadFigures> {
  const child = await startChild('app');
  try {
    const pid = child.process.pid!;
    // One small request first, so that the idle figure includes the loaded routes and a connection.
    await (await fetch(`${child.url}/ogc/collections`)).arrayBuffer();
    const idle = memoryOf(pid);
    const started = performance.now();
    const res = await fetch(child.url + path, { headers: { 'Accept-Encoding': 'identity' } });
    if (res.status !== 200 || !res.body) throw new Error(`${path}: HTTP ${res.status}`);
    let bytes = 0;
    const reader = res.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.length;
    const seconds = (performance.now() - started) / 1000;
    const after = memoryOf(pid);
    const figures = { idleRss: idle.rss, peakRss: after.peak, mb: bytes / 2 ** 20, seconds };
    console.log(`${path.padEnd(34)} ${figures.mb.toFixed(1)} MiB in ${seconds.toFixed(1)} s; server RSS idle ` +
      `${idle.rss.toFixed(0)} MiB, peak ${after.peak.toFixed(0)} MiB (startup peak before the download ${idle.peak.toFixed(0)} MiB)`);
    return figures;
  } finally {
    await stopServerProcess(child);
  }
}

// ---------------------------------------------------------------------------------------------

export async function run(databaseUrl: string): Promise<Record<string, number | string | boolean>> {
  const db = await openFilledBenchDatabase(databaseUrl);
  const children: ServerProcess[] = [];
  try {
    const { paths, meanMatched } = await bboxPaths(db);
    const { rows: counts } = await db.query<{ parcels: number; addresses: number }>(
      'SELECT (SELECT count(*) FROM parcels) AS parcels, (SELECT count(*) FROM addresses) AS addresses');
    console.log(`${paths.length} bboxes of ${(2 * HALF_LON).toFixed(3)}° × ${(2 * HALF_LAT).toFixed(3)}°, ${meanMatched.toFixed(0)} parcels each on average`);

    const bare = await startChild('bare');
    children.push(bare);
    const counting = await startChild('counting');
    children.push(counting);
    const ours = await startChild('app');
    children.push(ours);
    // Same features from all three, feature for feature; the counting reference's count checks the bbox.
    for (const p of paths.slice(0, 3)) {
      const [a, b, c] = await Promise.all([ours, bare, counting].map(async (s) =>
        (await (await fetch(s.url + p)).json()) as { numberMatched?: number; numberReturned: number; features: { id: number }[] }));
      if (JSON.stringify(a!.features) !== JSON.stringify(b!.features) || JSON.stringify(a!.features) !== JSON.stringify(c!.features)) {
        throw new Error(`our endpoint and the references disagree on ${p}`);
      }
      if (a!.numberMatched !== undefined && a!.numberMatched !== c!.numberMatched) throw new Error(`numberMatched differs on ${p}`);
    }
    // Ours and the bare query alternated in slices, so that the machine's other work weighs on both alike.
    const [endpoint, reference] = await measurePair(ours, bare, paths);
    logged(reference, 'bbox+limit=100 bare query node:http');
    logged(endpoint, 'bbox+limit=100 our endpoint');
    const countingRef = logged(await measure(counting.url, paths), 'bbox+limit=100 counting reference');
    await stopServerProcess(ours);
    await stopServerProcess(bare);
    await stopServerProcess(counting);

    const geojson = await measureDownload('/downloads/addresses.geojson');
    const csv = await measureDownload('/downloads/addresses.csv');
    const gpkgParcels = await measureDownload('/downloads/parcels.gpkg');
    const gpkgAddresses = await measureDownload('/downloads/addresses.gpkg');

    return {
      ogc_bare_ratio: round(endpoint.rps / reference.rps, 3),
      ogc_p50_ms: round(endpoint.p50),
      ogc_bare_p50_ratio: round(endpoint.p50 / reference.p50, 3),
      server_cpu_us_per_request: round(endpoint.cpuUs, 0),
      bare_server_cpu_us_per_request: round(reference.cpuUs, 0),
      bbox_ratio: round(endpoint.p50 / countingRef.p50, 3),
      p95_ms: round(endpoint.p95),
      download_peak_rss_mb: round(geojson.peakRss, 0),
      p50_ms: round(endpoint.p50),
      p99_ms: round(endpoint.p99),
      requests_per_s: round(endpoint.rps, 1),
      errors: endpoint.errors + endpoint.non2xx,
      bare_p50_ms: round(reference.p50),
      bare_p95_ms: round(reference.p95),
      bare_requests_per_s: round(reference.rps, 1),
      counting_p50_ms: round(countingRef.p50),
      counting_requests_per_s: round(countingRef.rps, 1),
      throughput_ratio: round(endpoint.rps / countingRef.rps, 3),
      bbox_mean_matched: round(meanMatched, 0),
      parcels: counts[0]!.parcels,
      addresses: counts[0]!.addresses,
      download_idle_rss_mb: round(geojson.idleRss, 0),
      download_geojson_mb: round(geojson.mb, 1),
      download_geojson_s: round(geojson.seconds, 1),
      download_csv_peak_rss_mb: round(csv.peakRss, 0),
      download_csv_mb: round(csv.mb, 1),
      download_csv_s: round(csv.seconds, 1),
      gpkg_parcels_peak_rss_mb: round(gpkgParcels.peakRss, 0),
      gpkg_parcels_mb: round(gpkgParcels.mb, 1),
      gpkg_parcels_s: round(gpkgParcels.seconds, 1),
      gpkg_addresses_peak_rss_mb: round(gpkgAddresses.peakRss, 0),
      gpkg_addresses_mb: round(gpkgAddresses.mb, 1),
      gpkg_addresses_s: round(gpkgAddresses.seconds, 1),
    };
  } finally {
    for (const child of children) await stopServerProcess(child);
    await db.close();
  }
}
