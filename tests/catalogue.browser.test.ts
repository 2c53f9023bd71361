// The catalogue on a phone (390×844) in Debian's Chromium: a visitor filters the lots, opens one from
// the list (its plan on the map, its fibre answer, a permalink), sends an enquiry whose faults are shown
// beside the fields with what was typed kept, then sends it; staff find it; the dashboard table follows a sale.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { createStaffSession } from './helpers/staff-session.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const WAIT = 30_000;

describeUnless(missingChromium(), 'the lot catalogue on a phone', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', hasTouch: true });
    // No network in tests: anything outside the app is refused.
    await context.route((url) => !url.href.startsWith(server.url), (route) => route.abort());
    page = await context.newPage();
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

    await page.getByLabel('E-mail *').fill('yann.testeur@example.org');
    await page.locator('#enquiry-consent').check();
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.waitForSelector('.cat-outcome:text("Votre demande a bien été envoyée")', { timeout: WAIT });

    const staff = await createStaffSession(server);
    const res = await fetch(`${server.url}/api/enquiries?status=new`, { headers: { cookie: staff.cookie } });
    const { enquiries } = (await res.json()) as { enquiries: { email: string; lot_label: string }[] };
    expect(enquiries.map((e) => e.email)).toContain('yann.testeur@example.org');
    // The form fits the phone's width: nothing to scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }, 180_000);

  it('shows the dashboard as a table that changes after a lot is sold', async () => {
    const soldCell = () => page.locator('.cat-table tbody tr:last-child td').nth(1 + 3).textContent();
    await page.goto(`${server.url}/catalogue.html#dashboard`);
    await page.waitForSelector('.cat-table tbody tr', { timeout: WAIT });
    const before = Number(await soldCell());
    await server.db.query(`UPDATE zone_lots SET status = 'sold' WHERE id = (SELECT min(id) FROM zone_lots WHERE status = 'available')`);
    await page.reload();
    await page.waitForSelector('.cat-table tbody tr', { timeout: WAIT });
    expect(Number(await soldCell())).toBe(before + 1);
    expect(await page.locator('#dashboard-chart').getAttribute('aria-label')).toBeTruthy();
  }, 120_000);
});
