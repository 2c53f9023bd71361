// The ZAE inventory tab of the staff console in Debian's Chromium: a staff member logs in, opens the
// tab, sees per CNIG table how many rows the check finds valid, and downloads the complete occupants
// file through the link with the session; the public link gives the header alone. Then they fill what
// the check asks in the lots tab (a zone's record, an occupant's establishment fields) with the keyboard,
// the standard's code lists in French or English, refusals shown at the field, and the check follows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { axeViolations } from './helpers/axe.ts';
import { launchChromium } from './helpers/browser.ts';
import { describeUnless, missingChromium } from './helpers/skip.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { upsertUser } from '../server/auth/users.ts';

const WAIT = 30_000;
const EMAIL = 'agent.inventaire@montfort-communaute.test';
const PASSWORD = 'correct horse battery staple';

// Skipped where Debian's Chromium is missing (the reason is in the suite's name and on stderr); CI installs it.
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

  it('lets staff fill a zone\'s and an occupant\'s CNIG fields in the console forms, refusals shown at the field', async () => {
    const { rows: [target] } = await server.db.query<{ lot_id: number; lot_number: string; zone_id: number; zone_code: string; zone_name: string }>(`
      SELECT l.id AS lot_id, l.lot_number, l.zone_id, z.code AS zone_code, z.name AS zone_name
        FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE l.occupant_siret IS NOT NULL ORDER BY l.id LIMIT 1`);
    await page.getByRole('tab', { name: 'Lots des zones' }).click();
    await page.waitForSelector('[data-lots-ready="1"]', { state: 'attached', timeout: WAIT });
    await page.selectOption('#lots-zone', String(target!.zone_id));

    // The zone's record opens from the keyboard, and Tab leads into its fields.
    await page.locator('.zone-record > summary').focus();
    await page.keyboard.press('Enter');
    const record = page.locator('.zone-record');
    await expect.poll(() => record.locator('.form-heading').textContent(), { timeout: WAIT }).toBe(`Zone ${target!.zone_name}`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('zone-code');
    // Every value of the standard's code list is offered, labelled in the language chosen.
    const moaOptions = () => page.locator('#zone-site_moa_type option').allTextContents();
    expect(await moaOptions()).toEqual(['—', 'commune', 'epci', "société d'économie mixte", 'chambre de commerce et industrie', 'Etat', 'privé', 'inconnu', 'autre', 'sans objet']);
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    expect(await page.locator('label[for="zone-site_moa_type"]').textContent()).toBe('Owner type (CNIG)');
    expect((await moaOptions())[2]).toBe('Intermunicipal body (EPCI)');
    await page.getByRole('button', { name: 'FR', exact: true }).click();

    await page.getByLabel('Type de site (CNIG)').selectOption("zone d'activité économique");
    await page.getByLabel('Vocation dominante (CNIG)').selectOption('artisanale');
    await page.getByLabel('État du site (CNIG)').selectOption('existant et actif');
    await page.getByLabel('Type de maître d’ouvrage (CNIG)').selectOption('epci');
    await page.locator('#zone-site_identif_date').fill('2021-06-30');
    const year = page.locator('#zone-site_creation_year');
    await year.fill('20');
    await year.press('Enter');
    await expect.poll(() => page.locator('#zone-site_creation_year-error').textContent(), { timeout: WAIT }).toBe('site_creation_year : 20 hors de 1800–2200');
    expect(await year.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('zone-site_creation_year');
    await year.fill('2004');
    await year.press('Enter');
    await expect.poll(() => page.locator('#console-announce').textContent(), { timeout: WAIT }).toBe(`Zone ${target!.zone_name} enregistrée`);
    const { rows: zone } = await server.db.query(`SELECT site_type, site_vocadomi, site_etat, site_moa_type, site_creation_year, site_identif_date::text
                                                    FROM business_zones WHERE id = $1`, [target!.zone_id]);
    expect(zone[0]).toEqual({ site_type: "zone d'activité économique", site_vocadomi: 'artisanale', site_etat: 'existant et actif', site_moa_type: 'epci',
      site_creation_year: 2004, site_identif_date: '2021-06-30' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // The occupant's establishment fields, in the lot form beside its name and SIRET.
    await page.locator(`[data-lot-id="${target!.lot_id}"]`).click();
    const legal = page.getByLabel('Catégorie juridique de l’occupant (INSEE, 4 chiffres)');
    await legal.waitFor({ timeout: WAIT });
    await legal.fill('SAS');
    await page.getByLabel('Date de création de l’établissement').fill('2019-03-04');
    const band = page.getByLabel('Tranche d’effectif salarié (INSEE)');
    await band.selectOption('12');
    expect(await band.locator('option:checked').textContent()).toBe('20 à 49 salariés');
    await page.getByLabel('Année de la tranche d’effectif').fill('2023');
    const save = page.locator('.lot-detail').getByRole('button', { name: 'Enregistrer', exact: true });
    await save.click();
    await expect.poll(() => page.locator('#lot-etab_nat_juridique-error').textContent(), { timeout: WAIT }).toContain('catégorie juridique INSEE à 4 chiffres');
    expect(await legal.getAttribute('aria-invalid')).toBe('true');
    // The zone's record open and the lot's form showing a refusal: nothing axe-core finds serious.
    expect(await axeViolations(page)).toEqual([]);
    await legal.fill('5710');
    await save.click();
    await expect.poll(() => page.locator('#console-announce').textContent(), { timeout: WAIT }).toBe(`Lot ${target!.lot_number} enregistré`);
    const { rows: lot } = await server.db.query(`SELECT etab_nat_juridique, etab_creation_date::text, etab_effectif_code, etab_effectif_annee
                                                   FROM zone_lots WHERE id = $1`, [target!.lot_id]);
    expect(lot[0]).toEqual({ etab_nat_juridique: '5710', etab_creation_date: '2019-03-04', etab_effectif_code: '12', etab_effectif_annee: 2023 });

    // The check, run again, counts that occupant's row valid and no longer lists the zone.
    const { rows: counts } = await server.db.query<{ occupants: number }>('SELECT count(DISTINCT occupant_siret)::int AS occupants FROM zone_lots');
    await page.getByRole('tab', { name: 'Inventaire ZAE' }).click();
    await page.getByRole('button', { name: 'Relancer le contrôle' }).click();
    const summaries = page.locator('#panel-zae .zae-check > p:first-of-type');
    await expect.poll(() => summaries.nth(2).textContent(), { timeout: WAIT }).toBe(`1 ligne(s) valide(s) sur ${counts[0]!.occupants}`);
    expect(await page.locator('#panel-zae').textContent()).not.toContain(`Zone ${target!.zone_code} — ${target!.zone_name}`);
  }, 180_000);
});
