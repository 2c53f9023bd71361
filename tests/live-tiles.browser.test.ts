// Live tiles in Chromium: the map fetches versioned, immutable tile URLs and, after an edit, shows the
// new data by polling the layer versions, without a reload.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const IDLE_TIMEOUT = 60_000;
const IMMUTABLE = 'public, max-age=31536000, immutable';

type Hotspot = { id: number; lon: number; lat: number; name: string };

/** The names of the wifi hotspots the map holds in its tiles. */
function hotspotNames(page: Page): Promise<string[]> {
  return page.evaluate(() => window.websigMap!.querySourceFeatures('wifi_hotspots', { sourceLayer: 'wifi_hotspots' })
    .map((f) => String(f.properties.name)));
}

// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
describeUnless(missingChromium(), 'live tiles in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let spot: Hotspot;
  const tileResponses: { url: string; cacheControl: string | undefined }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { BASEMAP: 'none', TILE_VERSION_POLL_S: '1', TILE_FRESHNESS_MS: '0' } });
    const { rows } = await server.db.query<Hotspot>(
      `SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat, name FROM wifi_hotspots WHERE status <> 'removed' ORDER BY id LIMIT 1`);
    spot = rows[0]!;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 800, height: 600 }, locale: 'fr-FR' })).newPage();
    page.on('response', (res) => {
      if (res.url().includes('/tiles/wifi_hotspots/')) tileResponses.push({ url: res.url(), cacheControl: res.headers()['cache-control'] });
    });
    await page.goto(`${server.url}/#16/${spot.lat}/${spot.lon}`);
    await page.waitForSelector('html[data-map-idle="1"]', { state: 'attached', timeout: IDLE_TIMEOUT });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads tiles by versioned URLs, served immutable', async () => {
    expect(await hotspotNames(page)).toContain(spot.name);
    expect(tileResponses.length).toBeGreaterThan(0);
    for (const r of tileResponses) {
      expect(r.url).toMatch(/\.mvt\?v=[\w-]{16}$/);
      if (r.cacheControl) expect(r.cacheControl).toBe(IMMUTABLE);
    }
  });

  it('shows an edit without a reload', async () => {
    await page.evaluate(() => { (window as unknown as { stillSamePage: boolean }).stillSamePage = true; });
    const before = new Set(tileResponses.map((r) => r.url));
    await server.db.query('UPDATE wifi_hotspots SET name = $1 WHERE id = $2', ['Wifi renommé en direct', spot.id]);
    await page.waitForFunction(() => window.websigMap!.querySourceFeatures('wifi_hotspots', { sourceLayer: 'wifi_hotspots' })
      .some((f) => f.properties.name === 'Wifi renommé en direct'), undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { stillSamePage?: boolean }).stillSamePage)).toBe(true);
    // The new data came by new URLs: the old ones, cached forever, still hold the old data.
    expect(tileResponses.some((r) => !before.has(r.url))).toBe(true);
  });
});
