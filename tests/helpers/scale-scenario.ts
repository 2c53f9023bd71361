// The scale scenario on a running cluster, shared by tests/scale.test.ts (short) and `npm run bench --
// scale` (full): load through HAProxy while one instance is SIGKILLed and restarted, replica lag
// sampled meanwhile, then an edit through one instance timed until a tile through another shows it,
// and a session used on every instance.
import autocannon from 'autocannon';
import { openDatabase } from '../../core/db/database.ts';
import { upsertUser } from '../../server/auth/users.ts';
import type { ScaleCluster } from './scale-cluster.ts';
import { decodeTile, tileAt, tilePath } from './tile-golden.ts';

export interface ScaleFigures {
  /** Requests answered through HAProxy during the load. */
  requests: number;
  /** Requests that failed (error, timeout or non-2xx) during the load, the kill included. */
  failed_during_kill: number;
  p99_ms: number;
  /** Largest replica lag an instance reported while under load. */
  replica_lag_ms_max: number;
  /** From an edit's answer on one instance to a tile through another showing it. */
  edit_to_tile_ms: number;
  /** The killed instance, restarted, is UP in HAProxy and served requests again. */
  rejoined: boolean;
  /** Instances on which the session made on the first one answered /api/auth/me. */
  session_instances: number;
  /** Reports of one client sent at once through HAProxy (RATE_LIMIT_BURST). */
  rate_limit_burst: number;
  /** Of those, accepted (201) and refused (429); any other answer counts in neither. */
  rate_limit_accepted: number;
  rate_limit_refused: number;
  /** The statuses of the answers that were neither, in order (none expected). */
  rate_limit_other: number[];
  /** Instances that answered part of the burst (HAProxy's per-server request counts). */
  rate_limit_instances: number;
}

/** Reports sent at once in the rate-limit burst: two more than INCIDENT_RATE_LIMIT's default (10). */
export const RATE_LIMIT_BURST = 12;

export interface ScenarioOptions {
  loadSeconds: number;
  /** When the second instance is killed, in seconds after the load starts. */
  killAfterS: number;
  connections: number;
}

type Lot = { id: number; lon: number; lat: number; price: number | null };

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The paths the load cycles over: versioned tiles near a lot and the public read APIs. */
async function loadPaths(cluster: ScaleCluster, lot: Lot): Promise<string[]> {
  const paths: string[] = [];
  for (const layers of ['zone_lots', 'fibre_phases', 'wifi_hotspots']) {
    const tj = (await (await fetch(`${cluster.url}/tiles/${layers}.json`)).json()) as { tiles: string[] };
    const v = new URL(tj.tiles[0]!.replace('{z}/{x}/{y}', '0/0/0')).searchParams.get('v');
    for (const z of [13, 14, 15, 16]) {
      const t = tileAt(lot.lon, lot.lat, z);
      for (const dx of [-1, 0, 1]) paths.push(`${tilePath(layers, { ...t, x: t.x + dx })}?v=${v}`);
    }
  }
  paths.push('/ogc/collections/wifi_hotspots/items?limit=20', '/ogc/collections/zone_lots/items?limit=10',
    '/api/geocode?q=rue%20de%20montfort', `/api/eligibility?lon=${lot.lon}&lat=${lot.lat}`);
  return paths;
}

export async function runScaleScenario(cluster: ScaleCluster, options: ScenarioOptions): Promise<ScaleFigures> {
  const primary = await openDatabase({ url: cluster.primaryUrl, dataDir: '', poolSize: 2 });
  try {
    const { rows } = await primary.query<Lot>(
      `SELECT id, ST_X(p) AS lon, ST_Y(p) AS lat, price_per_m2 AS price
         FROM (SELECT id, price_per_m2, ST_PointOnSurface(geom) AS p FROM zone_lots ORDER BY id LIMIT 1) s`);
    const lot = rows[0]!;
    const paths = await loadPaths(cluster, lot);
    const [first, victim, third] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0], typeof cluster.instances[0]];

    // Lag as the instances see it, sampled through /ready while the load runs.
    let lagMax = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ready = (await (await fetch(`${first.url}/ready`)).json().catch(() => ({}))) as { replicas?: { lagMs: number | null }[] };
        for (const r of ready.replicas ?? []) if (r.lagMs !== null) lagMax = Math.max(lagMax, r.lagMs);
        await sleep(200);
      }
    })();

    const latencies: number[] = [];
    let next = 0;
    const killer = sleep(options.killAfterS * 1000).then(() => victim.kill());
    const result = await new Promise<autocannon.Result>((ok, fail) => {
      const instance = autocannon({
        url: cluster.url, connections: options.connections, duration: options.loadSeconds,
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
      }, (error, res) => (error ? fail(error) : ok(res)));
      instance.on('response', (_c: unknown, _s: number, _b: number, ms: number) => latencies.push(ms));
    });
    await killer;
    sampling = false;
    await sampler;

    // Restarted, the instance must be UP again and take requests.
    await victim.restart();
    const before = (await cluster.serverStates()).get('app2')?.sessions ?? 0;
    let rejoined = false;
    for (let i = 0; i < 100 && !rejoined; i++) {
      await fetch(`${cluster.url}/ready`);
      const state = (await cluster.serverStates()).get('app2');
      rejoined = state?.status === 'UP' && state.sessions > before;
      if (!rejoined) await sleep(100);
    }

    // A staff session made on the first instance, then an edit through it seen through the third.
    const email = `scale-${Date.now()}@montfort-communaute.test`;
    await upsertUser(primary, email, 'staff', 'correct horse battery staple');
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple' }),
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    let sessionInstances = 0;
    for (const instance of cluster.instances) {
      const me = await fetch(`${instance.url}/api/auth/me`, { headers: { cookie } });
      if (me.status === 200 && ((await me.json()) as { user?: { email?: string } }).user?.email === email) sessionInstances++;
    }

    const price = (lot.price ?? 10) + 1 + Math.round(Math.random() * 50);
    const current = await fetch(`${first.url}/api/lots/${lot.id}`, { headers: { cookie } });
    const patched = await fetch(`${first.url}/api/lots/${lot.id}`, {
      method: 'PATCH',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrfToken, 'if-match': current.headers.get('etag')! },
      body: JSON.stringify({ price_per_m2: price }),
    });
    if (patched.status !== 200) throw new Error(`edit failed: ${patched.status} ${await patched.text()}`);
    const editedAt = performance.now();
    let editToTile = Infinity;
    const tile = tileAt(lot.lon, lot.lat, 16);
    while (performance.now() - editedAt < 5000) {
      const tj = (await (await fetch(`${third.url}/tiles/zone_lots.json`)).json()) as { tiles: string[] };
      const v = new URL(tj.tiles[0]!.replace('{z}/{x}/{y}', '0/0/0')).searchParams.get('v');
      const res = await fetch(`${third.url}${tilePath('zone_lots', tile)}?v=${v}`);
      if (res.status === 200) {
        const features = decodeTile(new Uint8Array(await res.arrayBuffer())).zone_lots?.features ?? [];
        if (features.some((f) => f.id === lot.id && f.properties.price_per_m2 === price)) {
          editToTile = performance.now() - editedAt;
          break;
        }
      }
      await sleep(20);
    }

    const burst = await reportBurst(cluster, lot);

    latencies.sort((a, b) => a - b);
    return {
      requests: result.requests.total,
      failed_during_kill: result.errors + result.timeouts + result.non2xx,
      p99_ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? NaN,
      replica_lag_ms_max: lagMax,
      edit_to_tile_ms: Math.round(editToTile),
      rejoined,
      session_instances: sessionInstances,
      ...burst,
    };
  } finally {
    await primary.close();
  }
}

/**
 * RATE_LIMIT_BURST reports from one client, all sent at once through HAProxy (leastconn spreads
 * them over the instances): how many were accepted and refused, and how many instances answered.
 */
async function reportBurst(
  cluster: ScaleCluster, lot: Lot,
): Promise<Pick<ScaleFigures, 'rate_limit_burst' | 'rate_limit_accepted' | 'rate_limit_refused' | 'rate_limit_other' | 'rate_limit_instances'>> {
  const services = (await (await fetch(`${cluster.url}/open311/v2/services.json`)).json()) as { service_code: string }[];
  const before = await cluster.serverStates();
  const answers = await Promise.all(Array.from({ length: RATE_LIMIT_BURST }, async (_, i) => {
    const res = await fetch(`${cluster.url}/open311/v2/requests.json`, {
      method: 'POST',
      body: new URLSearchParams({
        service_code: services[0]!.service_code, lat: String(lot.lat), long: String(lot.lon), description: `Signalement en rafale ${i + 1}`,
      }),
    });
    await res.arrayBuffer();
    return res.status;
  }));
  const after = await cluster.serverStates();
  const served = [...after].filter(([name, state]) => state.sessions > (before.get(name)?.sessions ?? 0)).length;
  return {
    rate_limit_burst: RATE_LIMIT_BURST,
    rate_limit_accepted: answers.filter((s) => s === 201).length,
    rate_limit_refused: answers.filter((s) => s === 429).length,
    rate_limit_other: answers.filter((s) => s !== 201 && s !== 429),
    rate_limit_instances: served,
  };
}
