// The CNIG ZAE inventory of the demo data: every file row validates against the shipped schemas, the
// checker catches each kind of invalid value, the figures match SQL computed here, no occupant leaks,
// GDAL reads the GeoPackage in Lambert-93, staff see what keeps a row from being complete and fill it
// through the edit APIs, which refuse values outside the standard's lists with a 422 naming the field.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETABLISSEMENT_SCHEMA, SITE_ECO_SCHEMA, TERRAIN_ECO_SCHEMA, type TableSchema } from '../core/zae/cnig-schemas.ts';
import { checkTable } from '../core/zae/table-schema-check.ts';
import { describeUnless, missingGdal } from './helpers/skip.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const readCsv = (text: string): string[][] => parse(text, { delimiter: ';', bom: true, relax_column_count: true });
const example = (name: string) => readFileSync(new URL(`../core/zae/schemas/${name}.exemple-valide.csv`, import.meta.url), 'utf8');

describe('the table-schema checker', () => {
  it('accepts the standard\'s TERRAIN-ECO example', () => {
    const [header, ...rows] = readCsv(example('terrain-eco'));
    expect(checkTable(TERRAIN_ECO_SCHEMA, header!, rows)).toEqual([]);
  });

  it('finds the faults SOURCE.md lists in the standard\'s own SITE-ECO example (split cell, list values, case)', () => {
    const [header, ...rows] = readCsv(example('site-eco'));
    const errors = checkTable(SITE_ECO_SCHEMA, header!, rows);
    // "entrepôts;logistique" split in two shifts site_etat; "extension" and "EPCI" are outside their lists.
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['site_vocadomi', '"entrepôts" is not in the code list'],
      ['site_etat', '"logistique" is not in the code list'],
      ['site_evol_urba', '"extension" is not in the code list'],
      ['site_moa_type', '"EPCI" is not in the code list'],
    ]);
  });

  it('catches each kind of invalid value: code list, type, date, pattern, required, geometry, point, key, header', () => {
    const [header, row] = readCsv(example('terrain-eco')) as [string[], string[]];
    const at = (field: string) => header.indexOf(field);
    const broken = (field: string, value: string) => {
      const copy = [...row];
      copy[at(field)] = value;
      return checkTable(TERRAIN_ECO_SCHEMA, header, [copy]).map((e) => e.field);
    };
    expect(broken('terr_stade_comm', 'Vendu')).toEqual(['terr_stade_comm']);
    expect(broken('terr_utile', 'yes')).toEqual(['terr_utile']);
    expect(broken('terr_surf_brute', '9,9')).toEqual(['terr_surf_brute']);
    expect(broken('terr_actu_date', '2023-02-30')).toEqual(['terr_actu_date']);
    expect(broken('terr_actu_date', '29/08/2023')).toEqual(['terr_actu_date']);
    expect(broken('terr_refcad', '80024000ZO0030|8002')).toEqual(['terr_refcad']);
    expect(broken('terr_url_cartofriches', 'cartofriches.cerema.fr')).toEqual(['terr_url_cartofriches']);
    expect(broken('terr_usage', '')).toEqual(['terr_usage']);
    expect(broken('terr_usage', 'NA')).toEqual(['terr_usage']);
    expect(broken('terr_geomsurf', '{"type":"Polygon"')).toEqual(['terr_geomsurf']);
    expect(checkTable(TERRAIN_ECO_SCHEMA, header, [row, row]).map((e) => e.message)).toEqual(['primary key "80024_TERRAIN-ECO_00131" is repeated']);
    expect(checkTable(TERRAIN_ECO_SCHEMA, [...header].reverse(), [row])[0]!.field).toBe('*');
    const site = SITE_ECO_SCHEMA.fields.map((f) => f.name);
    const point = (value: string) => checkTable({ ...SITE_ECO_SCHEMA, fields: SITE_ECO_SCHEMA.fields.filter((f) => f.name === 'site_geompoint') },
      ['site_geompoint'], [[value]]);
    expect(site).toContain('site_geompoint');
    expect(point('3.98, 49.25')).toEqual([]);
    expect(point('49.25, 193.98')).toHaveLength(1);
  });

  it('refuses to check a schema using a type it does not know, rather than skipping it', () => {
    const schema: TableSchema = { name: 'x', fields: [{ name: 'a', type: 'duration' }] };
    expect(() => checkTable(schema, ['a'], [['P1D']])).toThrow(/type duration/);
  });
});

describe('the ZAE inventory of the demo data', () => {
  let server: TestServer;
  const get = async (path: string) => {
    const res = await fetch(server.url + path);
    expect(res.status, path).toBe(200);
    return res;
  };
  /** A staff PATCH at the feature's current version, as the console sends it. */
  const patch = async (staff: StaffSession, path: string, body: Record<string, unknown>) => {
    const current = await fetch(server.url + path, { headers: { cookie: staff.cookie } });
    return fetch(server.url + path, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf, 'if-match': current.headers.get('etag')! },
      body: JSON.stringify(body),
    });
  };
  const patchLot = (staff: StaffSession, id: number, body: Record<string, unknown>) => patch(staff, `/api/lots/${id}`, body);
  beforeAll(async () => {
    server = await startTestServer();
    // A sold lot with a named occupant, to prove the occupant never reaches the inventory.
    await server.db.query(`UPDATE zone_lots SET status = 'occupied', occupant_name = 'Jeanne Artisan-Témoin', occupant_siret = '73282932000074'
                            WHERE id = (SELECT min(id) FROM zone_lots)`);
  });
  afterAll(async () => server?.close());

  for (const [cls, schema] of [['site-eco', SITE_ECO_SCHEMA], ['terrain-eco', TERRAIN_ECO_SCHEMA]] as const) {
    it(`publishes ${cls}.csv in UTF-8 with ";" that validates against the CNIG schema`, async () => {
      const res = await get(`/downloads/zae/${cls}.csv`);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const text = await res.text();
      expect(text).not.toContain('Jeanne Artisan-Témoin');
      expect(text).not.toContain('73282932000074');
      const [header, ...rows] = readCsv(text);
      expect(rows.length).toBeGreaterThan(0);
      expect(checkTable(schema, header!, rows)).toEqual([]);
    });
  }

  it('counts units, vacant units, hectares and fibre as SQL computed here does', async () => {
    const [header, ...rows] = readCsv(await (await get('/downloads/zae/site-eco.csv')).text()) as string[][];
    const col = (name: string) => header!.indexOf(name);
    const { rows: expected } = await server.db.query<{ name: string; units: number; vacant: number; ha: number; lots_ha: number }>(`
      SELECT z.name, count(l.id)::int AS units,
             count(l.id) FILTER (WHERE l.status IN ('available', 'optioned', 'reserved'))::int AS vacant,
             ST_Area(z.geom::geography) / 10000 AS ha, coalesce(sum(l.area_m2), 0)::float8 / 10000 AS lots_ha
        FROM business_zones z LEFT JOIN zone_lots l ON l.zone_id = z.id GROUP BY z.id ORDER BY z.id`);
    expect(rows.map((r) => r[col('site_nom')])).toEqual(expected.map((e) => e.name));
    rows.forEach((r, i) => {
      const e = expected[i]!;
      expect(Number(r[col('site_uf_nbre')])).toBe(e.units);
      expect(Number(r[col('site_uf_vacant_nbre')])).toBe(e.vacant);
      if (e.units > 0) expect(Number(r[col('site_taux_vacance')])).toBeCloseTo((100 * e.vacant) / e.units, 1);
      expect(Number(r[col('site_surf_brute')])).toBeCloseTo(e.ha, 3);
      expect(Number(r[col('site_surf_utile')])).toBeCloseTo(e.lots_ha, 3);
      expect(r[col('site_epci_siren')]).toBe('243500667');
      expect(r[col('site_comm_insee')]).toMatch(/^35\d{3}$/);
    });
    const { rows: fibre } = await server.db.query<{ fibre: boolean }>(`
      SELECT EXISTS (SELECT 1 FROM fibre_phases f WHERE f.status = 'deployed' AND ST_Intersects(f.geom, z.geom)) AS fibre
        FROM business_zones z ORDER BY z.id`);
    expect(rows.map((r) => r[col('reseau_fibre_optique')])).toEqual(fibre.map((f) => (f.fibre ? 'oui' : 'non')));
  });

  it('maps lot statuses and lists the cadastral parcels a lot covers', async () => {
    const [header, ...rows] = readCsv(await (await get('/downloads/zae/terrain-eco.csv')).text()) as string[][];
    const col = (name: string) => header!.indexOf(name);
    const { rows: lots } = await server.db.query<{ id: number; status: string; parcels: string | null }>(`
      SELECT l.id, l.status, (SELECT string_agg(p.id, '|' ORDER BY p.id) FROM parcels p
                               WHERE ST_Area(ST_Intersection(p.geom, l.geom)::geography) > 1) AS parcels
        FROM zone_lots l ORDER BY l.id`);
    expect(rows).toHaveLength(lots.length);
    const comm: Record<string, string> = { available: 'en vente', sold: 'vendu, commercialisation achevée', occupied: 'vendu, commercialisation achevée' };
    rows.forEach((r, i) => {
      expect(r[col('terr_id')]).toMatch(new RegExp(`_TERRAIN-ECO_${String(lots[i]!.id).padStart(5, '0')}$`));
      expect(r[col('terr_refcad')]).toBe(lots[i]!.parcels ?? '');
      if (comm[lots[i]!.status]) expect(r[col('terr_stade_comm')]).toBe(comm[lots[i]!.status]);
    });
    expect(rows[0]![col('terr_etat_occup')]).toBe('occupé');
    expect(rows.some((r) => r[col('terr_refcad')] !== '')).toBe(true);
  });

  it('is listed on the open-data page, each listed file answering', async () => {
    const page = (await (await get('/downloads?f=json')).json()) as { zaeInventory: { formats: { href: string }[] } };
    const paths = page.zaeInventory.formats.map((f) => new URL(f.href).pathname);
    expect(paths).toEqual(['/downloads/zae/site-eco.csv', '/downloads/zae/site-eco.gpkg', '/downloads/zae/terrain-eco.csv', '/downloads/zae/terrain-eco.gpkg',
      '/downloads/zae/etablissement.csv', '/downloads/zae/etablissement.gpkg']);
    const html = await (await get('/downloads?lang=fr')).text();
    for (const path of paths) expect(html).toContain(path);
  });

  it('publishes etablissement.csv with the header alone: its required SIRET and name are private lot fields', async () => {
    const text = await (await get('/downloads/zae/etablissement.csv')).text();
    expect(text).not.toContain('Jeanne Artisan-Témoin');
    expect(text).not.toContain('73282932000074');
    const [header, ...rows] = readCsv(text);
    expect(header).toEqual(ETABLISSEMENT_SCHEMA.fields.map((f) => f.name));
    expect(rows).toEqual([]);
    expect((await get('/downloads/zae/etablissement.gpkg')).headers.get('content-type')).toBe('application/geopackage+sqlite3');
    expect((await fetch(`${server.url}/api/zae/etablissement.csv`)).status).toBe(401);
  });

  it('gives staff one ETABLISSEMENT row per occupant SIRET, invalid until staff fill what the standard asks of it', async () => {
    const staff = await createStaffSession(server);
    const staffCsv = async () => {
      const res = await fetch(`${server.url}/api/zae/etablissement.csv`, { headers: { cookie: staff.cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      return readCsv(await res.text()) as string[][];
    };
    const [header, ...rows] = await staffCsv();
    const { rows: sirets } = await server.db.query<{ siret: string; lots: number }>(
      `SELECT occupant_siret AS siret, count(*)::int AS lots FROM zone_lots WHERE occupant_siret IS NOT NULL GROUP BY 1 ORDER BY 1`);
    expect(rows.map((r) => r[0])).toEqual(sirets.map((s) => s.siret));
    const at = (field: string) => header!.indexOf(field);
    const jeanne = rows.find((r) => r[at('SIRET')] === '73282932000074')!;
    expect(jeanne[at('SIREN')]).toBe('732829320');
    expect(jeanne[at('etab_nom')]).toBe('Jeanne Artisan-Témoin');
    expect(jeanne[at('etab_actif')]).toBe('oui');
    expect(jeanne[at('terr_id')]!.split('|')).toHaveLength(sirets.find((s) => s.siret === '73282932000074')!.lots);
    // Unfilled, the creation date and headcount year (dates, which cannot say "inconnu") break the rows.
    const faults = new Set(checkTable(ETABLISSEMENT_SCHEMA, header!, rows).map((e) => `${e.field}: ${e.message}`));
    expect([...faults].sort()).toEqual(['etab_creation_date: required value is missing', 'etab_effectif_annee: required value is missing']);
    const checkOf = async () => (await (await fetch(`${server.url}/api/zae/check`, { headers: { cookie: staff.cookie } })).json()) as {
      etablissement: { siret: string; valid: boolean; unset: string[] }[];
    };
    const before = await checkOf();
    expect(before.etablissement.map((e) => e.siret)).toEqual(sirets.map((s) => s.siret));
    expect(before.etablissement[0]!.unset).toEqual(expect.arrayContaining(['etab_nat_juridique', 'etab_creation_date', 'etab_effectif_code', 'etab_effectif_annee']));

    // Staff fill the occupant's establishment fields on every occupied lot, through the lots API.
    const { rows: occupied } = await server.db.query<{ id: number }>('SELECT id FROM zone_lots WHERE occupant_siret IS NOT NULL ORDER BY id');
    for (const { id } of occupied) {
      const res = await patchLot(staff, id, {
        etab_nat_juridique: '5710', etab_creation_date: '2019-03-04', etab_effectif_code: '12', etab_effectif_annee: 2023, etab_siege: true,
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    // Files follow an edit within TILE_FRESHNESS_MS (the data-change signal is re-read that often).
    await expect.poll(async () => checkTable(ETABLISSEMENT_SCHEMA, ...(await staffCsv().then(([h, ...r]) => [h!, r] as const)))).toEqual([]);
    const [, ...filled] = await staffCsv();
    const row = filled.find((r) => r[at('SIRET')] === '73282932000074')!;
    expect([at('etab_nat_juridique'), at('etab_creation_date'), at('etab_effectif_code'), at('etab_effectif_libelle'), at('etab_effectif_annee'), at('etab_siege')]
      .map((i) => row[i])).toEqual(['5710', '2019-03-04', '12', '20 à 49 salariés', '2023', 'oui']);
    expect((await checkOf()).etablissement.every((e) => e.valid && !e.unset.some((f) => f.startsWith('etab_')))).toBe(true);
    // The public file still holds the header alone: these are occupant fields, staff only.
    const publicText = await (await get('/downloads/zae/etablissement.csv')).text();
    expect(readCsv(publicText)).toHaveLength(1);
    expect(publicText).not.toContain('20 à 49 salariés');
  });

  it('refuses values outside the standard\'s lists and bounds with a 422 naming the field, zone and lot alike', async () => {
    const staff = await createStaffSession(server);
    const { rows } = await server.db.query<{ lot: number; zone: number }>('SELECT min(l.id) AS lot, min(l.zone_id) AS zone FROM zone_lots l');
    const refusals: [string, number, Record<string, unknown>][] = [
      ['lots', rows[0]!.lot, { terr_usage: 'parking' }],
      ['lots', rows[0]!.lot, { etab_effectif_code: '99' }],
      ['lots', rows[0]!.lot, { etab_effectif_annee: 1700 }],
      ['lots', rows[0]!.lot, { etab_nat_juridique: 'SAS' }],
      ['lots', rows[0]!.lot, { etab_creation_date: '2999-01-01' }],
      ['zones', rows[0]!.zone, { site_vocadomi: 'spatiale' }],
      ['zones', rows[0]!.zone, { site_creation_year: 20 }],
      ['zones', rows[0]!.zone, { site_etat: 'actif' }],
    ];
    for (const [kind, id, body] of refusals) {
      const res = await patch(staff, `/api/${kind}/${id}`, body);
      const field = Object.keys(body)[0]!;
      expect(res.status, `${field}: ${await res.clone().text()}`).toBe(422);
      const answer = (await res.json()) as { code: string; description: string; field: string };
      expect(answer.field).toBe(field);
      expect(answer.description).toMatch(/ \/ /);
    }
  });

  it('publishes the dominant vocation staff chose, else the one the zone\'s kind gives', async () => {
    const staff = await createStaffSession(server);
    const { rows: zones } = await server.db.query<{ id: number; name: string }>('SELECT id, name FROM business_zones ORDER BY id LIMIT 1');
    const vocationOf = async () => {
      const [header, ...rows] = readCsv(await (await get('/downloads/zae/site-eco.csv')).text()) as string[][];
      return rows.find((r) => r[header!.indexOf('site_nom')] === zones[0]!.name)![header!.indexOf('site_vocadomi')];
    };
    const res = await patch(staff, `/api/zones/${zones[0]!.id}`, { site_vocadomi: 'entrepôts, logistique' });
    expect(res.status, await res.clone().text()).toBe(200);
    // Files follow an edit within TILE_FRESHNESS_MS (the data-change signal is re-read that often).
    await expect.poll(vocationOf).toBe('entrepôts, logistique');
    expect((await patch(staff, `/api/zones/${zones[0]!.id}`, { site_vocadomi: null, kind: 'craft' })).status).toBe(200);
    await expect.poll(vocationOf).toBe('artisanale');
  });

  it('answers 404 in JSON for an unknown inventory file', async () => {
    const res = await fetch(`${server.url}/downloads/zae/pole-eco.csv`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NotFound' });
  });

  it('shows staff, not the public, which fields each row still lacks', async () => {
    expect((await fetch(`${server.url}/api/zae/check`)).status).toBe(401);
    const staff = await createStaffSession(server);
    await server.db.query(`UPDATE business_zones SET site_type = 'zone d''activité économique', site_etat = 'existant et actif',
                             site_moa_type = 'epci', site_identif_date = '2020-01-15' WHERE id = (SELECT min(id) FROM business_zones)`);
    const res = await fetch(`${server.url}/api/zae/check`, { headers: { cookie: staff.cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { site_eco: { valid: boolean; unset: string[] }[]; terrain_eco: { valid: boolean; unset: string[] }[] };
    expect(body.site_eco.every((s) => s.valid)).toBe(true);
    expect(body.site_eco[0]!.unset).toEqual([]);
    expect(body.site_eco[1]!.unset).toContain('site_type');
    expect(body.terrain_eco[0]!.unset).toContain('terr_usage');
  });
});

// GDAL is the outside reader; skipped, with the reason, where gdal-bin is missing (CI installs it).
describeUnless(missingGdal(), 'the ZAE GeoPackage read by GDAL', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'websig-zae-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server?.close();
  });

  for (const [cls, table, schema, sql] of [
    ['site-eco', 'site_eco', SITE_ECO_SCHEMA, 'SELECT count(*)::int AS n FROM business_zones'],
    ['terrain-eco', 'terrain_eco', TERRAIN_ECO_SCHEMA, 'SELECT count(*)::int AS n FROM zone_lots'],
  ] as const) {
    it(`${cls}.gpkg has one feature per row, the schema's fields and SRID 2154`, async () => {
      const res = await fetch(`${server.url}/downloads/zae/${cls}.gpkg`);
      expect(res.status).toBe(200);
      const file = join(dir, `${cls}.gpkg`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const info = spawnSync('ogrinfo', ['-so', file, table], { encoding: 'utf8' });
      expect(info.status, info.stderr).toBe(0);
      const { rows } = await server.db.query<{ n: number }>(sql);
      expect(info.stdout).toMatch(new RegExp(`Feature Count: ${rows[0]!.n}\\n`));
      const geometryField = cls === 'site-eco' ? 'site_geomsurf' : 'terr_geomsurf';
      // Attribute lines, after the geometry column line, read "name: Type (width.precision)".
      const fields = [...info.stdout.matchAll(/^(\w+): (?:String|Real|Integer)/gm)].map((m) => m[1]);
      expect(fields).toEqual(schema.fields.map((f) => f.name).filter((n) => n !== geometryField));
      expect(info.stdout).toMatch(/ID\["EPSG",2154\]|AUTHORITY\["EPSG","2154"\]/);
    });
  }

  it('etablissement.gpkg for staff has one multipoint per occupant SIRET in SRID 2154', async () => {
    const staff = await createStaffSession(server);
    const res = await fetch(`${server.url}/api/zae/etablissement.gpkg`, { headers: { cookie: staff.cookie } });
    expect(res.status).toBe(200);
    const file = join(dir, 'etablissement.gpkg');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const info = spawnSync('ogrinfo', ['-so', file, 'etablissement'], { encoding: 'utf8' });
    expect(info.status, info.stderr).toBe(0);
    const { rows } = await server.db.query<{ n: number }>('SELECT count(DISTINCT occupant_siret)::int AS n FROM zone_lots');
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(info.stdout).toMatch(new RegExp(`Feature Count: ${rows[0]!.n}\\n`));
    expect(info.stdout).toMatch(/Geometry: Multi Point/);
    expect(info.stdout).toMatch(/ID\["EPSG",2154\]|AUTHORITY\["EPSG","2154"\]/);
    const fields = [...info.stdout.matchAll(/^([\w-]+): (?:String|Real|Integer)/gm)].map((m) => m[1]);
    expect(fields).toEqual(ETABLISSEMENT_SCHEMA.fields.map((f) => f.name).filter((n) => n !== 'etab_geompoint'));
  });
});
