// `npm run bench -- eligibility`: address search and eligibility answers on the generated data
// (500,000 addresses, 200,000 parcels, 2,000 fibre zones, 100,000 premises; PostGIS). Each endpoint
// against the very same SQL behind a minimal node:http handler, both on the same fixed request list,
// in the same run. Servers run in child processes (this file forked with `--serve <role>`); autocannon
// runs in this one.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ensureBenchData } from './data/bench-data.ts';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { migrateLatest } from '../server/db/migrate.ts';
import { ELIGIBILITY_SQL } from '../server/eligibility/eligibility-sql.ts';
import { GEOCODE_SQL, geocodeParams } from '../server/geocode/geocode-sql.ts';
import { IGNORED_ZONE_WORDS, parseGeocodeQuery } from '../server/geocode/geocode-query.ts';
import { readDatabaseInfo } from '../server/http/health.routes.ts';
import { createLayerRegistry } from '../server/layers/registry.ts';
import { createLogger } from '../server/logger.ts';

const CONNECTIONS = 8;
const WARMUP_S = 5;
const DURATION_S = 20;
/** The 20 s are cut in this many slices, alternating the two servers compared. */
const ROUNDS = 4;
const POOL_SIZE = 10;
/** Addresses the search queries are written from, and places asked about. */
const SAMPLE = 300;
/** Target of the issue: our p50 within 1.5 × the bare SQL's, p95 under 50 ms. */
const RATIO_TARGET = 1.5;
const P95_TARGET_MS = 50;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------------------------
// Child processes: the servers under test.

type Role = 'app' | 'bare';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Our app as `npm start` builds it, on the bench database. */
async function serveApp(db: Database): Promise<Handler> {
  const config = loadConfig({ ...process.env, PORT: '0', BASEMAP: 'none' });
  return createApp({
    config, db, layers: createLayerRegistry(), log: createLogger('warn'),
    databaseInfo: await readDatabaseInfo(db), sessionSecret: 'bench',
  }).callback();
}

/**
 * The same statements with the same bound values, behind the least HTTP code that can answer: the
 * query text is turned into the SQL values by the same parser (it is what the lookup is), the JSON the
 * database builds is sent as it is. No validation, error mapping, summary, sources or middleware.
 */
function serveBare(db: Database): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    const p = url.searchParams;
    let text: string;
    let params: unknown[];
    if (url.pathname === '/api/geocode') {
      text = GEOCODE_SQL;
      params = geocodeParams(parseGeocodeQuery(p.get('q') ?? ''), Number(p.get('limit') ?? 10), IGNORED_ZONE_WORDS);
    } else if (p.has('lon')) {
      text = ELIGIBILITY_SQL.point;
      params = [Number(p.get('lon')), Number(p.get('lat'))];
    } else {
      const kind = p.has('address') ? 'address' : 'parcel';
      text = ELIGIBILITY_SQL[kind];
      params = [p.get(kind)];
    }
    db.query<{ body: string }>(text, params).then(({ rows }) => {
      const body = rows[0]?.body;
      if (body === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    }, () => res.writeHead(500).end());
  };
}

async function serve(role: Role): Promise<void> {
  const db = await openDatabase({ url: process.env.BENCH_DATABASE_URL!, dataDir: '', poolSize: POOL_SIZE });
  const handler = role === 'app' ? await serveApp(db) : serveBare(db);
  const server = createServer({ keepAliveTimeout: 30_000 }, handler);
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  // CPU time the server has used so far: per request, it tells overhead apart from machine noise.
  process.on('message', (m) => m === 'cpu' && process.send!({ cpu: process.cpuUsage() }));
  process.once('disconnect', () => {
    server.close();
    void db.close();
  });
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] as Role).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

interface Child { url: string; process: ChildProcess }

async function startChild(role: Role): Promise<Child> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', role], {
    execArgv: ['--import', 'tsx'], env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const port = await new Promise<number>((ok, fail) => {
    child.once('message', (m) => ok((m as { port: number }).port));
    child.once('exit', (code) => fail(new Error(`bench server "${role}" exited with code ${code}`)));
  });
  child.removeAllListeners('exit');
  return { url: `http://127.0.0.1:${port}`, process: child };
}

async function cpuOf(child: Child): Promise<number> {
  const reply = new Promise<number>((ok) => {
    const listen = (m: unknown) => {
      const cpu = (m as { cpu?: NodeJS.CpuUsage }).cpu;
      if (!cpu) return;
      child.process.off('message', listen);
      ok(cpu.user + cpu.system);
    };
    child.process.on('message', listen);
  });
  child.process.send('cpu');
  return reply;
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  const exited = new Promise((ok) => child.process.once('exit', ok));
  child.process.disconnect();
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Load: autocannon, each request the next path of the list (connections interleave over it).

interface Load { total: number; errors: number; non2xx: number; latencies: number[] }
interface Measured { rps: number; p50: number; p95: number; p99: number; errors: number; cpuUs: number }

function load(url: string, paths: readonly string[], seconds: number): Promise<Load> {
  let next = 0;
  const latencies: number[] = [];
  return new Promise((ok, fail) => {
    const instance = autocannon({
      url, connections: CONNECTIONS, duration: seconds,
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
    }, (error, result) => {
      if (error) return fail(error);
      ok({ total: result.requests.total, errors: result.errors + result.timeouts, non2xx: result.non2xx, latencies });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  });
}

/** Two servers on the same paths, alternated in ROUNDS slices after a warm-up each, so that whatever
 *  else the machine does weighs on both alike; each server's figures pool its slices. */
async function measurePair(a: Child, b: Child, paths: readonly string[], labels: [string, string]): Promise<[Measured, Measured]> {
  await load(a.url, paths, WARMUP_S);
  await load(b.url, paths, WARMUP_S);
  const slices: [Load[], Load[]] = [[], []];
  const cpu = [0, 0];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, child] of [a, b].entries()) {
      const before = await cpuOf(child);
      slices[i]!.push(await load(child.url, paths, DURATION_S / ROUNDS));
      cpu[i]! += (await cpuOf(child)) - before;
    }
  }
  return slices.map((parts, i) => {
    const latencies = parts.flatMap((p) => p.latencies).sort((x, y) => x - y);
    const total = parts.reduce((sum, p) => sum + p.total, 0);
    const m: Measured = {
      rps: total / DURATION_S, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99),
      errors: parts.reduce((sum, p) => sum + p.errors + p.non2xx, 0), cpuUs: cpu[i]! / Math.max(1, total),
    };
    console.log(`${labels[i]!.padEnd(26)} ${m.rps.toFixed(1).padStart(8)} req/s  p50 ${m.p50.toFixed(2)} ms  p95 ${m.p95.toFixed(2)} ms  ` +
      `p99 ${m.p99.toFixed(2)} ms  server CPU ${m.cpuUs.toFixed(0)} µs/req  errors ${m.errors}`);
    return m;
  }) as [Measured, Measured];
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
  process.env.BENCH_DATABASE_URL = databaseUrl;
  const db = await openDatabase({ url: databaseUrl, dataDir: '', poolSize: POOL_SIZE });
  let ours: Child | undefined;
  let bare: Child | undefined;
  try {
    await migrateLatest(db);
    await ensureBenchData(db);
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
    const [geo, geoBare] = await measurePair(ours, bare, lists.geocode, ['geocode: our endpoint', 'geocode: bare SQL']);
    const [eli, eliBare] = await measurePair(ours, bare, lists.eligibility, ['eligibility: our endpoint', 'eligibility: bare SQL']);
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
      errors: geo.errors + geoBare.errors + eli.errors + eliBare.errors,
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
    await stopChild(ours);
    await stopChild(bare);
    await db.close();
  }
}
