// `npm run bench -- tiles`: vector tiles on the generated data (200,000 parcels, 500,000 addresses,
// PostGIS). Cold: our endpoint with its cache off vs the same ST_AsMVT SQL behind a minimal node:http
// handler; warm: our cached endpoint vs node:http returning the same bytes from memory. Every server
// runs in its own child process (this file, forked with `--serve <role>`), autocannon in this one.
// Also scans tile sizes at each layer's first zooms and times the portable (embedded) producer.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchData } from './data/bench-data.ts';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { migrateLatest } from '../server/db/migrate.ts';
import { readDatabaseInfo } from '../server/http/health.routes.ts';
import type { LayerDef } from '../server/layers/layer-def.ts';
import { ident, publicRowFilter } from '../server/layers/layer-sql.ts';
import { createLayerRegistry } from '../server/layers/registry.ts';
import { createLogger } from '../server/logger.ts';
import { createJsProducer } from '../server/tiles/tile-producers.ts';
import { buildMvtTileSql } from '../server/tiles/tile-sql.ts';

const CONNECTIONS = 8;
const WARMUP_S = 5;
const DURATION_S = 20;
/** The 20 s are cut in this many slices, alternating the two servers compared. */
const ROUNDS = 4;
const ZOOMS = [10, 12, 14, 16];
/** Tiles per layer and zoom in the fixed list, spread evenly over the territory. */
const TILES_PER_LAYER_ZOOM = 30;
/** Zooms scanned for tile sizes from each layer's minzoom: the densest tiles are at the first ones. */
const SIZE_SCAN_ZOOMS = 2;
const POOL_SIZE = 10;

interface Tile { z: number; x: number; y: number }
interface ListedTile extends Tile { layer: string; path: string }

const pathOf = (layer: string, t: Tile) => `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// Child processes: the servers under test.

type Role = 'app' | 'bare' | 'memory';

/** Our app as `npm start` builds it, on the bench database; TILE_CACHE_MB comes from the parent. */
async function serveApp(db: Database) {
  const config = loadConfig({ ...process.env, PORT: '0', BASEMAP: 'none' });
  return createApp({
    config, db, layers: createLayerRegistry(), log: createLogger('warn'),
    databaseInfo: await readDatabaseInfo(db), sessionSecret: 'bench',
  }).callback();
}

/** The same SQL our ST_AsMVT producer sends, behind the least HTTP code that can answer a tile. */
function serveBare(db: Database) {
  const registry = createLayerRegistry();
  const sql = new Map(registry.all.map((l) => [l.id, buildMvtTileSql([l])]));
  const route = /^\/tiles\/(\w+)\/(\d+)\/(\d+)\/(\d+)\.mvt$/;
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const m = route.exec(req.url ?? '');
    const text = m && sql.get(m[1]!);
    if (!m || !text) return void res.writeHead(404).end();
    db.query<{ tile: Buffer }>(text, [Number(m[2]), Number(m[3]), Number(m[4])]).then(({ rows }) => {
      const tile = rows[0]!.tile;
      if (tile.length === 0) return void res.writeHead(204).end();
      res.writeHead(200, { 'Content-Type': 'application/vnd.mapbox-vector-tile', 'Content-Length': tile.length }).end(tile);
    }, () => res.writeHead(500).end());
  };
}

/** Bytes handed over by the parent, answered from a Map. */
function serveMemory(tiles: Map<string, Buffer>) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const tile = tiles.get(req.url ?? '');
    if (!tile) return void res.writeHead(404).end();
    if (tile.length === 0) return void res.writeHead(204).end();
    res.writeHead(200, { 'Content-Type': 'application/vnd.mapbox-vector-tile', 'Content-Length': tile.length }).end(tile);
  };
}

async function serve(role: Role): Promise<void> {
  const db = role === 'memory' ? undefined : await openDatabase({ url: process.env.BENCH_DATABASE_URL!, dataDir: '', poolSize: POOL_SIZE });
  let handler: Parameters<typeof createServer>[1];
  if (role === 'app') handler = await serveApp(db!);
  else if (role === 'bare') handler = serveBare(db!);
  else {
    const tiles = await new Promise<Map<string, Buffer>>((ok) => process.once('message', (m) => ok(m as Map<string, Buffer>)));
    handler = serveMemory(tiles);
  }
  const server = createServer({ keepAliveTimeout: 30_000 }, handler);
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  // CPU time the server has used so far: per request, it tells overhead apart from machine noise.
  process.on('message', (m) => m === 'cpu' && process.send!({ cpu: process.cpuUsage() }));
  process.once('disconnect', () => {
    server.close();
    void db?.close();
  });
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] as Role).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

interface Child { url: string; process: ChildProcess }

async function startChild(role: Role, env: Record<string, string> = {}, tiles?: Map<string, Buffer>): Promise<Child> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', role], {
    execArgv: ['--import', 'tsx'], env: { ...process.env, LOG_LEVEL: 'warn', ...env }, serialization: 'advanced',
  });
  if (tiles) child.send(tiles);
  const port = await new Promise<number>((ok, fail) => {
    child.once('message', (m) => ok((m as { port: number }).port));
    child.once('exit', (code) => fail(new Error(`bench server "${role}" exited with code ${code}`)));
  });
  child.removeAllListeners('exit');
  return { url: `http://127.0.0.1:${port}`, process: child };
}

/** Microseconds of CPU (user + system) the child server has used so far. */
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
// Load: autocannon, each request the next tile of the list (connections interleave over it).

interface Load { rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number; latencies: number[] }

function load(url: string, paths: readonly string[], seconds: number): Promise<Load> {
  let next = 0;
  const latencies: number[] = [];
  return new Promise((ok, fail) => {
    const instance = autocannon({
      url, connections: CONNECTIONS, duration: seconds,
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
    }, (error, result) => {
      if (error) return fail(error);
      const sorted = [...latencies].sort((a, b) => a - b);
      ok({
        rps: result.requests.total / seconds,
        p50: percentile(sorted, 50), p99: percentile(sorted, 99),
        errors: result.errors + result.timeouts, non2xx: result.non2xx, total: result.requests.total, latencies,
      });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  });
}

interface Measured extends Load {
  /** Server CPU (user + system) per request, in microseconds. */
  cpuUs: number;
}

/**
 * Measures two servers on the same paths, alternating them in ROUNDS slices of the run after a
 * warm-up each, so that whatever else the machine does weighs on both alike; the figures pool all
 * slices of a server.
 */
async function measurePair(a: Child, b: Child, paths: readonly string[], labels: [string, string]): Promise<[Measured, Measured]> {
  await load(a.url, paths, WARMUP_S);
  await load(b.url, paths, WARMUP_S);
  const slices: [Load[], Load[]] = [[], []];
  const cpu = [0, 0];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, child] of [a, b].entries()) {
      const before = await cpuOf(child);
      slices[i]!.push(await load(child.url, paths, DURATION_S / ROUNDS));
      cpu[i]! += (await cpuOf(child)) - before;
    }
  }
  return slices.map((parts, i) => {
    const latencies = parts.flatMap((p) => p.latencies).sort((x, y) => x - y);
    const total = parts.reduce((sum, p) => sum + p.total, 0);
    const result: Measured = {
      rps: total / DURATION_S, p50: percentile(latencies, 50), p99: percentile(latencies, 99), total, latencies: [],
      errors: parts.reduce((sum, p) => sum + p.errors, 0), non2xx: parts.reduce((sum, p) => sum + p.non2xx, 0),
      cpuUs: cpu[i]! / Math.max(1, total),
    };
    console.log(`${labels[i]!.padEnd(30)} ${result.rps.toFixed(1).padStart(9)} tiles/s  p50 ${result.p50.toFixed(2)} ms  ` +
      `p99 ${result.p99.toFixed(2)} ms  server CPU ${result.cpuUs.toFixed(0)} µs/tile  errors ${result.errors}  non-2xx ${result.non2xx}`);
    return result;
  }) as [Measured, Measured];
}

// ---------------------------------------------------------------------------------------------
// The fixed tile list and the size scan.

function tileAt(lon: number, lat: number, z: number): Tile {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n) };
}

function tilesCovering([west, south, east, north]: readonly number[], z: number): Tile[] {
  const a = tileAt(west!, north!, z);
  const b = tileAt(east!, south!, z);
  const tiles: Tile[] = [];
  for (let y = a.y; y <= b.y; y++) for (let x = a.x; x <= b.x; x++) tiles.push({ z, x, y });
  return tiles;
}

async function extentOf(db: Database, from: string): Promise<number[] | undefined> {
  const { rows } = await db.query<{ b: number[] | null }>(
    `SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]::float8[] AS b FROM (SELECT ST_Extent(geom) AS e FROM ${from}) s`);
  return rows[0]?.b?.[0] === null ? undefined : rows[0]?.b ?? undefined;
}

async function mvtBytes(db: Database, layer: LayerDef, t: Tile): Promise<number> {
  const { rows } = await db.query<{ tile: Buffer }>(buildMvtTileSql([layer]), [t.z, t.x, t.y]);
  return rows[0]!.tile.length;
}

/** For each zoom, up to TILES_PER_LAYER_ZOOM non-empty tiles of each layer serving it, spread over its data. */
async function tileList(db: Database, layers: readonly LayerDef[]): Promise<Map<number, ListedTile[]>> {
  const list = new Map<number, ListedTile[]>();
  for (const z of ZOOMS) {
    const tiles: ListedTile[] = [];
    for (const layer of layers.filter((l) => z >= l.minzoom && z <= l.maxzoom)) {
      const extent = await extentOf(db, `${ident(layer.id)} t WHERE ${publicRowFilter(layer)}`);
      if (!extent) continue;
      // An even stride over the tiles of the layer's extent, twice as many as needed: some are empty.
      const covering = tilesCovering(extent, z);
      const stride = Math.max(1, covering.length / (2 * TILES_PER_LAYER_ZOOM));
      let kept = 0;
      for (let i = 0; i < covering.length && kept < TILES_PER_LAYER_ZOOM; i += stride) {
        const t = covering[Math.floor(i)]!;
        if (await mvtBytes(db, layer, t) === 0) continue;
        tiles.push({ ...t, layer: layer.id, path: pathOf(layer.id, t) });
        kept++;
      }
    }
    list.set(z, tiles);
    console.log(`z${z}: ${tiles.length} tiles (${[...new Set(tiles.map((t) => t.layer))].join(', ') || 'no layer with data'})`);
  }
  return list;
}

/** Encoded sizes of every non-empty tile at the first SIZE_SCAN_ZOOMS zooms of each layer with data. */
async function scanTileSizes(db: Database, layers: readonly LayerDef[]) {
  const sizes: number[] = [];
  const worst: Record<string, number> = {};
  for (const layer of layers) {
    const extent = await extentOf(db, `${ident(layer.id)} t WHERE ${publicRowFilter(layer)}`);
    if (!extent) continue;
    for (let z = layer.minzoom; z < layer.minzoom + SIZE_SCAN_ZOOMS && z <= layer.maxzoom; z++) {
      const tiles = tilesCovering(extent, z);
      const layerSizes: number[] = [];
      // Two queries at a time: the machine has two cores.
      for (let i = 0; i < tiles.length; i += 2) {
        const batch = await Promise.all(tiles.slice(i, i + 2).map((t) => mvtBytes(db, layer, t)));
        for (const bytes of batch) if (bytes > 0) layerSizes.push(bytes);
      }
      layerSizes.sort((a, b) => a - b);
      sizes.push(...layerSizes);
      worst[`${layer.id}_z${z}`] = layerSizes.at(-1) ?? 0;
      console.log(`sizes ${layer.id} z${z}: ${layerSizes.length} tiles, median ${(percentile(layerSizes, 50) / 1024).toFixed(1)} KB, ` +
        `p95 ${(percentile(layerSizes, 95) / 1024).toFixed(1)} KB, max ${((layerSizes.at(-1) ?? 0) / 1024).toFixed(1)} KB`);
    }
  }
  sizes.sort((a, b) => a - b);
  return { max: sizes.at(-1) ?? 0, p95: percentile(sizes, 95), count: sizes.length, worst };
}

/**
 * Mean and median ms per tile of the portable producer (SQL + JS encoder), one tile at a time, after
 * one pass over the list so that database buffers and plans are warm, as in the cold HTTP runs.
 */
async function timeJsProducer(db: Database, layers: readonly LayerDef[], tiles: readonly ListedTile[]) {
  const producer = createJsProducer(db);
  const byId = new Map(layers.map((l) => [l.id, l]));
  for (const t of tiles) await producer.produce([byId.get(t.layer)!], t);
  const ms: number[] = [];
  for (const t of tiles) {
    const started = performance.now();
    await producer.produce([byId.get(t.layer)!], t);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { mean: ms.reduce((a, b) => a + b, 0) / ms.length, p50: percentile(ms, 50) };
}

/**
 * The same timing on the embedded database (PGlite, where tiles always take the portable path), with
 * the same generated data: kept between runs under the system's temporary directory, since making
 * it there takes a minute or two.
 */
async function timeEmbedded(layers: readonly LayerDef[], tiles: readonly ListedTile[]) {
  const dataDir = join(tmpdir(), 'websig-bench-embedded');
  console.log(`embedded database in ${dataDir}`);
  const db = await openDatabase({ dataDir });
  try {
    await migrateLatest(db);
    await ensureBenchData(db);
    return await timeJsProducer(db, layers, tiles);
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------

export async function run(databaseUrl: string): Promise<Record<string, number | string | boolean>> {
  process.env.BENCH_DATABASE_URL = databaseUrl;
  const db = await openDatabase({ url: databaseUrl, dataDir: '', poolSize: POOL_SIZE });
  const children: Child[] = [];
  try {
    await migrateLatest(db);
    await ensureBenchData(db);
    const layers = createLayerRegistry().all.filter((l) => l.public);
    const list = await tileList(db, layers);
    const all = [...list.values()].flat();
    const paths = all.map((t) => t.path);
    const sizes = await scanTileSizes(db, layers);
    const js = await timeJsProducer(db, layers, all);
    console.log(`portable producer on the PostGIS data: mean ${js.mean.toFixed(2)} ms, p50 ${js.p50.toFixed(2)} ms per tile`);
    const embedded = await timeEmbedded(layers, all);
    console.log(`portable producer on the embedded database: mean ${embedded.mean.toFixed(2)} ms, p50 ${embedded.p50.toFixed(2)} ms per tile`);

    // Cold: no tile cache anywhere; per zoom, then the whole list.
    const figures: Record<string, number | string | boolean> = {};
    const ours = await startChild('app', { TILE_CACHE_MB: '0' });
    children.push(ours);
    const bare = await startChild('bare');
    children.push(bare);
    for (const z of ZOOMS) {
      const zPaths = list.get(z)!.map((t) => t.path);
      if (zPaths.length === 0) continue;
      const [o, b] = await measurePair(ours, bare, zPaths, [`cold z${z} our endpoint`, `cold z${z} bare ST_AsMVT`]);
      figures[`cold_ratio_z${z}`] = round(o.p50 / b.p50, 3);
      figures[`cold_tiles_per_s_z${z}`] = round(o.rps, 1);
      figures[`bare_tiles_per_s_z${z}`] = round(b.rps, 1);
    }
    const [coldOurs, coldBare] = await measurePair(ours, bare, paths, ['cold all zooms our endpoint', 'cold all zooms bare ST_AsMVT']);
    await stopChild(ours);
    await stopChild(bare);

    // Warm: our cache on and filled by the warm-up; the reference serves the very same bytes.
    const warmOurs = await startChild('app', { TILE_CACHE_MB: '512' });
    children.push(warmOurs);
    const bytes = new Map<string, Buffer>();
    for (const p of paths) bytes.set(p, Buffer.from(await (await fetch(warmOurs.url + p, { headers: { 'Accept-Encoding': 'identity' } })).arrayBuffer()));
    const memory = await startChild('memory', {}, bytes);
    children.push(memory);
    const [warm, warmMemory] = await measurePair(warmOurs, memory, paths, ['warm our endpoint', 'warm node:http from memory']);

    Object.assign(figures, {
      cold_ratio: round(coldOurs.p50 / coldBare.p50, 3),
      warm_throughput_ratio: round(warm.rps / warmMemory.rps, 3),
      warm_errors: warm.errors + warm.non2xx,
      p50_ms: round(coldOurs.p50),
      p99_ms: round(coldOurs.p99),
      max_tile_kb: round(sizes.max / 1024, 1),
      embedded_cold_ms: round(embedded.mean),
      cold_tiles_per_s: round(coldOurs.rps, 1),
      bare_tiles_per_s: round(coldBare.rps, 1),
      cold_server_cpu_us_per_tile: round(coldOurs.cpuUs, 0),
      bare_server_cpu_us_per_tile: round(coldBare.cpuUs, 0),
      warm_server_cpu_us_per_tile: round(warm.cpuUs, 0),
      memory_server_cpu_us_per_tile: round(warmMemory.cpuUs, 0),
      warm_tiles_per_s: round(warm.rps, 0),
      memory_tiles_per_s: round(warmMemory.rps, 0),
      warm_p50_ms: round(warm.p50),
      p95_tile_kb: round(sizes.p95 / 1024, 1),
      tiles_scanned: sizes.count,
      tiles_in_list: paths.length,
      embedded_cold_p50_ms: round(embedded.p50),
      embedded_measured_as: 'portable producer (SQL + JS encoder) on the embedded PGlite holding the same generated data, one tile at a time',
      js_producer_on_postgis_ms: round(js.mean),
      ...Object.fromEntries(Object.entries(sizes.worst).map(([k, v]) => [`max_kb_${k}`, round(v / 1024, 1)])),
    });
    return figures;
  } finally {
    for (const child of children) await stopChild(child);
    await db.close();
  }
}
