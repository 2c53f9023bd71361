// The ZAE inventory tab of the staff console in Debian's Chromium: a staff member logs in, opens the
// tab, sees per CNIG table how many rows the check finds valid, and downloads the complete occupants
// file through the link with the session; the public link gives the header alone.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { upsertUser } from '../server/auth/users.ts';

const WAIT = 30_000;
const EMAIL = 'agent.inventaire@montfort-communaute.test';
const PASSWORD = 'correct horse battery staple';

describeUnless(missingChromium(), 'the ZAE inventory tab of the console', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    server = await startTestServer();
    await upsertUser(server.db, EMAIL, 'staff', PASSWORD);
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

  it('shows the check per table and links the staff and public files', async () => {
    await page.goto(`${server.url}/console.html`);
    await page.waitForSelector('html[data-console-ready="1"]', { state: 'attached', timeout: WAIT });
    await page.getByLabel('Adresse e-mail').fill(EMAIL);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('tab', { name: 'Inventaire ZAE' }).click();
    const summaries = page.locator('#panel-zae .zae-check > p:first-of-type');
    await expect.poll(() => summaries.count(), { timeout: WAIT }).toBe(3);

    const { rows: counts } = await server.db.query<{ zones: number; lots: number; occupants: number }>(
      `SELECT (SELECT count(*)::int FROM business_zones) AS zones, (SELECT count(*)::int FROM zone_lots) AS lots,
              (SELECT count(DISTINCT occupant_siret)::int FROM zone_lots) AS occupants`);
    const { zones, lots, occupants } = counts[0]!;
    const texts = await summaries.allTextContents();
    // Every zone and lot row is valid; occupants lack the creation date and headcount year we do not hold.
    expect(texts).toEqual([
      `${zones} ligne(s) valide(s) sur ${zones}`,
      `${lots} ligne(s) valide(s) sur ${lots}`,
      `0 ligne(s) valide(s) sur ${occupants}`,
    ]);
    expect(await page.locator('#panel-zae .zae-row.invalid').first().textContent()).toContain('etab_creation_date');

    const download = async (href: string) => page.evaluate(async (url) => (await fetch(url)).text(), href);
    const staffCsv = await download((await page.locator('#panel-zae a[href="/api/zae/etablissement.csv"]').getAttribute('href'))!);
    expect(parse(staffCsv, { delimiter: ';' })).toHaveLength(1 + occupants);
    const publicCsv = await download((await page.locator('#panel-zae a[href="/downloads/zae/etablissement.csv"]').getAttribute('href'))!);
    expect(parse(publicCsv, { delimiter: ';' })).toHaveLength(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }, 180_000);
});
