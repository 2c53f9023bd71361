// `npm run bench -- eligibility`: address search and eligibility answers on the generated data
// (500,000 addresses, 200,000 parcels, 2,000 fibre zones, 100,000 premises; PostGIS). Each endpoint
// against the very same SQL behind a minimal node:http handler, both on the same fixed request list,
// in the same run. Servers run in child processes (this file forked with `--serve <role>`); autocannon
// runs in this one.
import type { RequestListener } from 'node:http';
import { appHandler } from './lib/app-server.ts';
import { openFilledBenchDatabase } from './lib/bench-database.ts';
import { CONNECTIONS, DURATION_S, measurePair, ROUNDS, WARMUP_S, type Measured } from './lib/load.ts';
import { serveAppOrBare, startServerProcess, stopServerProcess, type ServerProcess } from './lib/server-process.ts';
import { requestLists } from './lib/eligibility-requests.ts';
import { round } from './lib/stats.ts';
import type { Database } from '../core/db/database.ts';
import { buildEligibilitySql } from '../server/eligibility/eligibility-sql.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { GEOCODE_SQL, geocodeParams } from '../server/geocode/geocode-sql.ts';
import { IGNORED_ZONE_WORDS, parseGeocodeQuery } from '../server/geocode/geocode-query.ts';

/** Target of the issue: our p50 within 1.5 × the bare SQL's, p95 under 50 ms. */
const RATIO_TARGET = 1.5;
const P95_TARGET_MS = 50;

// ---------------------------------------------------------------------------------------------
// Child processes: the servers under test.

type Role = 'app' | 'bare';

/**
 * The same statements with the same bound values, behind the least HTTP code that can answer: the
 * query text is turned into the SQL values by the same parser (it is what the lookup is), the JSON the
 * database builds is sent as it is. No validation, error mapping, summary, sources or middleware.
 */
function serveBare(db: Database): RequestListener {
  const eligibilitySql = buildEligibilitySql(createLayerRegistry());
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    const p = url.searchParams;
    let text: string;
    let params: unknown[];
    if (url.pathname === '/api/geocode') {
      text = GEOCODE_SQL;
      params = geocodeParams(parseGeocodeQuery(p.get('q') ?? ''), Number(p.get('limit') ?? 10), IGNORED_ZONE_WORDS);
    } else if (p.has('lon')) {
      text = eligibilitySql.point;
      params = [Number(p.get('lon')), Number(p.get('lat'))];
    } else {
      const kind = p.has('address') ? 'address' : 'parcel';
      text = eligibilitySql[kind];
      params = [p.get(kind)];
    }
    db.query<{ body: string }>(text, params).then(({ rows }) => {
      const body = rows[0]?.body;
      if (body === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    }, () => res.writeHead(500).end());
  };
}

serveAppOrBare(appHandler, serveBare);

const startChild = (role: Role) => startServerProcess(import.meta.url, role);

// ---------------------------------------------------------------------------------------------
// Load: our endpoint and the bare SQL alternated on the same list (bench/lib/load.ts).

/** Requests that failed or were not answered with a 2xx. */
const failed = (m: Measured) => m.errors + m.non2xx;

async function measureLogged(ours: ServerProcess, bare: ServerProcess, paths: readonly string[], labels: [string, string]): Promise<[Measured, Measured]> {
  const pair = await measurePair(ours, bare, paths);
  for (const [i, m] of pair.entries()) {
    console.log(`${labels[i]!.padEnd(26)} ${m.rps.toFixed(1).padStart(8)} req/s  p50 ${m.p50.toFixed(2)} ms  p95 ${m.p95.toFixed(2)} ms  ` +
      `p99 ${m.p99.toFixed(2)} ms  server CPU ${m.cpuUs.toFixed(0)} µs/req  errors ${failed(m)}`);
  }
  return pair;
}


// ---------------------------------------------------------------------------------------------

export async function run(databaseUrl: string): Promise<Record<string, number | string | boolean>> {
  const db = await openFilledBenchDatabase(databaseUrl);
  let ours: ServerProcess | undefined;
  let bare: ServerProcess | undefined;
  try {
    // Measure a maintained database: where autovacuum is off (as on some CI servers) the GIN indexes'
    // pending lists are never merged, and every cad_parcelles lookup then scans megabytes of them.
    await db.query('VACUUM (ANALYZE) addresses, parcels, fibre_premises, fibre_phases, search_words');
    const counts = (await db.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM addresses) AS addresses, (SELECT count(*) FROM parcels) AS parcels,
              (SELECT count(*) FROM fibre_phases) AS fibre_zones, (SELECT count(*) FROM fibre_premises) AS premises`)).rows[0]!;
    console.log(`data: ${JSON.stringify(counts)}`);
    const lists = await requestLists(db);
    ours = await startChild('app');
    bare = await startChild('bare');
    const [geo, geoBare] = await measureLogged(ours, bare, lists.geocode, ['geocode: our endpoint', 'geocode: bare SQL']);
    const [eli, eliBare] = await measureLogged(ours, bare, lists.eligibility, ['eligibility: our endpoint', 'eligibility: bare SQL']);
    const figures = {
      geocode_ratio: round(geo.p50 / geoBare.p50, 3),
      eligibility_ratio: round(eli.p50 / eliBare.p50, 3),
      geocode_p95_ms: round(geo.p95),
      eligibility_p95_ms: round(eli.p95),
      geocode_p50_ms: round(geo.p50),
      eligibility_p50_ms: round(eli.p50),
      geocode_p95_ratio: round(geo.p95 / geoBare.p95, 3),
      eligibility_p95_ratio: round(eli.p95 / eliBare.p95, 3),
      geocode_bare_p50_ms: round(geoBare.p50),
      geocode_bare_p95_ms: round(geoBare.p95),
      eligibility_bare_p50_ms: round(eliBare.p50),
      eligibility_bare_p95_ms: round(eliBare.p95),
      geocode_req_per_s: round(geo.rps, 1),
      geocode_bare_req_per_s: round(geoBare.rps, 1),
      eligibility_req_per_s: round(eli.rps, 1),
      eligibility_bare_req_per_s: round(eliBare.rps, 1),
      geocode_server_cpu_us_per_req: round(geo.cpuUs, 0),
      geocode_bare_server_cpu_us_per_req: round(geoBare.cpuUs, 0),
      eligibility_server_cpu_us_per_req: round(eli.cpuUs, 0),
      eligibility_bare_server_cpu_us_per_req: round(eliBare.cpuUs, 0),
      errors: failed(geo) + failed(geoBare) + failed(eli) + failed(eliBare),
      geocode_top3_share: round(lists.found, 3),
      ratio_target_met: geo.p50 / geoBare.p50 <= RATIO_TARGET && eli.p50 / eliBare.p50 <= RATIO_TARGET,
      p95_target_met: geo.p95 < P95_TARGET_MS && eli.p95 < P95_TARGET_MS,
      addresses: counts.addresses!,
      parcels: counts.parcels!,
      fibre_zones: counts.fibre_zones!,
      premises: counts.premises!,
      load: `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s in ${ROUNDS} alternating slices after ${WARMUP_S} s warm-up, loopback`,
    };
    return figures;
  } finally {
    await stopServerProcess(ours);
    await stopServerProcess(bare);
    await db.close();
  }
}
