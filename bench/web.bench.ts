// `npm run bench -- web`: the map application in Debian's Chromium on the generated data (PostGIS):
// its own JavaScript gzipped, MapLibre excluded (budget 150 KB; MapLibre's chunk is the reference
// measured in the same run), navigation start → map idle with a warm HTTP and tile cache, and the
// cumulative layout shift while the answer opens on a desktop and a phone (budget 0.1).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { appHandler } from './lib/app-server.ts';
import { openFilledBenchDatabase } from './lib/bench-database.ts';
import { percentile, round } from './lib/stats.ts';
import { launchChromium } from '../tests/helpers/browser.ts';
import { installLayoutShiftMeter, readLayoutShift } from '../tests/helpers/layout-shift.ts';

const BUNDLE_BUDGET_KB = 150;
const CLS_BUDGET = 0.1;
/** Warm page loads timed; the median is reported. */
const RUNS = 7;
const IDLE_TIMEOUT = 120_000;
const DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));
const ASSETS = `${DIST}assets/`;

const gzKb = (file: string) => gzipSync(readFileSync(`${ASSETS}${file}`), { level: 9 }).length / 1024;

/**
 * Rebuilds web/dist, then weighs the public map's JavaScript chunks and MapLibre's (its worker aside: it
 * loads in parallel, once): the scripts index.html loads or preloads, not the staff console's.
 */
async function weigh(): Promise<{ app: number; maplibre: number }> {
  await build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
  const html = readFileSync(`${DIST}index.html`, 'utf8');
  const scripts = [...new Set([...html.matchAll(/\/assets\/([^"'\s]+\.js)/g)].map((m) => m[1]!))];
  const isMapLibre = (f: string) => f.startsWith('maplibre');
  return {
    app: scripts.filter((f) => !isMapLibre(f)).reduce((sum, f) => sum + gzKb(f), 0),
    maplibre: scripts.filter(isMapLibre).reduce((sum, f) => sum + gzKb(f), 0),
  };
}

/** Milliseconds from navigation start to the map's first idle, over warm reloads of one browser context. */
async function idleTimes(browser: Browser, url: string): Promise<number[]> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'fr-FR' });
  const page = await context.newPage();
  const times: number[] = [];
  // The first load fills the caches (HTTP, tiles); it is not counted.
  for (let i = 0; i <= RUNS; i++) {
    await page.goto(`${url}/`);
    await page.waitForSelector('html[data-map-idle="1"]', { state: 'attached', timeout: IDLE_TIMEOUT });
    const idle = await page.evaluate(() => performance.getEntriesByName('websig:map-idle')[0]?.startTime ?? NaN);
    if (i > 0) times.push(idle);
  }
  await context.close();
  return times;
}

/** The layout shift from opening the page to the answer of a click (a tap on a phone) being shown. */
async function layoutShift(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<number> {
  const phone = viewport.width < 640;
  const context = await browser.newContext({ viewport, locale: 'fr-FR', hasTouch: phone });
  await context.addInitScript(installLayoutShiftMeter);
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.waitForSelector('html[data-map-idle="1"]', { state: 'attached', timeout: IDLE_TIMEOUT });
  const box = (await page.locator('#map canvas').boundingBox())!;
  const [x, y] = [box.x + box.width * 0.6, box.y + box.height * 0.4];
  if (phone) await page.touchscreen.tap(x, y);
  else await page.mouse.click(x, y);
  await page.locator('#answer .answer-status').waitFor({ timeout: IDLE_TIMEOUT });
  await page.waitForFunction(() => window.websigMap!.loaded() && !window.websigMap!.isMoving(), undefined, { timeout: IDLE_TIMEOUT });
  const cls = await readLayoutShift(page);
  await context.close();
  return cls;
}

export async function run(databaseUrl: string): Promise<Record<string, number | boolean>> {
  const bundle = await weigh();
  console.log(`app JavaScript ${bundle.app.toFixed(1)} KB gz, MapLibre ${bundle.maplibre.toFixed(1)} KB gz ` +
    `(app/MapLibre ${(bundle.app / bundle.maplibre).toFixed(3)}; budget ${BUNDLE_BUDGET_KB} KB)`);

  const db = await openFilledBenchDatabase(databaseUrl);
  const server = createServer(await appHandler(db));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  try {
    const times = await idleTimes(browser, url);
    const idle = percentile([...times].sort((a, b) => a - b), 50);
    console.log(`map idle ${idle.toFixed(0)} ms after navigation start (median of ${RUNS} warm loads: ${times.map((t) => t.toFixed(0)).join(', ')})`);
    const cls = Math.max(await layoutShift(browser, url, { width: 1366, height: 800 }), await layoutShift(browser, url, { width: 390, height: 844 }));
    console.log(`layout shift while the answer opens: ${cls.toFixed(4)} (budget ${CLS_BUDGET})`);
    return {
      bundle_kb_gz: round(bundle.app, 1),
      maplibre_kb_gz: round(bundle.maplibre, 1),
      bundle_ratio_to_maplibre: round(bundle.app / bundle.maplibre, 3),
      bundle_within_budget: bundle.app < BUNDLE_BUDGET_KB,
      idle_ms: Math.round(idle),
      cls: round(cls, 4),
      cls_within_budget: cls < CLS_BUDGET,
    };
  } finally {
    await browser.close();
    server.close();
    await db.close();
  }
}
