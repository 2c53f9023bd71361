// The catalogue on a phone (390×844) in Debian's Chromium: a visitor filters the lots, opens one from
// the list (its plan on the map, its fibre answer, a permalink), sends an enquiry whose faults are shown
// beside the fields with what was typed kept, then sends it; a staff member logs into the console, finds it
// in the Enquiries tab and marks it answered; the dashboard table follows a sale a staff member makes in
// the console's lot form.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { createStaffSession } from './helpers/staff-session.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { upsertUser } from '../server/auth/users.ts';

const WAIT = 30_000;
const STAFF_EMAIL = 'agent.zae@montfort-communaute.test';
const STAFF_PASSWORD = 'correct horse battery staple';
const ENQUIRER_EMAIL = 'yann.testeur@example.org';

// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
describeUnless(missingChromium(), 'the lot catalogue on a phone', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let context: BrowserContext;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', hasTouch: true });
    // No network in tests: anything outside the app is refused.
    await context.route((url) => !url.href.startsWith(server.url), (route) => route.abort());
    page = await context.newPage();
    await upsertUser(server.db, STAFF_EMAIL, 'staff', STAFF_PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('filters, opens a lot, and sends an enquiry after fixing the fields marked', async () => {
    await page.goto(`${server.url}/catalogue.html`);
    // The first list computes every listed lot's fibre answer: on a loaded machine that takes a while.
    await page.waitForSelector('#lot-list li', { timeout: 4 * WAIT });
    const all = await page.locator('#lot-list li').count();
    await page.getByLabel('Viabilisé').check();
    await page.getByRole('button', { name: 'Rechercher' }).click();
    const { rows } = await server.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM zone_lots WHERE status IN ('available', 'optioned', 'reserved') AND serviced`);
    await expect.poll(() => page.locator('#lot-list li').count(), { timeout: WAIT }).toBe(rows[0]!.n);
    expect(rows[0]!.n).toBeLessThanOrEqual(all);

    const first = page.locator('#lot-list li a').first();
    const title = (await first.textContent())!;
    await first.click();
    await page.waitForSelector('#lot:not([hidden]) #lot-heading', { timeout: WAIT });
    expect(await page.locator('#lot-heading').textContent()).toBe(title);
    expect(page.url()).toMatch(/\?lot=\d+$/);
    await expect.poll(() => page.locator('#lot dd').filter({ hasText: /— .*lot/ }).count(), { timeout: WAIT }).toBeGreaterThan(0);
    await page.waitForSelector('html[data-map-idle="1"]', { timeout: WAIT });

    await page.getByLabel('Nom *').fill('Yann Testeur');
    await page.getByLabel('E-mail *').fill('pas-une-adresse');
    await page.getByLabel('Message *').fill('Ce terrain est-il raccordable ?');
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.waitForSelector('#enquiry-email[aria-invalid="true"]', { timeout: WAIT });
    expect(await page.locator('#enquiry-email-error').textContent()).toBe('adresse e-mail invalide');
    expect(await page.locator('#enquiry-consent[aria-invalid="true"]').count()).toBe(1);
    expect(await page.getByLabel('Nom *').inputValue()).toBe('Yann Testeur');
    expect(await page.getByLabel('Message *').inputValue()).toBe('Ce terrain est-il raccordable ?');

    await page.getByLabel('E-mail *').fill(ENQUIRER_EMAIL);
    await page.locator('#enquiry-consent').check();
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.waitForSelector('.cat-outcome:text("Votre demande a bien été envoyée")', { timeout: WAIT });

    // The form fits the phone's width: nothing to scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }, 180_000);

  it('shows the enquiry to staff in the console, who mark it answered', async () => {
    const staffPage = await context.newPage();
    await staffPage.goto(`${server.url}/console.html`);
    await staffPage.waitForSelector('html[data-console-ready="1"]', { state: 'attached', timeout: WAIT });
    await staffPage.getByLabel('Adresse e-mail').fill(STAFF_EMAIL);
    await staffPage.getByLabel('Mot de passe').fill(STAFF_PASSWORD);
    await staffPage.getByRole('button', { name: 'Se connecter' }).click();
    await staffPage.getByRole('tab', { name: 'Demandes' }).click();
    const enquiry = staffPage.locator('#panel-enquiries .enquiry').filter({ hasText: ENQUIRER_EMAIL });
    await enquiry.waitFor({ timeout: WAIT });
    expect(await enquiry.locator('blockquote').textContent()).toBe('Ce terrain est-il raccordable ?');
    await enquiry.getByRole('button', { name: 'Marquer comme traitée' }).click();
    await enquiry.waitFor({ state: 'detached', timeout: WAIT });

    await staffPage.getByRole('button', { name: 'Traitées' }).click();
    await staffPage.locator('#panel-enquiries .enquiry').filter({ hasText: ENQUIRER_EMAIL }).waitFor({ timeout: WAIT });
    const staff = await createStaffSession(server);
    const res = await fetch(`${server.url}/api/enquiries?status=answered`, { headers: { cookie: staff.cookie } });
    const { enquiries } = (await res.json()) as { enquiries: { email: string }[] };
    expect(enquiries.map((e) => e.email)).toContain(ENQUIRER_EMAIL);
    expect(await staffPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await staffPage.close();
  }, 120_000);

  it('shows the dashboard as a table that changes after staff sell a lot in the console', async () => {
    const soldCell = () => page.locator('.cat-table tbody tr:last-child td').nth(1 + 3).textContent();
    await page.goto(`${server.url}/catalogue.html#dashboard`);
    await page.waitForSelector('.cat-table tbody tr', { timeout: WAIT });
    const before = Number(await soldCell());

    const { rows } = await server.db.query<{ id: number; zone_id: number; lot_number: string }>(
      `SELECT id, zone_id, lot_number FROM zone_lots WHERE status = 'available' ORDER BY id LIMIT 1`);
    const lot = rows[0]!;
    const staffPage = await context.newPage();
    await staffPage.goto(`${server.url}/console.html#lots`);
    await staffPage.waitForSelector('html[data-console-ready="1"]', { state: 'attached', timeout: WAIT });
    // The session of the previous step may have been kept by the browser: log in only when asked.
    if (await staffPage.getByLabel('Mot de passe').isVisible()) {
      await staffPage.getByLabel('Adresse e-mail').fill(STAFF_EMAIL);
      await staffPage.getByLabel('Mot de passe').fill(STAFF_PASSWORD);
      await staffPage.getByRole('button', { name: 'Se connecter' }).click();
    }
    await staffPage.waitForSelector('[data-lots-ready="1"]', { state: 'attached', timeout: WAIT });
    await staffPage.selectOption('#lots-zone', String(lot.zone_id));
    await staffPage.locator(`[data-lot-id="${lot.id}"]`).click();
    const status = staffPage.getByLabel('Disponibilité', { exact: true });
    await expect.poll(() => status.inputValue(), { timeout: WAIT }).toBe('available');
    await status.selectOption('sold');
    await staffPage.locator('.lot-detail').getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await expect.poll(() => staffPage.locator('#console-announce').textContent(), { timeout: WAIT }).toBe(`Lot ${lot.lot_number} enregistré`);
    await staffPage.close();

    await page.reload();
    await page.waitForSelector('.cat-table tbody tr', { timeout: WAIT });
    expect(Number(await soldCell())).toBe(before + 1);
    expect(await page.locator('#dashboard-chart').getAttribute('aria-label')).toBeTruthy();
  }, 180_000);
});
