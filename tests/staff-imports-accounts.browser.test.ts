// The console's Imports and Accounts tabs in Debian's Chromium: an admin imports a small CSV of wifi
// hotspots (dry run, diff, confirmation, final counts), creates a staff account and disables it
// (that person's session ends), the staff member sees no Accounts tab, and both tabs fit a phone;
// axe-core finds no serious or critical WCAG 2.1 AA violation in the forms, the diff and the lists.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { tempDir } from './helpers/import-fixtures.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { upsertUser } from '../server/auth/users.ts';
import { axeViolations } from './helpers/axe.ts';

/** Longest wait for the page to catch up (a loaded machine, an import job's process); a bound, not a timing assertion. */
const WAIT = 60_000;
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };
const ADMIN = { email: 'admin-console@montfort-communaute.test', password: 'admin password for the console' };
const STAFF = { email: 'agent-nouveau@montfort-communaute.test', password: 'agent password 2026' };

/** Three hotspots in the shape of the built-in `wifi-hotspots` profile (French columns, `;`). */
const HOTSPOTS_CSV = [
  'nom;type;etat;adresse;commune;operateur;acces;lon;lat',
  'Salle des fêtes de Breteil;intérieur;en service;rue de Montfort;Breteil;Montfort Communauté;libre;-1.89710;48.14540',
  'Stade de Pleumeleuc;extérieur;prévu;route du stade;Pleumeleuc;Montfort Communauté;libre;-1.91790;48.18390',
  'Mairie de La Nouaye;intérieur;en service;place de la mairie;La Nouaye;Montfort Communauté;libre;-1.98010;48.14670',
].join('\n');

// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
describeUnless(missingChromium(), 'the imports and accounts tabs of the staff console', () => {
  let server: TestServer;
  let browser: Browser;
  let tmp: ReturnType<typeof tempDir>;
  let csv: string;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await upsertUser(server.db, ADMIN.email, 'admin', ADMIN.password);
    browser = await launchChromium();
    tmp = tempDir();
    csv = join(tmp.dir, 'bornes-wifi.csv');
    writeFileSync(csv, HOTSPOTS_CSV);
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.close();
    tmp?.cleanup();
  });

  async function open(viewport: { width: number; height: number }, locale = 'fr-FR'): Promise<Page> {
    const context = await browser.newContext({ viewport, locale, hasTouch: viewport.width < 640 });
    contexts.push(context);
    // No network in tests: anything outside the app is refused.
    await context.route((url) => !url.href.startsWith(server.url), (route) => route.abort());
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/console.html`);
    await page.waitForSelector('html[data-console-ready="1"]', { timeout: WAIT });
    return page;
  }

  async function logIn(page: Page, who: { email: string; password: string }): Promise<void> {
    await page.fill('#login-email', who.email);
    await page.fill('#login-password', who.password);
    await page.press('#login-password', 'Enter');
    await page.waitForSelector('[role="tablist"]', { timeout: WAIT });
  }


  const tabNames = (page: Page) => page.$$eval('[role="tab"]', (tabs) => tabs.map((t) => t.id));
  const hotspotCount = async () => Number((await server.db.query<{ n: string }>('SELECT count(*) AS n FROM wifi_hotspots')).rows[0]!.n);

  it('imports a CSV of hotspots: dry run with its diff, confirmation, then the final counts', async () => {
    const before = await hotspotCount();
    const page = await open(DESKTOP);
    await logIn(page, ADMIN);
    await page.click('#tab-imports');
    await page.waitForSelector('#import-layer option[value="wifi_hotspots"]', { state: 'attached', timeout: WAIT });
    // Nothing is chosen for the person: submitting at once names every field missing.
    await page.click('.import-form button[type="submit"]');
    expect(await page.getAttribute('#import-layer', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#import-layer', 'aria-describedby')).toContain('import-layer-error');
    expect(await page.textContent('#import-layer-error')).toMatch(/Choisissez la couche/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('import-layer');

    await page.selectOption('#import-layer', 'wifi_hotspots');
    // wifi_hotspots has no natural key: no upsert, and no mode chosen by default.
    expect(await page.$$eval('#import-mode input[type="radio"]', (inputs) => inputs.map((i) => [(i as HTMLInputElement).value, (i as HTMLInputElement).checked]))).toEqual([
      ['replace', false], ['append', false],
    ]);
    expect(await page.inputValue('#import-mapping')).toBe('wifi-hotspots');
    await page.setInputFiles('#import-file', csv);
    await page.click('.import-form button[type="submit"]');
    expect(await page.textContent('#import-mode-error')).toMatch(/Choisissez un mode/);
    await page.check('#import-mode-append');
    await page.click('.import-form button[type="submit"]');

    await page.waitForSelector('.import-diff', { timeout: WAIT });
    expect(await page.textContent('.import-diff [data-count="added"] td')).toBe('3');
    expect(await page.textContent('.import-diff [data-count="removed"] td')).toBe('0');
    expect(await hotspotCount()).toBe(before);
    expect(await axeViolations(page, '#panel-imports')).toEqual([]);
    await page.click('.import-confirm');
    await page.waitForSelector('.import-outcome[data-status="succeeded"]', { timeout: WAIT });
    expect(await page.textContent('.import-outcome')).toBe('Import terminé : 3 ajoutés, 0 modifiés, 0 supprimés.');
    expect(await hotspotCount()).toBe(before + 3);
    // The recent imports list both runs, the real one first.
    await page.waitForFunction(() => document.querySelectorAll('.import-recent tbody tr').length >= 2, undefined, { timeout: WAIT });
    expect(await page.$$eval('.import-recent tbody tr td:nth-child(6)', (cells) => cells.slice(0, 2).map((c) => c.getAttribute('data-status')))).toEqual(['succeeded', 'succeeded']);

    // The report follows the language.
    await page.click('.lang-switch button[data-lang="en"]');
    expect(await page.textContent('.import-outcome')).toBe('Import done: 3 added, 0 changed, 0 deleted.');
    expect(await page.textContent('#imports-heading')).toBe('Import data');
    expect(errors).toEqual([]);
  }, 240_000);

  it('creates a staff account, whose holder sees no Accounts tab, then disables it and so ends that session', async () => {
    const admin = await open(DESKTOP);
    await logIn(admin, ADMIN);
    expect(await tabNames(admin)).toContain('tab-accounts');
    await admin.click('#tab-accounts');
    await admin.waitForSelector('.accounts-table', { timeout: WAIT });
    // A bad e-mail is refused in place, linked to its field.
    await admin.fill('#account-email', 'not-an-email');
    await admin.click('.account-form button[type="submit"]');
    expect(await admin.getAttribute('#account-email', 'aria-invalid')).toBe('true');
    expect(await admin.getAttribute('#account-email', 'aria-describedby')).toBe('account-email-error');
    await admin.fill('#account-email', STAFF.email);
    await admin.fill('#account-password', STAFF.password);
    await admin.click('.account-form button[type="submit"]');
    const row = `.accounts-table tr[data-email="${STAFF.email}"]`;
    await admin.waitForSelector(row, { timeout: WAIT });
    expect(await admin.textContent(`${row} [data-state]`)).toBe('actif');

    const staff = await open(DESKTOP);
    await logIn(staff, STAFF);
    // Every tab an admin has but Accounts.
    const staffTabs = await tabNames(staff);
    expect(staffTabs).toContain('tab-imports');
    expect(staffTabs).toEqual((await tabNames(admin)).filter((tab) => tab !== 'tab-accounts'));
    expect(await staff.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(200);

    // Disabling asks first; cancelling changes nothing.
    await admin.click(`${row} [data-account-toggle]`);
    await admin.waitForSelector('dialog[open]');
    await admin.keyboard.press('Escape');
    expect(await admin.textContent(`${row} [data-state]`)).toBe('actif');
    await admin.click(`${row} [data-account-toggle]`);
    await admin.click('dialog[open] .danger-button');
    await admin.waitForSelector(`${row} [data-state="disabled"]`, { timeout: WAIT });
    expect(await staff.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(401);
    await staff.reload();
    await staff.waitForSelector('html[data-console-ready="1"]', { timeout: WAIT });
    expect(await staff.isVisible('#login-email')).toBe(true);

    // The account's history lists its creation by the admin on the admin's own history.
    const adminId = (await server.db.query<{ id: number }>('SELECT id FROM users WHERE email = $1', [ADMIN.email])).rows[0]!.id;
    await admin.click(`.accounts-table tr[data-account="${adminId}"] [data-account-history]`);
    await admin.waitForSelector('.account-history tr[data-action="user_disabled"]', { timeout: WAIT });
    expect(await admin.textContent('.account-history tr[data-action="user_created"] td:nth-child(3)')).toBe(STAFF.email);
    expect(await admin.evaluate(() => document.activeElement?.id)).toBe('account-history-heading');
    expect(errors).toEqual([]);
  }, 240_000);

  it('fits both tabs on a phone (390×844): nothing wider than the screen, controls large enough to touch', async () => {
    const page = await open(PHONE);
    await logIn(page, ADMIN);
    for (const tab of ['imports', 'accounts']) {
      await page.click(`#tab-${tab}`);
      await page.waitForSelector(tab === 'imports' ? '#import-layer option[value="wifi_hotspots"]' : '.accounts-table', { state: 'attached', timeout: WAIT });
      const { width, overflowing } = await page.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        overflowing: [...document.querySelectorAll<HTMLElement>('#panel-imports *, #panel-accounts *')]
          .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.console-table-wrap'))
          .map((e) => `${e.tagName}.${e.className}`),
      }));
      expect(width, tab).toBeLessThanOrEqual(PHONE.width);
      expect(overflowing, tab).toEqual([]);
      const small = await page.$$eval(`#panel-${tab} button, #panel-${tab} select, #panel-${tab} input:not([type="radio"])`, (controls) =>
        controls.filter((c) => (c as HTMLElement).offsetParent !== null && c.getBoundingClientRect().height < 44).map((c) => c.outerHTML.slice(0, 80)),
      );
      expect(small, tab).toEqual([]);
      expect(await axeViolations(page, `#panel-${tab}`), tab).toEqual([]);
    }
    expect(errors).toEqual([]);
  }, 240_000);
});
