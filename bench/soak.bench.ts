// `npm run bench -- soak`: the app (a child process, on the bench PostGIS) under a steady mix of
// tiles, OGC items, geocode, eligibility, downloads and logins, then the same public mix beside a
// login flood. Figures: requests, 5xx, p99 per route, RSS growth after warm-up, database
// connections left open, and the public p99 under the flood over the one without it.
// BENCH_SOAK_S (default 60, the short mode) is the length of each of the two phases; the issue's
// full run is BENCH_SOAK_S=150 (5 minutes in all).
import autocannon from 'autocannon';
import { appHandler } from './lib/app-server.ts';
import { openBenchDatabase, openFilledBenchDatabase } from './lib/bench-database.ts';
import { memoryOf } from './lib/rss.ts';
import { listenInChild, serveIfForked, startServerProcess, stopServerProcess, type ServerProcess } from './lib/server-process.ts';
import { percentile, round } from './lib/stats.ts';
import { pathOf, tileAt } from './lib/tiles.ts';

const PHASE_S = Number(process.env.BENCH_SOAK_S ?? 60);
const WARMUP_S = 5;
/** Targets of the issue. */
const RSS_GROWTH_TARGET_PCT = 10;
const FLOOD_RATIO_TARGET = 2;

serveIfForked<'app'>(async () => {
  const db = await openBenchDatabase(process.env.BENCH_DATABASE_URL!);
  listenInChild(await appHandler(db), () => void db.close());
});

/** The public routes of the mix, each a short list of paths walked in turn. */
function publicRoutes(): Record<string, string[]> {
  const places = [[-1.9614, 48.1266], [-1.9, 48.16], [-2.03, 48.13], [-1.86, 48.12], [-1.99, 48.09]] as const;
  return {
    tiles: places.flatMap(([lon, lat]) => [13, 14, 15].map((z) => pathOf('parcels,zone_lots,fibre_phases', tileAt(lon, lat, z)))),
    items: places.map(([lon, lat]) => `/ogc/collections/addresses/items?limit=50&bbox=${lon - 0.01},${lat - 0.01},${lon + 0.01},${lat + 0.01}`),
    geocode: ['rue', 'place', 'chemin', 'allee', 'route'].map((q) => `/api/geocode?q=${q}&limit=5`),
    eligibility: places.map(([lon, lat]) => `/api/eligibility?lon=${lon}&lat=${lat}`),
    downloads: ['/downloads/wifi_hotspots.csv', '/downloads/fibre_phases.geojson', '/downloads/business_zones.csv'],
  };
}

interface RouteRun {
  route: string; total: number; fiveXx: number; latencies: number[];
  /** Answers by status code other than 2xx (a 503 of a full queue is not a 500 of a bug). */
  statuses: Record<string, number>;
}

/** Runs autocannon on one route's paths with `connections` for `seconds`; counts 5xx apart. */
function runRoute(url: string, route: string, paths: readonly string[], seconds: number, connections: number, init: { method?: string; body?: (i: number) => string } = {}): Promise<RouteRun> {
  let next = 0;
  const latencies: number[] = [];
  return new Promise((ok, fail) => {
    const instance = autocannon({
      url, connections, duration: seconds,
      requests: [{
        setupRequest: (req) => {
          const i = next++;
          return {
            ...req, path: paths[i % paths.length]!,
            ...(init.method ? { method: init.method as 'POST', headers: { 'content-type': 'application/json' }, body: init.body!(i) } : {}),
          };
        },
      }],
    }, (error, result) => (error ? fail(error) : ok({
      route, total: result.requests.total, fiveXx: result['5xx'], latencies: latencies.sort((a, b) => a - b),
      statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).filter(([code]) => !code.startsWith('2')).map(([code, { count }]) => [code, count ?? 0])),
    })));
    instance.on('response', (_c: unknown, _s: number, _b: number, ms: number) => latencies.push(ms));
  });
}

/** Wrong passwords for a few accounts from loopback: the limiter and the hashing queue answer. */
const loginBody = (i: number) => JSON.stringify({ email: `flood-${i % 20}@montfort.test`, password: `wrong-${i}` });

async function publicMix(url: string, seconds: number, withLogins: boolean, flood: boolean): Promise<RouteRun[]> {
  const routes = Object.entries(publicRoutes()).map(([route, paths]) => runRoute(url, route, paths, seconds, 2));
  if (withLogins) routes.push(runRoute(url, 'login', ['/api/auth/login'], seconds, flood ? 16 : 1, { method: 'POST', body: loginBody }));
  return Promise.all(routes);
}

const publicP99 = (runs: RouteRun[]) =>
  percentile(runs.filter((r) => r.route !== 'login').flatMap((r) => r.latencies).sort((a, b) => a - b), 99);

async function connectionsOpen(url: string): Promise<number> {
  const db = await openBenchDatabase(url);
  try {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'websig' AND pid <> pg_backend_pid()`);
    return rows[0]!.n;
  } finally {
    await db.close();
  }
}

export async function run(databaseUrl: string): Promise<Record<string, number>> {
  const db = await openFilledBenchDatabase(databaseUrl);
  await db.close();
  let app: ServerProcess | undefined;
  try {
    // The production password cost: the flood must cost what it would.
    app = await startServerProcess(import.meta.url, 'app', { env: { PASSWORD_HASH_COST: '17', TILE_CACHE_MB: '128' } });
    console.log(`soak: two phases of ${PHASE_S} s after a ${WARMUP_S} s warm-up`);
    await publicMix(app.url, WARMUP_S, true, false);
    const rssStart = memoryOf(app.process.pid!).rss;
    const steady = await publicMix(app.url, PHASE_S, true, false);
    const flooded = await publicMix(app.url, PHASE_S, true, true);
    const rssEnd = memoryOf(app.process.pid!).rss;
    const all = [...steady, ...flooded];
    const figures: Record<string, number> = {
      requests: all.reduce((n, r) => n + r.total, 0),
      errors_5xx: all.reduce((n, r) => n + r.fiveXx, 0),
      p99_ms: round(percentile(all.flatMap((r) => r.latencies).sort((a, b) => a - b), 99)),
      rss_growth_pct: round(((rssEnd - rssStart) / rssStart) * 100),
      public_p99_ratio_under_login_flood: round(publicP99(flooded) / publicP99(steady)),
      db_connections_open: await connectionsOpen(databaseUrl),
      phase_s: PHASE_S,
    };
    for (const r of steady) figures[`p99_ms_${r.route}`] = round(percentile(r.latencies, 99));
    for (const [phase, runs] of [['steady', steady], ['flood', flooded]] as const) {
      for (const r of runs) for (const [code, count] of Object.entries(r.statuses)) figures[`status_${code}_${r.route}_${phase}`] = count;
    }
    console.log(`soak: ${figures.errors_5xx} × 5xx (target 0); RSS growth ${figures.rss_growth_pct} % (target < ${RSS_GROWTH_TARGET_PCT}); ` +
      `public p99 under a login flood ${figures.public_p99_ratio_under_login_flood} × (target ≤ ${FLOOD_RATIO_TARGET})`);
    return figures;
  } finally {
    await stopServerProcess(app);
  }
}
