// /metrics tells an operator how the tile cache, the database pool and the import jobs are doing:
// each series is read here by its name and labels, and the tile cache's follow the requests made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

/** The value of one series in a Prometheus text exposition, or undefined when it is absent. */
function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ? match[2].split(',') : [];
    if (wanted.length === present.length && wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return undefined;
}

describe('operational metrics', () => {
  let server: TestServer;
  const scrape = async () => (await fetch(`${server.url}/metrics`)).text();

  beforeAll(async () => {
    server = await startTestServer({ env: { TILE_CACHE_MB: '16' } });
  });
  afterAll(async () => server?.close());

  it('counts tile cache misses and hits, and the bytes the cache holds', async () => {
    // z10 tile over Montfort-sur-Meu.
    const tile = `${server.url}/tiles/fibre_phases,business_zones/10/506/355.mvt`;
    const before = await scrape();
    const misses = seriesValue(before, 'websig_tile_cache_lookups_total', { result: 'miss' }) ?? 0;
    const hits = seriesValue(before, 'websig_tile_cache_lookups_total', { result: 'hit' }) ?? 0;
    expect((await fetch(tile)).status).toBe(200);
    const first = await scrape();
    expect(seriesValue(first, 'websig_tile_cache_lookups_total', { result: 'miss' })).toBe(misses + 1);
    expect(seriesValue(first, 'websig_tile_cache_bytes')).toBeGreaterThan(0);
    expect((await fetch(tile)).status).toBe(200);
    const second = await scrape();
    expect(seriesValue(second, 'websig_tile_cache_lookups_total', { result: 'hit' })).toBe(hits + 1);
    expect(seriesValue(second, 'websig_tile_cache_lookups_total', { result: 'miss' })).toBe(misses + 1);
  });

  it('shows the database pool’s size, its connections in use and idle, and the requests waiting', async () => {
    await server.db.query('SELECT 1');
    const text = await scrape();
    const max = seriesValue(text, 'websig_db_pool_connections', { state: 'max' })!;
    const inUse = seriesValue(text, 'websig_db_pool_connections', { state: 'in_use' })!;
    const idle = seriesValue(text, 'websig_db_pool_connections', { state: 'idle' })!;
    expect(max).toBeGreaterThanOrEqual(1);
    expect(inUse).toBeGreaterThanOrEqual(0);
    expect(idle).toBeGreaterThanOrEqual(0);
    // The query above opened the pool (the app's own): its connections are there, within its size.
    expect(inUse + idle).toBeGreaterThanOrEqual(1);
    expect(inUse + idle).toBeLessThanOrEqual(max);
    expect(seriesValue(text, 'websig_db_pool_waiting')).toBe(0);
  });

  it('shows the import jobs queued and running', async () => {
    const text = await scrape();
    expect(seriesValue(text, 'websig_import_jobs', { state: 'queued' })).toBe(0);
    expect(seriesValue(text, 'websig_import_jobs', { state: 'running' })).toBe(0);
    expect(text).toContain('# TYPE websig_import_jobs_total counter');
  });
});
