// `npm run bench -- features`: OGC API items with bbox + limit=100 on 200,000 parcels (PostGIS),
// our endpoint vs two references behind a minimal node:http handler that share none of our code:
// the bare items query (100 features as GeoJSON built in PostgreSQL, no count, as pg_featureserv
// pages) alternated with ours in slices, and the earlier reference that also counts numberMatched;
// 8 connections for 20 s after a 5 s warm-up each; then the peak memory of the server process while a
// client downloads a whole layer (500,000 addresses as GeoJSON and CSV; GeoPackages), unless
// BENCH_FEATURES_PARTS=items asks for the items comparison alone. Every server
// runs in its own child process (this file, forked with `--serve <role>`), autocannon in this one.
import type { IncomingMessage, RequestListener } from 'node:http';
import { appHandler } from './lib/app-server.ts';
import { openBenchDatabase, openFilledBenchDatabase } from './lib/bench-database.ts';
import { measureDownload } from './lib/download-memory.ts';
import { measure, measurePair, type Summary } from './lib/load.ts';
import { bboxPaths, HALF_LAT, HALF_LON } from './lib/ogc-requests.ts';
import { listenInChild, serveIfForked, startServerProcess, stopServerProcess, type ServerProcess } from './lib/server-process.ts';
import { round } from './lib/stats.ts';
import type { Database } from '../core/db/database.ts';


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

    const items = {
      ogc_bare_ratio: round(endpoint.rps / reference.rps, 3),
      ogc_p50_ms: round(endpoint.p50),
      ogc_bare_p50_ratio: round(endpoint.p50 / reference.p50, 3),
      server_cpu_us_per_request: round(endpoint.cpuUs, 0),
      bare_server_cpu_us_per_request: round(reference.cpuUs, 0),
      bbox_ratio: round(endpoint.p50 / countingRef.p50, 3),
      p95_ms: round(endpoint.p95),
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
    };
    if (process.env.BENCH_FEATURES_PARTS === 'items') return items;

    const geojson = await measureDownload(() => startChild('app'), '/downloads/addresses.geojson');
    const csv = await measureDownload(() => startChild('app'), '/downloads/addresses.csv');
    const gpkgParcels = await measureDownload(() => startChild('app'), '/downloads/parcels.gpkg');
    const gpkgAddresses = await measureDownload(() => startChild('app'), '/downloads/addresses.gpkg');
    return {
      ...items,
      download_peak_rss_mb: round(geojson.peakRss, 0),
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
