// One change signal for tiles, OGC API and downloads: the freshness window and the database identity
// (unit, with a fake database), the disk cache of download files (unit, in a temporary directory),
// then through the real app: builds counted by its metrics, ETags after a write and after a
// simulated restore, conditional downloads decided without a scan, the disk bound.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queryable } from '../core/db/database.ts';
import {
  createChangeSignal, createVersionedMemo, lastModified, versionTag, type DataState,
} from '../core/db/change-signal.ts';
import { matchingEtag } from '../server/http/conditional.ts';
import { createDownloadCache, type CachedFile } from '../server/downloads/download-cache.ts';
import { tileAt } from './helpers/tile-golden.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

/** A database answering the change-signal query from `rows`; `calls` records each query's SQL. */
function fakeDb(rows: () => object[], fail?: () => Error | undefined) {
  const calls: string[] = [];
  const db: Queryable = {
    query: async <R>(text: string) => {
      calls.push(text);
      const error = fail?.();
      if (error) throw error;
      return { rows: rows() as R[] } as never;
    },
  };
  return { db, calls };
}

const row = (version: number, identity = 'token 5 16384 7714 1') =>
  ({ identity, layer: 'zone_lots', version, stamp: `${version}0000000-0000-4000-8000-000000000000`, updated_at: new Date(version * 1000) });

describe('change signal', () => {
  it('re-reads at most once per freshness window, sharing a read between concurrent requests', async () => {
    let now = 1000;
    let version = 1;
    const { db, calls } = fakeDb(() => [row(version)]);
    const signal = createChangeSignal(db, 250, () => now);
    await Promise.all([signal.current(), signal.current(), signal.current()]);
    expect(calls).toHaveLength(1);
    version = 2;
    now += 250;
    expect((await signal.current()).layers.get('zone_lots')!.version).toBe(1);
    now += 1;
    expect((await signal.current()).layers.get('zone_lots')!.version).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it('re-reads on every call with a window of 0', async () => {
    let version = 1;
    const { db, calls } = fakeDb(() => [row(version)]);
    const signal = createChangeSignal(db, 0, () => 5);
    await signal.current();
    version = 2;
    expect((await signal.current()).layers.get('zone_lots')!.version).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it('tries again after a failed read', async () => {
    let error: Error | undefined = new Error('down');
    const { db } = fakeDb(() => [row(3)], () => error);
    const signal = createChangeSignal(db, 10_000, () => 0);
    await expect(signal.current()).rejects.toThrow('down');
    error = undefined;
    expect((await signal.current()).layers.get('zone_lots')!.version).toBe(3);
  });

  it('leaves the control functions out of the identity, once and for good, where the role may not call them', async () => {
    const refused = Object.assign(new Error('permission denied for function pg_control_system'), { code: '42501' });
    const { db, calls } = fakeDb(() => [row(1)], () => (calls.at(-1)!.includes('pg_control') ? refused : undefined));
    const signal = createChangeSignal(db, 0);
    expect((await signal.current()).layers.get('zone_lots')!.version).toBe(1);
    await signal.current();
    expect(calls.map((sql) => sql.includes('pg_control'))).toEqual([true, false, false]);
  });

  it('gives another identity to another database, and reads an empty table as no version', async () => {
    let identity = 'token 5 16384 7714 1';
    const { db } = fakeDb(() => [row(1, identity)]);
    const signal = createChangeSignal(db, 0);
    const before = await signal.current();
    identity = 'token 5 16999 7714 1';
    const after = await signal.current();
    expect(after.identity).not.toBe(before.identity);
    expect(versionTag(after, ['zone_lots'])).not.toBe(versionTag(before, ['zone_lots']));
    const empty = await createChangeSignal(fakeDb(() => [{ identity, layer: null }]).db, 0).current();
    expect(empty.layers.size).toBe(0);
    expect(versionTag(empty, ['zone_lots'])).toBe(`${empty.identity}/zone_lots:0`);
  });

  it('tags layers with the identity, their write count and stamp, and dates a set by its last write', () => {
    const state: DataState = {
      identity: 'abc',
      layers: new Map([
        ['parcels', { version: 4, stamp: '0123abcd-0000-4000-8000-000000000000', updatedAt: new Date(2000) }],
        ['zone_lots', { version: 2, stamp: 'ffffeeee-0000-4000-8000-000000000000', updatedAt: new Date(1000) }],
      ]),
    };
    expect(versionTag(state, ['parcels', 'zone_lots', 'addresses'])).toBe('abc/parcels:4.0123abcd,zone_lots:2.ffffeeee,addresses:0');
    expect(lastModified(state, ['zone_lots', 'parcels'])).toEqual(new Date(2000));
    expect(lastModified(state, ['addresses'])).toBeUndefined();
  });

  it('reads a memoised value once per tag, and again after a failure', async () => {
    const memo = createVersionedMemo<number>();
    let reads = 0;
    const read = async () => ++reads;
    expect(await Promise.all([memo.get('a', 't1', read), memo.get('a', 't1', read)])).toEqual([1, 1]);
    expect(await memo.get('a', 't2', read)).toBe(2);
    await expect(memo.get('b', 't1', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await memo.get('b', 't1', read)).toBe(3);
  });

  it('matches If-None-Match weakly, in a list, and as *', () => {
    expect(matchingEtag('W/"a"', ['W/"a"'])).toBe('W/"a"');
    expect(matchingEtag('"x", "a"', ['W/"a"'])).toBe('W/"a"');
    expect(matchingEtag('*', ['W/"a"'])).toBe('W/"a"');
    expect(matchingEtag('W/"ab"', ['W/"a"'])).toBeUndefined();
    expect(matchingEtag(undefined, ['W/"a"'])).toBeUndefined();
  });
});

describe('download file cache', () => {
  let dir: string;
  const open: CachedFile[] = [];
  const dirBytes = () => readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  /** Opens a file of `bytes` bytes (building it if needed), counting builds in `built`. */
  const fileOf = async (cache: ReturnType<typeof createDownloadCache>, slot: string, version: string, bytes: number, built: string[]) => {
    const file = await cache.open(slot, version, async (path) => {
      built.push(`${slot}~${version}`);
      await writeFile(path, Buffer.alloc(bytes, 1));
    });
    open.push(file);
    return file;
  };
  const releaseAll = async () => {
    for (const file of open.splice(0)) {
      await file.handle.close();
      file.release();
    }
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'websig-files-'));
  });
  afterEach(async () => {
    await releaseAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a file once for concurrent requests, then reads it from disk', async () => {
    const cache = createDownloadCache(dir, 1 << 20);
    const built: string[] = [];
    const [a, b] = await Promise.all([fileOf(cache, 'parcels.4326.gpkg', 'v1', 100, built), fileOf(cache, 'parcels.4326.gpkg', 'v1', 100, built)]);
    expect([a.size, b.size]).toEqual([100, 100]);
    await fileOf(cache, 'parcels.4326.gpkg', 'v1', 100, built);
    expect(built).toEqual(['parcels.4326.gpkg~v1']);
    expect(cache.sizeOf('parcels.4326.gpkg', 'v1')).toBe(100);
    expect(cache.sizeOf('parcels.4326.gpkg', 'v2')).toBeUndefined();
  });

  it('removes a slot’s older version once a newer one is built, when no reader holds it', async () => {
    const cache = createDownloadCache(dir, 1 << 20);
    const built: string[] = [];
    const old = await fileOf(cache, 'parcels.4326.csv', 'v1', 10, built);
    await fileOf(cache, 'parcels.4326.csv', 'v2', 20, built);
    // Still being read: kept, and readable.
    expect(existsSync(join(dir, 'parcels.4326.csv~v1'))).toBe(true);
    expect((await old.handle.read(Buffer.alloc(10), 0, 10, 0)).bytesRead).toBe(10);
    await releaseAll();
    expect(readdirSync(dir)).toEqual(['parcels.4326.csv~v2']);
  });

  it('stays under its bound, the least recently used files going first, and serves a file larger than the bound once', async () => {
    const cache = createDownloadCache(dir, 250);
    const built: string[] = [];
    for (const slot of ['a.4326.csv', 'b.4326.csv']) await fileOf(cache, slot, 'v1', 100, built);
    await releaseAll();
    await fileOf(cache, 'a.4326.csv', 'v1', 100, built); // "a" is now the most recently used
    await fileOf(cache, 'c.4326.csv', 'v1', 100, built);
    await releaseAll();
    expect(dirBytes()).toBeLessThanOrEqual(250);
    expect(readdirSync(dir).sort()).toEqual(['a.4326.csv~v1', 'c.4326.csv~v1']);
    const big = await fileOf(cache, 'd.4326.gpkg', 'v1', 1000, built);
    expect(big.size).toBe(1000);
    await releaseAll();
    expect(dirBytes()).toBeLessThanOrEqual(250);
  });

  it('leaves no file behind a failed build, and builds again on the next request', async () => {
    const cache = createDownloadCache(dir, 1 << 20);
    await expect(cache.open('a.4326.csv', 'v1', async (path) => {
      await writeFile(path, 'half a fi');
      throw new Error('database gone');
    })).rejects.toThrow('database gone');
    expect(readdirSync(dir)).toEqual([]);
    const built: string[] = [];
    await fileOf(cache, 'a.4326.csv', 'v1', 5, built);
    expect(built).toHaveLength(1);
  });

  it('takes in the files of a previous run, keeping each slot’s newest and removing what a crash left half-written', () => {
    writeFileSync(join(dir, '.0b9c5e8e-1f2a.tmp'), 'half');
    writeFileSync(join(dir, 'a.4326.csv~v1'), 'old');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'a.4326.csv~v1'), past, past);
    writeFileSync(join(dir, 'a.4326.csv~v2'), 'newer');
    const cache = createDownloadCache(dir, 1 << 20);
    expect(readdirSync(dir)).toEqual(['a.4326.csv~v2']);
    expect(cache.sizeOf('a.4326.csv', 'v2')).toBe(5);
  });
});

describe('one change signal through the app', () => {
  let server: TestServer;
  let dataDir: string;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(server.url + path, { method, headers: { 'Cache-Control': 'max-age=0', ...headers } });
  const metric = async (base: string, name: string, label: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  let hotspotTile: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'websig-signal-'));
    // Versions re-read on every request, so a write shows at once and nothing waits on a clock.
    server = await startTestServer({ env: { TILE_FRESHNESS_MS: '0', DATA_DIR: dataDir } });
    const { rows: [p] } = await server.db.query<{ lon: number; lat: number }>(
      'SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM wifi_hotspots ORDER BY id LIMIT 1');
    const t = tileAt(p!.lon, p!.lat, 16);
    hotspotTile = `/tiles/wifi_hotspots/${t.z}/${t.x}/${t.y}.mvt`;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds a GeoPackage once for several downloads, reading it from disk after the first', async () => {
    const path = '/downloads/wifi_hotspots.gpkg?crs=2154';
    const [a, b] = await Promise.all([get(path), get(path)]);
    const third = await get(path);
    const bodies = await Promise.all([a, b, third].map(async (res) => Buffer.from(await res.arrayBuffer())));
    expect([a.status, b.status, third.status]).toEqual([200, 200, 200]);
    expect(bodies[1]!.equals(bodies[0]!) && bodies[2]!.equals(bodies[0]!)).toBe(true);
    expect(Number(third.headers.get('content-length'))).toBe(bodies[0]!.length);
    expect(await metric(server.url, 'websig_download_builds_total', 'format="gpkg"')).toBe(1);
    expect(readdirSync(join(dataDir, 'downloads')).filter((n) => n.startsWith('wifi_hotspots.2154.gpkg~'))).toHaveLength(1);
  });

  it('answers HEAD and conditional downloads from the versions alone, with no scan and no build', async () => {
    // A fresh app on the same database: nothing read or built yet.
    const fresh = await startTestServer({ db: server.db });
    try {
      const head = await fetch(`${fresh.url}/downloads/business_zones.gpkg`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      const etag = head.headers.get('etag')!;
      expect(head.headers.get('last-modified')).toBeTruthy();
      const again = await fetch(`${fresh.url}/downloads/business_zones.gpkg`, { headers: { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' } });
      expect(again.status).toBe(304);
      expect(await metric(fresh.url, 'websig_layer_summary_scans_total', 'layer="business_zones"')).toBe(0);
      expect(await metric(fresh.url, 'websig_download_builds_total', 'format="gpkg"')).toBe(0);
      // The full download scans once (for the file's dates) and builds once.
      expect((await fetch(`${fresh.url}/downloads/business_zones.gpkg`)).status).toBe(200);
      expect(await metric(fresh.url, 'websig_layer_summary_scans_total', 'layer="business_zones"')).toBe(1);
      expect(await metric(fresh.url, 'websig_download_builds_total', 'format="gpkg"')).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  /** The ETag of each consumer's answer about wifi_hotspots, and its body as text. */
  const answers = async () => {
    const paths = ['/downloads/wifi_hotspots.csv', '/ogc/collections/wifi_hotspots/items', '/ogc/collections/wifi_hotspots', hotspotTile];
    return Promise.all(paths.map(async (path) => {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      return { path, etag: res.headers.get('etag')!, body: Buffer.from(await res.arrayBuffer()) };
    }));
  };
  const statusesWith = async (held: { path: string; etag: string }[]) =>
    Promise.all(held.map(async ({ path, etag }) => (await get(path, { 'If-None-Match': etag })).status));

  it('answers 304 to current ETags, and after a write changes every ETag and serves the new data', async () => {
    const before = await answers();
    expect(await statusesWith(before)).toEqual([304, 304, 304, 304]);
    const { rows: [h] } = await server.db.query<{ id: number }>('SELECT id FROM wifi_hotspots ORDER BY id LIMIT 1');
    await server.db.query(`UPDATE wifi_hotspots SET name = 'Borne renommée' WHERE id = $1`, [h!.id]);
    expect(await statusesWith(before)).toEqual([200, 200, 200, 200]);
    const after = await answers();
    after.forEach((a, i) => expect(a.etag, a.path).not.toBe(before[i]!.etag));
    expect(after[0]!.body.toString()).toContain('Borne renommée');
    expect(after[1]!.body.toString()).toContain('Borne renommée');
    expect(after[3]!.body.includes('Borne renommée')).toBe(true);
    // The CSV of the older version is gone from disk.
    expect(readdirSync(join(dataDir, 'downloads')).filter((n) => n.startsWith('wifi_hotspots.4326.csv~'))).toHaveLength(1);
  });

  it('gives a 200, not a 304, to ETags from before a restore, even for the same versions', async () => {
    const before = await answers();
    const tagBefore = ((await (await get('/tiles/wifi_hotspots.json')).json()) as { data_version: string }).data_version;
    const built = await metric(server.url, 'websig_download_builds_total', 'format="csv"');
    // What pg_restore --clean does: layer_versions made anew, with the same rows.
    await server.db.transaction(async (tx) => {
      await tx.query('CREATE TABLE layer_versions_restored (LIKE layer_versions INCLUDING ALL)');
      await tx.query('INSERT INTO layer_versions_restored SELECT * FROM layer_versions');
      await tx.query('DROP TABLE layer_versions');
      await tx.query('ALTER TABLE layer_versions_restored RENAME TO layer_versions');
    });
    expect(await statusesWith(before)).toEqual([200, 200, 200, 200]);
    const after = await answers();
    after.forEach((a, i) => expect(a.etag, a.path).not.toBe(before[i]!.etag));
    expect(await statusesWith(after)).toEqual([304, 304, 304, 304]);
    const tagAfter = ((await (await get('/tiles/wifi_hotspots.json')).json()) as { data_version: string }).data_version;
    expect(tagAfter.split('/')[1]).toBe(tagBefore.split('/')[1]);
    expect(tagAfter).not.toBe(tagBefore);
    expect(await metric(server.url, 'websig_download_builds_total', 'format="csv"')).toBe(built + 1);
  });

  it('gives a 200 to ETags from before the database token changed, as in a database made anew', async () => {
    const before = await answers();
    await server.db.query(`UPDATE app_settings SET value = gen_random_uuid()::text WHERE key = 'database_token'`);
    expect(await statusesWith(before)).toEqual([200, 200, 200, 200]);
  });

  it('keeps the download files under DOWNLOAD_CACHE_MB', async () => {
    // Enough addresses for files of a few MiB: more than the bound of 1 MiB, alone or together.
    await server.db.query(`INSERT INTO addresses (id, numero, nom_voie, code_insee, nom_commune, geom)
      SELECT 'bound_' || i, i, 'Rue des Essais', '35188', 'Montfort-sur-Meu', ST_SetSRID(ST_MakePoint(-1.96 + i * 1e-6, 48.13), 4326)
        FROM generate_series(1, 12000) i`);
    const small = mkdtempSync(join(tmpdir(), 'websig-small-'));
    const bounded = await startTestServer({ db: server.db, env: { DOWNLOAD_CACHE_MB: '1', DATA_DIR: small } });
    try {
      const dir = join(small, 'downloads');
      const bytes = () => readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
      let served = 0;
      for (const file of ['addresses.csv', 'parcels.gpkg', 'addresses.gpkg', 'zone_lots.gpkg', 'addresses.geojson', 'business_zones.csv']) {
        const res = await fetch(`${bounded.url}/downloads/${file}`, { headers: { 'Accept-Encoding': 'identity' } });
        expect(res.status, file).toBe(200);
        served += (await res.arrayBuffer()).byteLength;
        // The file is let go when the response stream closes, just after the client has it all.
        for (let i = 0; i < 50 && bytes() > 1 << 20; i++) await new Promise((ok) => setTimeout(ok, 10));
        expect(bytes(), file).toBeLessThanOrEqual(1 << 20);
      }
      // More was served than the bound holds: the bound was put to the test.
      expect(served).toBeGreaterThan(1 << 20);
      expect(readdirSync(dir).length).toBeGreaterThan(0);
    } finally {
      await bounded.close();
      rmSync(small, { recursive: true, force: true });
    }
  });

  it('keeps no file under the name of a version the layer left before the file was built, serving it under the new one', async () => {
    // A long freshness window: the app goes on believing the version it read before the write.
    const slow = await startTestServer({ db: server.db, env: { TILE_FRESHNESS_MS: '60000' } });
    try {
      const before = await fetch(`${slow.url}/downloads/wifi_hotspots.csv`);
      expect(before.status).toBe(200);
      const oldEtag = before.headers.get('etag');
      await server.db.query(`UPDATE wifi_hotspots SET name = name || ' (renommé)' WHERE id = (SELECT min(id) FROM wifi_hotspots)`);
      const builds = await metric(slow.url, 'websig_download_builds_total', 'format="geojson"');
      const res = await fetch(`${slow.url}/downloads/wifi_hotspots.geojson`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('(renommé)');
      // Built for the stale version, found to hold the write, thrown away, built for the new one.
      expect(await metric(slow.url, 'websig_download_builds_total', 'format="geojson"')).toBe(builds + 2);
      const csv = await fetch(`${slow.url}/downloads/wifi_hotspots.csv`);
      expect(csv.headers.get('etag')).not.toBe(oldEtag);
      expect(await csv.text()).toContain('(renommé)');
    } finally {
      await slow.close();
    }
  });
});
