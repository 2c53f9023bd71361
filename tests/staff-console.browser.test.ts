// The staff console in Debian's Chromium: a staff member logs in, draws a lot with terra-draw by
// clicking on the map, sets it sold and sees its colour change and the audit entry, then logs out;
// a wrong password is explained; a colleague's concurrent change (412) shows the current values and
// lets the change be re-applied; the console fits a 390×844 phone without horizontal scrolling.
import { afterAll, beforeAll, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { upsertUser } from '../server/auth/users.ts';
import { axeViolations } from './helpers/axe.ts';

/** Longest wait for the page to catch up on a loaded machine: a bound, not a timing assertion. */
const WAIT = 30_000;
const PASSWORD = 'correct horse battery staple';
const EMAIL = 'agent.console@montfort-communaute.test';
type Bbox = [number, number, number, number];

// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
describeUnless(missingChromium(), 'the staff console', () => {
  let server: TestServer;
  let browser: Browser;
  let colleague: StaffSession;
  let zoneId: number;
  /** The test zone, a square of about 300 m in Saint-Gonlay with no lot: [west, south, east, north]. */
  let box: Bbox;
  const contexts: BrowserContext[] = [];

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', cookie: colleague.cookie, 'x-csrf-token': colleague.csrf, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res;
  };
  const point = (fx: number, fy: number): [number, number] => [box[0] + fx * (box[2] - box[0]), box[1] + fy * (box[3] - box[1])];
  const rect = (x0: number, y0: number, x1: number, y1: number) => ({
    type: 'Polygon',
    coordinates: [[point(x0, y0), point(x1, y0), point(x1, y1), point(x0, y1), point(x0, y0)]],
  });

  const openConsole = async (viewport = { width: 1366, height: 800 }): Promise<Page> => {
    const context = await browser.newContext({ viewport, locale: 'fr-FR', hasTouch: viewport.width < 640 });
    contexts.push(context);
    // No network in tests: anything outside the app is refused.
    await context.route((url) => !url.href.startsWith(server.url), (route) => route.abort());
    const page = await context.newPage();
    await page.goto(`${server.url}/console.html`);
    await page.waitForSelector('html[data-console-ready="1"]', { state: 'attached', timeout: WAIT });
    return page;
  };
  const logIn = async (page: Page, password = PASSWORD) => {
    await page.getByLabel('Adresse e-mail').fill(EMAIL);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
  };
  /** Logs in and opens the test zone in the lots tab, its map settled. */
  const openZone = async (page: Page) => {
    await logIn(page);
    await page.waitForSelector('[data-lots-ready="1"]', { state: 'attached', timeout: WAIT });
    await page.selectOption('#lots-zone', String(zoneId));
    await settled(page);
  };
  const settled = (page: Page) =>
    page.waitForFunction(() => {
      const map = window.websigConsoleMap;
      return !!map && map.loaded() && !map.isMoving() && map.areTilesLoaded();
    }, undefined, { timeout: WAIT });
  /** Where a longitude/latitude is on the page, in CSS pixels. */
  const onPage = (page: Page, lonLat: [number, number]) =>
    page.evaluate(([lon, lat]) => {
      const map = window.websigConsoleMap!;
      const p = map.project([lon, lat]);
      const r = map.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, lonLat);
  /** The colour drawn at a place of the map, read from a screenshot pixel. */
  const colourAt = async (page: Page, lonLat: [number, number]) => {
    // Clicking the form's buttons may have scrolled the page: bring the map back into view first.
    await page.locator('.lots-map canvas').scrollIntoViewIfNeeded();
    await settled(page);
    const { x, y } = await onPage(page, lonLat);
    const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 } });
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    return { r: data[0]!, g: data[1]!, b: data[2]! };
  };
  /** The status of lot `number` as rendered on the map (queryRenderedFeatures). */
  const renderedStatus = (page: Page, number: string) =>
    page.evaluate((n) => {
      const map = window.websigConsoleMap!;
      return map.queryRenderedFeatures({ layers: ['lots-fill'] }).find((f) => f.properties?.lot_number === n)?.properties?.status ?? null;
    }, number);

  /** Lot numbers drawn on the map, sorted. */
  const renderedNumbers = (page: Page) =>
    page.evaluate(() => [...new Set(window.websigConsoleMap!.queryRenderedFeatures({ layers: ['lots-fill'] })
      .map((f) => String(f.properties?.lot_number)))].sort());

  beforeAll(async () => {
    server = await startTestServer();
    await upsertUser(server.db, EMAIL, 'staff', PASSWORD);
    colleague = await createStaffSession(server);
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Saint-Gonlay') c`);
    const { lon, lat } = rows[0]!;
    box = [lon - 0.002, lat - 0.00135, lon + 0.002, lat + 0.00135];
    const zone = await api('POST', '/api/zones', {
      type: 'Feature',
      properties: { code: 'ZAE-CONSOLE', name: 'ZA de la Console', commune: 'Saint-Gonlay', kind: 'craft' },
      geometry: rect(0, 0, 1, 1),
    });
    expect(zone.status, await zone.clone().text()).toBe(201);
    zoneId = ((await zone.json()) as { id: number }).id;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  it('logs in, draws a lot, sets it sold, sees its colour change and the audit entry, then logs out', async () => {
    const page = await openConsole();
    await openZone(page);
    await expect.poll(() => page.getByText('Connecté : agent.console@montfort-communaute.test').isVisible()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Lots des zones' }).getAttribute('aria-selected')).toBe('true');

    await page.getByRole('button', { name: 'Dessiner un nouveau lot' }).click();
    const corners = [point(0.3, 0.3), point(0.7, 0.3), point(0.7, 0.7), point(0.3, 0.7), point(0.3, 0.3)];
    for (const corner of corners) {
      const { x, y } = await onPage(page, corner);
      await page.mouse.move(x, y);
      await page.mouse.click(x, y);
    }
    await page.getByLabel('Numéro du nouveau lot').fill('T1');
    await page.getByRole('button', { name: 'Créer le lot' }).click();
    await expect.poll(() => renderedStatus(page, 'T1'), { timeout: WAIT }).toBe('available');
    const centre = point(0.5, 0.5);
    const before = await colourAt(page, centre);
    expect(before.g, JSON.stringify(before)).toBeGreaterThan(before.r);

    await page.getByLabel('Disponibilité', { exact: true }).selectOption('sold');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await expect.poll(() => renderedStatus(page, 'T1'), { timeout: WAIT }).toBe('sold');
    const after = await colourAt(page, centre);
    expect(after.r, JSON.stringify(after)).toBeGreaterThan(after.g + 40);

    const history = page.locator('.history-list');
    await expect.poll(() => history.textContent(), { timeout: WAIT }).toContain('avant Disponible → après Vendu');
    expect(await history.textContent()).toContain(`par ${EMAIL}`);
    const stored = await server.db.query<{ status: string; area_m2: number }>(`SELECT status, area_m2 FROM zone_lots WHERE zone_id = $1 AND lot_number = 'T1'`, [zoneId]);
    expect(stored.rows[0]?.status).toBe('sold');

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByLabel('Mot de passe').waitFor({ timeout: WAIT });
    expect(await page.evaluate(() => fetch('/api/auth/me').then((r) => r.status))).toBe(401);
  });

  it('explains a wrong password next to the form', async () => {
    const page = await openConsole();
    await logIn(page, 'not the password');
    const error = page.locator('#login-error');
    await expect.poll(() => error.textContent(), { timeout: WAIT }).toBe('identifiants incorrects');
    expect(await page.getByLabel('Mot de passe').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'EN' }).click();
    expect(await error.textContent()).toBe('wrong e-mail or password');
  });

  it('shows the current values when a colleague changed the lot meanwhile, and re-applies the change', async () => {
    const created = await api('POST', `/api/zones/${zoneId}/lots`, { type: 'Feature', properties: { lot_number: 'C1', price_per_m2: 20 }, geometry: rect(0.05, 0.05, 0.25, 0.25) });
    expect(created.status, await created.clone().text()).toBe(201);
    const lotId = ((await created.json()) as { id: number }).id;
    const page = await openConsole();
    await openZone(page);
    await page.locator(`[data-lot-id="${lotId}"]`).click();
    const price = page.getByLabel('Prix (€/m²)');
    await expect.poll(() => price.inputValue(), { timeout: WAIT }).toBe('20');

    const read = await api('GET', `/api/lots/${lotId}`);
    const theirs = await api('PATCH', `/api/lots/${lotId}`, { price_per_m2: 31 }, { 'if-match': read.headers.get('etag')! });
    expect(theirs.status).toBe(200);

    await price.fill('45');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    const conflict = page.locator('.lot-detail .conflict');
    await conflict.waitFor({ timeout: WAIT });
    expect(await conflict.textContent()).toContain('Quelqu’un d’autre a modifié ce lot');
    expect(await conflict.textContent()).toContain('Prix (€/m²) : 31');
    await page.getByRole('button', { name: 'Réappliquer mes changements' }).click();
    await expect.poll(() => page.locator('#console-announce').textContent(), { timeout: WAIT }).toBe('Lot C1 enregistré');
    expect(await conflict.isHidden()).toBe(true);
    const stored = await server.db.query<{ price_per_m2: number }>('SELECT price_per_m2 FROM zone_lots WHERE id = $1', [lotId]);
    expect(Number(stored.rows[0]!.price_per_m2)).toBe(45);
  });

  it('fits a 390×844 phone without horizontal scrolling, logged out and logged in', async () => {
    const page = await openConsole({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await openZone(page);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('splits a lot along a drawn line, merges the pieces, undoes an edit and deletes the lot once confirmed', async () => {
    const created = await api('POST', `/api/zones/${zoneId}/lots`, { type: 'Feature', properties: { lot_number: 'S1' }, geometry: rect(0.75, 0.05, 0.95, 0.95) });
    expect(created.status, await created.clone().text()).toBe(201);
    const page = await openConsole();
    await openZone(page);
    await page.locator(`[data-lot-id="${((await created.json()) as { id: number }).id}"]`).click();
    await page.getByRole('button', { name: 'Découper' }).click();
    const from = await onPage(page, point(0.72, 0.5));
    const to = await onPage(page, point(0.98, 0.5));
    for (const { x, y } of [from, to, to]) {
      await page.mouse.move(x, y);
      await page.mouse.click(x, y);
    }
    await expect.poll(() => renderedNumbers(page), { timeout: WAIT }).toEqual(expect.arrayContaining(['S1a', 'S1b']));
    expect(await renderedNumbers(page)).not.toContain('S1');

    await page.getByRole('button', { name: 'Fusionner avec…' }).click();
    await page.getByLabel('Lot à fusionner avec le lot sélectionné').selectOption({ label: 'Lot S1b' });
    await page.getByRole('button', { name: 'Fusionner', exact: true }).click();
    await expect.poll(async () => (await renderedNumbers(page)).filter((n) => n.startsWith('S1')).length, { timeout: WAIT }).toBe(1);
    const merged = (await renderedNumbers(page)).find((n) => n.startsWith('S1'))!;

    const price = page.getByLabel('Prix (€/m²)');
    await price.fill('12');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await expect.poll(() => page.locator('#console-announce').textContent(), { timeout: WAIT }).toBe(`Lot ${merged} enregistré`);
    await page.getByRole('button', { name: 'Annuler ma dernière modification' }).click();
    await expect.poll(() => page.locator('#console-announce').textContent(), { timeout: WAIT }).toBe('Dernière modification annulée');
    expect(await price.inputValue()).toBe('');

    await page.getByRole('button', { name: 'Supprimer', exact: true }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain(`Supprimer définitivement le lot ${merged}`);
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    expect(await renderedNumbers(page)).toContain(merged);
    await page.getByRole('button', { name: 'Supprimer', exact: true }).click();
    await dialog.getByRole('button', { name: 'Supprimer' }).click();
    await expect.poll(() => renderedNumbers(page), { timeout: WAIT }).not.toContain(merged);
    const left = await server.db.query(`SELECT 1 FROM zone_lots WHERE zone_id = $1 AND lot_number LIKE 'S1%'`, [zoneId]);
    expect(left.rowCount).toBe(0);
  });
});
