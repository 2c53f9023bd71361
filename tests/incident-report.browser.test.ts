// The report form in Debian's Chromium on a 390×844 phone viewport: a pin placed by tapping the map,
// errors that keep what was typed, a report sent with a photo, its tracking page; then staff publish
// and resolve it (through the staff API) and the tracking page shows the new status, in both languages.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';

const IDLE_TIMEOUT = 60_000;
/** Longest wait for the page to catch up (a loaded machine); a bound, not a timing assertion. */
const WAIT = 20_000;

// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
describeUnless(missingChromium(), 'incident report form on a phone', () => {
  let server: TestServer;
  let staff: StaffSession;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const asStaff = (method: string, path: string, body: unknown) =>
    fetch(server.url + path, {
      method, headers: { 'content-type': 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf }, body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startTestServer();
    staff = await createStaffSession(server);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', hasTouch: true, isMobile: true });
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is reached from the public map', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Signaler un incident' }).click();
    await page.waitForURL(/\/incident\.html$/, { timeout: WAIT });
    await page.waitForSelector('html[data-map-idle="1"]', { state: 'attached', timeout: IDLE_TIMEOUT });
  });

  it('sends a report with a photo, keeping what was typed through an error, and opens its tracking page', async () => {
    await page.getByLabel('Description', { exact: true }).fill('Lampadaire');
    await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
    const alert = page.locator('#form-errors');
    await alert.waitFor({ state: 'visible', timeout: WAIT });
    await expect.poll(() => alert.textContent()).toContain('Placez le repère');
    expect(await alert.textContent()).toContain('Choisissez une catégorie');
    expect(await page.getByLabel('Description', { exact: true }).inputValue()).toBe('Lampadaire');

    const box = (await page.locator('#report-map canvas').boundingBox())!;
    await page.locator('#report-map canvas').tap({ position: { x: box.width / 2, y: box.height / 2 } });
    await expect.poll(() => page.locator('#place-status').textContent(), { timeout: WAIT }).toMatch(/Emplacement choisi/);
    await page.getByLabel('Catégorie').selectOption('lighting');
    await page.getByLabel('Description', { exact: true }).fill('Lampadaire éteint depuis trois jours devant la mairie');
    const photo = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    await page.getByLabel(/Photos/).setInputFiles({ name: 'lampadaire.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByLabel('Courriel', { exact: true }).fill('habitant@example.org');
    await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
    const alertText = await alert.textContent();
    expect(alertText).toContain('Cochez l’accord');
    await page.getByLabel(/J’accepte/).check();
    await page.getByRole('button', { name: 'Envoyer le signalement' }).click();

    await page.locator('#done').waitFor({ state: 'visible', timeout: WAIT });
    const number = Number(await page.locator('#done-number').textContent());
    expect(number).toBeGreaterThan(0);
    const { rows } = await server.db.query<{ photos: number; email: string }>(
      'SELECT (SELECT count(*)::int FROM incident_photos WHERE incident_id = $1) AS photos, reporter_email AS email FROM incidents WHERE id = $1', [number]);
    expect(rows[0]).toEqual({ photos: 1, email: 'habitant@example.org' });

    await page.getByRole('link', { name: 'Suivre ce signalement' }).click();
    await page.waitForURL(/suivi=[0-9a-f]{32}/, { timeout: WAIT });
    await expect.poll(() => page.locator('#tracking-details').textContent(), { timeout: WAIT }).toContain('Nouveau');
    expect(await page.locator('#tracking-details').textContent()).toContain('En attente de validation');

    // Staff publish and resolve it; the tracking page then says so, in French and in English.
    expect((await asStaff('PATCH', `/api/incidents/${number}`, { published: true })).status).toBe(200);
    expect((await asStaff('POST', `/api/incidents/${number}/status`, { status: 'resolved', status_notes: 'Ampoule changée.' })).status).toBe(200);
    await page.reload();
    await expect.poll(() => page.locator('#tracking-details').textContent(), { timeout: WAIT }).toContain('Résolu');
    expect(await page.locator('#tracking-details').textContent()).toContain('Ampoule changée.');
    await page.getByRole('button', { name: 'EN' }).click();
    await expect.poll(() => page.locator('#tracking-details').textContent(), { timeout: WAIT }).toContain('Resolved');
    expect(errors).toEqual([]);
  });
});
