// The map application in a real browser: Debian's Chromium renders the built web app served by the app.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startServer, type RunningServer } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';

const SCREENSHOT_DIR = fileURLToPath(new URL('../.tmp/', import.meta.url));
const IDLE_TIMEOUT = 60_000;

/** The part of a /layers entry this test reads. */
interface LayerSummary {
  id: string;
  title: { fr: string; en: string };
  minzoom: number;
  maxzoom: number;
  style: { visible: boolean };
}

async function openMap(browser: Browser, url: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', hasTouch: viewport.width < 640 });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}/`);
  await page.waitForSelector('html[data-map-idle="1"]', { state: 'attached', timeout: IDLE_TIMEOUT });
  return { page, requests, errors };
}

/** The style layer ids drawn from a layer's source, read from the live map style. */
function styleLayersOf(page: Page, sourceId: string): Promise<string[]> {
  return page.evaluate((id) => window.websigMap!.getStyle().layers
    .filter((layer) => 'source' in layer && layer.source === id).map((layer) => layer.id), sourceId);
}

// Only Debian's Chromium is driven (never a downloaded browser); where it is not installed there is
// nothing to render with, so the whole file is skipped rather than failed.
// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
describeUnless(missingChromium(), 'the web map in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let layers: LayerSummary[];
  let desktop: Awaited<ReturnType<typeof openMap>>;

  beforeAll(async () => {
    server = await startServer();
    layers = ((await (await fetch(`${server.url}/layers`)).json()) as { layers: LayerSummary[] }).layers;
    browser = await launchChromium();
    desktop = await openMap(browser, server.url, { width: 1280, height: 800 });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await desktop.page.screenshot({ path: `${SCREENSHOT_DIR}map.png` });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is titled "WebSIG — Montfort Communauté" and raises no script error', async () => {
    expect(await desktop.page.title()).toBe('WebSIG — Montfort Communauté');
    expect(await desktop.page.getAttribute('html', 'lang')).toBe('fr');
    expect(desktop.errors).toEqual([]);
  });

  it('opens centred on the territory', async () => {
    const territory = (await (await fetch(`${server.url}/api/territory`)).json()) as { bbox: number[] };
    const [minLon, minLat, maxLon, maxLat] = territory.bbox as [number, number, number, number];
    const { lng, lat, zoom } = await desktop.page.evaluate(() => {
      const map = window.websigMap!;
      return { ...map.getCenter(), zoom: map.getZoom() };
    });
    expect(lng).toBeGreaterThan(minLon);
    expect(lng).toBeLessThan(maxLon);
    expect(lat).toBeGreaterThan(minLat);
    expect(lat).toBeLessThan(maxLat);
    expect(zoom).toBeGreaterThan(9);
    expect(zoom).toBeLessThan(13);
  });

  it('lists every layer of /layers in the panel under its French title, with a labelled checkbox', async () => {
    const panel = desktop.page.getByRole('navigation', { name: 'Couches de la carte' });
    for (const layer of layers) {
      const checkbox = panel.getByRole('checkbox', { name: layer.title.fr, exact: true });
      await expect(checkbox.count()).resolves.toBe(1);
      expect(await checkbox.isChecked()).toBe(layer.style.visible);
    }
  });

  it('renders features of the visible layers and the territory outline', async () => {
    const zoom = await desktop.page.evaluate(() => window.websigMap!.getZoom());
    const shown = layers.filter((l) => l.style.visible && l.minzoom <= zoom && zoom < l.maxzoom + 1).map((l) => l.id);
    expect(shown.length).toBeGreaterThan(0);
    const rendered = await desktop.page.evaluate(() => window.websigMap!.queryRenderedFeatures().map((f) => f.source));
    expect(rendered.filter((source) => shown.includes(source)).length).toBeGreaterThan(0);
    expect(rendered).toContain('territory');
  });

  it('shows and hides a layer with its checkbox', async () => {
    const layer = layers.find((l) => l.style.visible) as LayerSummary;
    const [styleLayer] = await styleLayersOf(desktop.page, layer.id);
    expect(styleLayer).toBeDefined();
    const visibility = () => desktop.page.evaluate((id) => window.websigMap!.getLayoutProperty(id, 'visibility'), styleLayer!);
    const checkbox = desktop.page.getByRole('checkbox', { name: layer.title.fr, exact: true });

    await checkbox.uncheck();
    expect(await visibility()).toBe('none');
    await checkbox.check();
    expect(await visibility()).toBe('visible');
  });

  it('switches the whole panel to English and remembers the choice', async () => {
    const { page } = desktop;
    const layer = layers[0]!;
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByRole('button', { name: 'EN', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const panel = page.getByRole('navigation', { name: 'Map layers' });
    await expect(panel.getByRole('checkbox', { name: layer.title.en, exact: true }).count()).resolves.toBe(1);

    await page.reload();
    await page.waitForSelector('html[data-map-idle="1"]', { state: 'attached', timeout: IDLE_TIMEOUT });
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('button', { name: 'FR', exact: true }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
  });

  it('requests nothing outside its own origin when the basemap is "none"', async () => {
    const config = (await (await fetch(`${server.url}/api/config`)).json()) as { basemap: string };
    expect(config.basemap).toBe('none');
    // data: and blob: URLs never leave the browser.
    const network = desktop.requests.filter((url) => !/^(data|blob):/.test(url));
    expect(network.length).toBeGreaterThan(0);
    expect(network.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
  });

  it('fits a phone: the panel is a bottom sheet opened from the header', async () => {
    const phone = await openMap(browser, server.url, { width: 390, height: 844 });
    const { page } = phone;
    await page.screenshot({ path: `${SCREENSHOT_DIR}map-phone.png` });
    const toggle = page.getByRole('button', { name: 'Couches', exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    const toggleBox = (await toggle.boundingBox())!;
    expect(toggleBox.height).toBeGreaterThanOrEqual(44);

    await toggle.click();
    const panel = page.getByRole('navigation', { name: 'Couches de la carte' });
    await panel.waitFor({ state: 'visible' });
    const box = (await panel.boundingBox())!;
    expect(box.y + box.height).toBeCloseTo(844, -1);
    expect(box.width).toBeCloseTo(390, -1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}map-phone-panel.png` });
    expect(phone.errors).toEqual([]);
    await page.context().close();
  });
});
