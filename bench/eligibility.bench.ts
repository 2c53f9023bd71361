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
import { round } from './lib/stats.ts';
import type { Database } from '../core/db/database.ts';
import { buildEligibilitySql } from '../server/eligibility/eligibility-sql.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { GEOCODE_SQL, geocodeParams } from '../server/geocode/geocode-sql.ts';
import { IGNORED_ZONE_WORDS, parseGeocodeQuery } from '../server/geocode/geocode-query.ts';

/** Addresses the search queries are written from, and places asked about. */
const SAMPLE = 300;
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
// The fixed request lists, written from sampled rows of the bench data.

type SampledAddress = { id: string; numero: number; rep: string | null; nom_voie: string; code_postal: string; nom_commune: string; lon: number; lat: number };

/** One typo: two neighbouring letters of the street's longest word swapped. */
function withTypo(text: string): string {
  const words = text.split(' ');
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const k = Math.floor(longest.length / 2);
  const typo = longest.slice(0, k - 1) + longest[k] + longest[k - 1] + longest.slice(k + 1);
  return words.map((w) => (w === longest ? typo : w)).join(' ');
}

/**
 * What people type: the full label, lower case without accents, words shuffled, a typo, abbreviated
 * with punctuation, and a query still being typed (the commune cut short). One variant per address.
 */
function searchQuery(a: SampledAddress, i: number): string {
  const number = `${a.numero}${a.rep ? ` ${a.rep}` : ''}`;
  const plain = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  switch (i % 6) {
    case 0: return `${number} ${a.nom_voie}, ${a.code_postal} ${a.nom_commune}`;
    case 1: return plain(`${number} ${a.nom_voie} ${a.nom_commune}`);
    case 2: return plain(`${a.nom_commune} ${a.nom_voie.split(' ').reverse().join(' ')} ${number}`);
    case 3: return withTypo(plain(`${number} ${a.nom_voie} ${a.nom_commune}`));
    case 4: return `${number}, ${a.nom_voie.replace(/^Rue /, 'r. ').replace(/^Allée /, 'all. ')} — ${a.nom_commune}`;
    default: return plain(`${number} ${a.nom_voie} ${a.nom_commune}`).slice(0, -3);
  }
}

async function requestLists(db: Database): Promise<{ geocode: string[]; eligibility: string[]; found: number }> {
  // Every n-th row by fid: spread over the whole territory, the same rows on every run.
  const { rows: addresses } = await db.query<SampledAddress>(
    `SELECT id, numero, rep, nom_voie, code_postal, nom_commune, ST_X(geom) AS lon, ST_Y(geom) AS lat
       FROM addresses WHERE fid % (SELECT greatest(1, count(*) / $1) FROM addresses) = 0 ORDER BY fid LIMIT $1`, [SAMPLE]);
  const { rows: parcels } = await db.query<{ id: string; lon: number; lat: number }>(
    `SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
       FROM parcels WHERE fid % (SELECT greatest(1, count(*) / $1) FROM parcels) = 0 ORDER BY fid LIMIT $1`, [SAMPLE]);
  const geocode = addresses.map((a, i) => `/api/geocode?${new URLSearchParams({ q: searchQuery(a, i), limit: '10' })}`);
  // Places asked about: addresses (their premise), parcels (the chain and the zone shares), clicked
  // points a few metres from an address (nearest premise) and inside parcels (zone only).
  const eligibility = addresses.flatMap((a, i) => {
    const parcel = parcels[i % parcels.length]!;
    return [
      `/api/eligibility?address=${encodeURIComponent(a.id)}`,
      `/api/eligibility?parcel=${parcel.id}`,
      `/api/eligibility?lon=${(a.lon + 0.00005).toFixed(7)}&lat=${a.lat.toFixed(7)}`,
      `/api/eligibility?lon=${parcel.lon.toFixed(7)}&lat=${parcel.lat.toFixed(7)}`,
    ];
  });
  // How often the searched address is in the top 3 — by label: the generated data repeats labels
  // (several parcels of a street share a number), so the very same id may be one of its twins.
  let found = 0;
  for (const [i, a] of addresses.entries()) {
    const { rows } = await db.query<{ body: string }>(GEOCODE_SQL, geocodeParams(parseGeocodeQuery(searchQuery(a, i)), 3, IGNORED_ZONE_WORDS));
    const labels = (JSON.parse(rows[0]!.body) as { features: { properties: { label: string } }[] }).features.map((f) => f.properties.label);
    if (labels.includes(`${a.numero}${a.rep ? ` ${a.rep}` : ''} ${a.nom_voie}, ${a.code_postal} ${a.nom_commune}`)) found++;
  }
  console.log(`${geocode.length} searches (searched address in the top 3 for ${found}), ${eligibility.length} eligibility requests`);
  return { geocode, eligibility, found: found / addresses.length };
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
