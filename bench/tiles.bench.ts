// `npm run bench -- tiles`: vector tiles on the generated data (200,000 parcels, 500,000 addresses,
// PostGIS). Cold: our endpoint with its cache off vs the same ST_AsMVT SQL behind a minimal node:http
// handler, and, on the z16 parcel tiles, vs the canonical query as the PostGIS manual and martin
// write it, on a plain table of the same parcels (geometry in 3857 and the public columns only),
// behind the same handler: a reference that shares none of our code; warm: our cached endpoint vs
// node:http returning the same bytes from memory, both on every core (node:cluster workers, as
// WEB_CONCURRENCY runs the app). Every server runs in child processes of its own (this file, forked
// with `--serve <role>`), autocannon in this one. Also scans tile sizes at each layer's first zooms
// and times the portable (embedded) producer. BENCH_TILES_PARTS (comma-separated, default all) runs
// only some parts: zooms (cold per zoom and all zooms against the bare server), sizes, producers,
// canonical, warm.
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBenchData } from './data/bench-data.ts';
import { appHandler } from './lib/app-server.ts';
import { ensureCanonicalTable, serveCanonical } from './lib/canonical-tiles.ts';
import { openBenchDatabase, openFilledBenchDatabase } from './lib/bench-database.ts';
import { measurePair, type Measured } from './lib/load.ts';
import { listenInChild, serveIfForked, startServerProcess, stopServerProcess, type ServerProcess } from './lib/server-process.ts';
import { EVERY_CORE, suiteMessage, superviseWorkers, workersToRun } from './lib/server-cluster.ts';
import { percentile, round } from './lib/stats.ts';
import { pathOf, tilesCovering, type Tile } from './lib/tiles.ts';
import { decodeTile } from '../tests/helpers/tile-golden.ts';
import { openDatabase, type Database } from '../core/db/database.ts';
import { migrateLatest } from '../core/db/migrate.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ident, publicRowFilter } from '../core/layers/layer-sql.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { createJsProducer } from '../server/tiles/tile-producers.ts';
import { buildMvtTileSql } from '../server/tiles/tile-sql.ts';

const ZOOMS = [10, 12, 14, 16];
/** Tiles per layer and zoom in the fixed list, spread evenly over the territory. */
const TILES_PER_LAYER_ZOOM = 30;
/** Zooms scanned for tile sizes from each layer's minzoom: the densest tiles are at the first ones. */
const SIZE_SCAN_ZOOMS = 2;

const PARTS = ['zooms', 'sizes', 'producers', 'canonical', 'warm'] as const;
type Part = (typeof PARTS)[number];

/** The parts BENCH_TILES_PARTS asks for (all by default); an unknown name is an error, not a silent skip. */
function partsToRun(raw: string | undefined): Set<Part> {
  if (!raw) return new Set(PARTS);
  const asked = raw.split(',').map((p) => p.trim());
  const unknown = asked.filter((p) => !PARTS.includes(p as Part));
  if (unknown.length) throw new Error(`BENCH_TILES_PARTS: unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.join(', ')}`);
  return new Set(asked as Part[]);
}

interface ListedTile extends Tile { layer: string; path: string }

// ---------------------------------------------------------------------------------------------
// Child processes: the servers under test.

type Role = 'app' | 'bare' | 'canonical' | 'memory';

/** The same SQL our ST_AsMVT producer sends, behind the least HTTP code that can answer a tile. */
function serveBare(db: Database): RequestListener {
  const registry = createLayerRegistry();
  const sql = new Map(registry.all.map((l) => [l.id, buildMvtTileSql([l])]));
  const route = /^\/tiles\/(\w+)\/(\d+)\/(\d+)\/(\d+)\.mvt$/;
  return (req, res) => {
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
function serveMemory(tiles: Map<string, Buffer>): RequestListener {
  return (req, res) => {
    const tile = tiles.get(req.url ?? '');
    if (!tile) return void res.writeHead(404).end();
    if (tile.length === 0) return void res.writeHead(204).end();
    res.writeHead(200, { 'Content-Type': 'application/vnd.mapbox-vector-tile', 'Content-Length': tile.length }).end(tile);
  };
}

async function serve(role: Role): Promise<void> {
  const db = role === 'memory' ? undefined : await openBenchDatabase(process.env.BENCH_DATABASE_URL!);
  let handler: RequestListener;
  if (role === 'app') handler = await appHandler(db!);
  else if (role === 'bare') handler = serveBare(db!);
  else if (role === 'canonical') handler = serveCanonical(db!);
  else {
    handler = serveMemory(await suiteMessage<Map<string, Buffer>>());
  }
  listenInChild(handler, () => void db?.close());
}

serveIfForked<Role>((role) => {
  const workers = workersToRun();
  return workers ? superviseWorkers(workers) : serve(role);
});

/** A server of `role`; the memory one is handed its tiles (a Map, hence the advanced serialization). */
const startChild = (role: Role, env: Record<string, string> = {}, tiles?: Map<string, Buffer>) =>
  startServerProcess(import.meta.url, role, { env, message: tiles, serialization: 'advanced' });

// ---------------------------------------------------------------------------------------------
// Load: our endpoint and its reference alternated on the same list (bench/lib/load.ts).

async function measureLogged(a: ServerProcess, b: ServerProcess, paths: readonly string[], labels: [string, string]): Promise<[Measured, Measured]> {
  const pair = await measurePair(a, b, paths);
  for (const [i, result] of pair.entries()) {
    console.log(`${labels[i]!.padEnd(30)} ${result.rps.toFixed(1).padStart(9)} tiles/s  p50 ${result.p50.toFixed(2)} ms  ` +
      `p99 ${result.p99.toFixed(2)} ms  server CPU ${result.cpuUs.toFixed(0)} µs/tile  errors ${result.errors}  non-2xx ${result.non2xx}`);
  }
  return pair;
}

// ---------------------------------------------------------------------------------------------
// The fixed tile list and the size scan.

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
  const parts = partsToRun(process.env.BENCH_TILES_PARTS);
  const db = await openFilledBenchDatabase(databaseUrl);
  const children: ServerProcess[] = [];
  const figures: Record<string, number | string | boolean> = {};
  try {
    const layers = createLayerRegistry().all.filter((l) => l.public);
    const list = await tileList(db, layers);
    const all = [...list.values()].flat();
    const paths = all.map((t) => t.path);

    if (parts.has('sizes')) {
      const sizes = await scanTileSizes(db, layers);
      Object.assign(figures, {
        max_tile_kb: round(sizes.max / 1024, 1),
        p95_tile_kb: round(sizes.p95 / 1024, 1),
        tiles_scanned: sizes.count,
        ...Object.fromEntries(Object.entries(sizes.worst).map(([k, v]) => [`max_kb_${k}`, round(v / 1024, 1)])),
      });
    }
    if (parts.has('producers')) {
      const js = await timeJsProducer(db, layers, all);
      console.log(`portable producer on the PostGIS data: mean ${js.mean.toFixed(2)} ms, p50 ${js.p50.toFixed(2)} ms per tile`);
      const embedded = await timeEmbedded(layers, all);
      console.log(`portable producer on the embedded database: mean ${embedded.mean.toFixed(2)} ms, p50 ${embedded.p50.toFixed(2)} ms per tile`);
      Object.assign(figures, {
        embedded_cold_ms: round(embedded.mean),
        embedded_cold_p50_ms: round(embedded.p50),
        embedded_measured_as: 'portable producer (SQL + JS encoder) on the embedded PGlite holding the same generated data, one tile at a time',
        js_producer_on_postgis_ms: round(js.mean),
      });
    }

    // Cold: no tile cache anywhere; per zoom, then the whole list.
    if (parts.has('zooms')) {
      const ours = await startChild('app', { TILE_CACHE_MB: '0' });
      children.push(ours);
      const bare = await startChild('bare');
      children.push(bare);
      for (const z of ZOOMS) {
        const zPaths = list.get(z)!.map((t) => t.path);
        if (zPaths.length === 0) continue;
        const [o, b] = await measureLogged(ours, bare, zPaths, [`cold z${z} our endpoint`, `cold z${z} bare ST_AsMVT`]);
        figures[`cold_ratio_z${z}`] = round(o.p50 / b.p50, 3);
        figures[`cold_tiles_per_s_z${z}`] = round(o.rps, 1);
        figures[`bare_tiles_per_s_z${z}`] = round(b.rps, 1);
      }
      const [coldOurs, coldBare] = await measureLogged(ours, bare, paths, ['cold all zooms our endpoint', 'cold all zooms bare ST_AsMVT']);
      await stopServerProcess(ours);
      await stopServerProcess(bare);
      Object.assign(figures, {
        cold_ratio: round(coldOurs.p50 / coldBare.p50, 3),
        p50_ms: round(coldOurs.p50),
        p99_ms: round(coldOurs.p99),
        cold_tiles_per_s: round(coldOurs.rps, 1),
        bare_tiles_per_s: round(coldBare.rps, 1),
        cold_server_cpu_us_per_tile: round(coldOurs.cpuUs, 0),
        bare_server_cpu_us_per_tile: round(coldBare.cpuUs, 0),
      });
    }

    // Cold z16 parcels against the canonical query on the plain table; the same tiles first.
    if (parts.has('canonical')) {
      await ensureCanonicalTable(db);
      const ours = await startChild('app', { TILE_CACHE_MB: '0' });
      children.push(ours);
      const canonical = await startChild('canonical');
      children.push(canonical);
      const parcelPaths = list.get(16)!.filter((t) => t.layer === 'parcels').map((t) => t.path);
      for (const p of parcelPaths.slice(0, 5)) {
        const [a, b] = await Promise.all([ours, canonical].map(async (s) => {
          const res = await fetch(s.url + p, { headers: { 'Accept-Encoding': 'identity' } });
          return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
        }));
        // Same features, ids, properties and geometry; their order follows each table's physical order.
        const same = a!.status === 200 && b!.status === 200 &&
          JSON.stringify(decodeTile(a!.bytes)) === JSON.stringify(decodeTile(b!.bytes));
        if (!same) {
          throw new Error(`our tile and the canonical query's differ on ${p}: HTTP ${a!.status} (${a!.bytes.length} bytes${a!.status === 200 ? '' : `: ${a!.bytes.toString().slice(0, 200)}`}) vs HTTP ${b!.status} (${b!.bytes.length} bytes)`);
        }
      }
      const [coldParcels, canonicalParcels] = await measureLogged(ours, canonical, parcelPaths, ['cold z16 parcels our endpoint', 'cold z16 parcels canonical query']);
      await stopServerProcess(ours);
      await stopServerProcess(canonical);
      Object.assign(figures, {
        cold_canonical_ratio: round(coldParcels.rps / canonicalParcels.rps, 3),
        cold_parcels_z16_tiles_per_s: round(coldParcels.rps, 1),
        canonical_parcels_z16_tiles_per_s: round(canonicalParcels.rps, 1),
        cold_parcels_z16_server_cpu_us_per_tile: round(coldParcels.cpuUs, 0),
        canonical_server_cpu_us_per_tile: round(canonicalParcels.cpuUs, 0),
      });
    }

    // Warm, on every core: our cache on and filled by the warm-up (each worker holds its own); the
    // reference serves the very same bytes from memory.
    if (parts.has('warm')) {
      const warmOurs = await startChild('app', { TILE_CACHE_MB: '512', ...EVERY_CORE });
      children.push(warmOurs);
      const bytes = new Map<string, Buffer>();
      for (const p of paths) bytes.set(p, Buffer.from(await (await fetch(warmOurs.url + p, { headers: { 'Accept-Encoding': 'identity' } })).arrayBuffer()));
      const memory = await startChild('memory', EVERY_CORE, bytes);
      children.push(memory);
      const [warm, warmMemory] = await measureLogged(warmOurs, memory, paths, ['warm our endpoint', 'warm node:http from memory']);
      Object.assign(figures, {
        warm_throughput_ratio: round(warm.rps / warmMemory.rps, 3),
        warm_workers: Number(EVERY_CORE.BENCH_SERVER_WORKERS),
        warm_errors: warm.errors + warm.non2xx,
        warm_server_cpu_us_per_tile: round(warm.cpuUs, 0),
        memory_server_cpu_us_per_tile: round(warmMemory.cpuUs, 0),
        warm_tiles_per_s: round(warm.rps, 0),
        memory_tiles_per_s: round(warmMemory.rps, 0),
        warm_p50_ms: round(warm.p50),
      });
    }
    figures.tiles_in_list = paths.length;
    return figures;
  } finally {
    for (const child of children) await stopServerProcess(child);
    await db.close();
  }
}
