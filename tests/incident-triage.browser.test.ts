// Staff triage in Debian's Chromium on a 390×844 phone: a report sent through the public API is found
// in the console's Incidents tab, published, then resolved with a public answer through the panel's
// controls (driven by the keyboard), and its public tracking page then shows "Résolu" and the answer.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { upsertUser } from '../server/auth/users.ts';
import { axeViolations } from './helpers/axe.ts';

/** Longest wait for the page to catch up on a loaded machine: a bound, not a timing assertion. */
const WAIT = 30_000;
const EMAIL = 'agent.signalements@montfort-communaute.test';
const PASSWORD = 'correct horse battery staple';
const PHONE = { width: 390, height: 844 };

// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
describeUnless(missingChromium(), 'incident triage in the staff console', () => {
  let server: TestServer;
  let browser: Browser;
  let report: { id: number; tracking_url: string };
  const contexts: BrowserContext[] = [];

  const openPage = async (path: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true });
    contexts.push(context);
    await context.route((url) => !url.href.startsWith(server.url), (route) => route.abort());
    const page = await context.newPage();
    await page.goto(server.url + path);
    return page;
  };
  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  /** Focuses a control and presses a key on it, as a keyboard user would. */
  const press = async (page: Page, locator: ReturnType<Page['locator']>, key = 'Enter') => {
    await locator.focus();
    await page.keyboard.press(key);
  };

  beforeAll(async () => {
    server = await startTestServer();
    await upsertUser(server.db, EMAIL, 'staff', PASSWORD);
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Talensac') c`);
    const res = await fetch(`${server.url}/api/incidents`, {
      method: 'POST',
      body: new URLSearchParams({
        service_code: 'roads', lat: String(rows[0]!.lat), long: String(rows[0]!.lon),
        description: 'Nid-de-poule rue de la Gare <b>profond</b>', email: 'riveraine@example.org', consent: 'true',
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    report = (await res.json()) as typeof report;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  it('publishes and resolves a report from the Incidents tab, and its tracking page shows "Résolu"', async () => {
    const page = await openPage('/console.html');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.waitForSelector('html[data-console-ready="1"]', { state: 'attached', timeout: WAIT });
    await page.getByLabel('Adresse e-mail').fill(EMAIL);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await press(page, page.getByRole('tab', { name: 'Signalements' }));

    const row = page.locator(`[data-incident-id="${report.id}"]`);
    await row.waitFor({ timeout: WAIT });
    expect(await row.textContent()).toContain('Nouveau · non publié');
    // The reporter's words are text: the <b> they typed is shown, not obeyed.
    expect(await row.textContent()).toContain('<b>profond</b>');
    await press(page, row);
    const heading = page.getByRole('heading', { name: `Signalement n° ${report.id}` });
    await expect.poll(() => heading.evaluate((h) => h === document.activeElement), { timeout: WAIT }).toBe(true);

    const announce = page.locator('#console-announce');
    await press(page, page.getByRole('button', { name: 'Publier', exact: true }));
    await expect.poll(() => announce.textContent(), { timeout: WAIT }).toBe(`Signalement n° ${report.id} enregistré`);
    await page.getByRole('button', { name: 'Retirer de la publication' }).waitFor({ timeout: WAIT });
    await expect.poll(() => row.textContent(), { timeout: WAIT }).toContain('Nouveau · publié');

    await page.getByLabel('Nouvel état').selectOption({ label: 'Résolu' });
    await page.getByLabel('Réponse publique').fill('Trou rebouché le 2 décembre.');
    await page.getByLabel('Note interne (non publiée)').fill('Équipe voirie, 20 min.');
    await page.evaluate(() => { document.getElementById('console-announce')!.textContent = ''; });
    await press(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    await expect.poll(() => announce.textContent(), { timeout: WAIT }).toBe(`Signalement n° ${report.id} enregistré`);
    await expect.poll(() => row.textContent(), { timeout: WAIT }).toContain('Résolu · publié');
    expect(await page.getByLabel('Note interne (non publiée)').inputValue()).toBe('');

    const stored = await server.db.query<{ status: string; published: boolean; status_notes: string }>(
      'SELECT status, published, status_notes FROM incidents WHERE id = $1', [report.id]);
    expect(stored.rows[0]).toEqual({ status: 'resolved', published: true, status_notes: 'Trou rebouché le 2 décembre.' });
    const notes = await server.db.query<{ note: string }>('SELECT note FROM incident_notes WHERE incident_id = $1', [report.id]);
    expect(notes.rows.map((n) => n.note)).toEqual(['Équipe voirie, 20 min.']);

    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);

    // In English the same controls are relabelled, keeping the values shown.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('button', { name: 'Withdraw from publication' }).waitFor({ timeout: WAIT });
    expect(await page.getByLabel('New status').locator('option:checked').textContent()).toBe('Resolved');
    expect(await page.getByLabel('Public answer').inputValue()).toBe('Trou rebouché le 2 décembre.');
    expect(await row.textContent()).toContain('Resolved · published');
    expect(errors).toEqual([]);

    const tracking = await openPage(new URL(report.tracking_url).pathname + new URL(report.tracking_url).search);
    const details = tracking.locator('#tracking-details');
    await expect.poll(() => details.textContent(), { timeout: WAIT }).toContain('Résolu');
    expect(await details.textContent()).toContain('Trou rebouché le 2 décembre.');
    expect(await details.textContent()).not.toContain('Équipe voirie');
    expect(await overflow(tracking)).toBeLessThanOrEqual(0);
  });
});
