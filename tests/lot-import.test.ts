// Lots from a spreadsheet keyed on (zone code, lot number): rows checked by the lot rules and the
// geometry rules, a dry-run diff that writes nothing, an upsert with audit entries, and a second
// run of the same file that finds nothing to change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runLotImport } from '../data-import/lot-import.ts';
import type { ImportOptions } from '../data-import/pipeline.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { tempDir, writeText } from './helpers/import-fixtures.ts';

const layers = createLayerRegistry();
let db: Database;
let tmp: ReturnType<typeof tempDir>;
let file: string;
/** WKT of a rectangle in fractions of the test zone. */
let rect: (x0: number, y0: number, x1: number, y1: number) => string;
let demoLot: { zone_code: string; lot_number: string; wkt: string; price: number };

const options = (extra: Partial<ImportOptions> = {}): ImportOptions => ({
  layer: 'zone_lots', file, mode: 'upsert', srs: 'EPSG:4326', maxErrors: 10,
  mapping: { name: 'lots-test', geometry: { wkt: 'wkt' }, fields: { zone: 'zone_code', lot: 'lot_number' } }, ...extra,
});

beforeAll(async () => {
  db = await openTestDatabase();
  tmp = tempDir();
  const c = (await db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Talensac') c`)).rows[0]!;
  const [w, s, e, n] = [c.lon - 0.002, c.lat - 0.00135, c.lon + 0.002, c.lat + 0.00135];
  rect = (x0, y0, x1, y1) => {
    const x = (f: number) => (w + f * (e - w)).toFixed(7);
    const y = (f: number) => (s + f * (n - s)).toFixed(7);
    return `POLYGON((${x(x0)} ${y(y0)},${x(x1)} ${y(y0)},${x(x1)} ${y(y1)},${x(x0)} ${y(y1)},${x(x0)} ${y(y0)}))`;
  };
  await db.query(`INSERT INTO business_zones (code, name, geom) VALUES ('ZAE-IMPORT', 'ZA de l''Import', ST_Multi(ST_GeomFromText($1, 4326)))`, [rect(0, 0, 1, 1)]);
  const lot = (await db.query<{ zone_code: string; lot_number: string; wkt: string; price: number }>(
    `SELECT z.code AS zone_code, l.lot_number, ST_AsText(ST_GeometryN(l.geom, 1)) AS wkt, l.price_per_m2::float8 AS price
       FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE l.status = 'available' ORDER BY l.id LIMIT 1`)).rows[0]!;
  demoLot = lot;
  const csv = [
    'zone;lot;status;price_per_m2;option_expires_on;occupant_siret;naf_code;serviced;wkt',
    `ZAE-IMPORT;1;available;18,5;;;;oui;${rect(0.05, 0.05, 0.45, 0.45)}`,
    `ZAE-IMPORT;2;optioned;19;2099-03-31;;;non;${rect(0.55, 0.05, 0.95, 0.45)}`,
    `${lot.zone_code};${lot.lot_number};reserved;${lot.price + 1};2099-06-30;;;;${lot.wkt}`,
    `ZAE-INCONNUE;1;available;10;;;;;${rect(0.05, 0.55, 0.45, 0.95)}`,
    `ZAE-IMPORT;3;sold;;;73282932000075;62.01Z;;${rect(0.05, 0.55, 0.45, 0.95)}`,
    `ZAE-IMPORT;4;available;;;;;;${rect(0.3, 0.3, 0.6, 0.6)}`,
    `ZAE-IMPORT;5;optioned;;;;;;${rect(0.55, 0.55, 0.95, 0.95)}`,
  ].join('\n');
  file = writeText(join(tmp.dir, 'lots.csv'), csv);
});
afterAll(async () => {
  await db?.close();
  tmp?.cleanup();
});

describe('lot import by (zone code, lot number)', () => {
  it('reports the diff of a dry run and the rows each rule rejects, writing nothing', async () => {
    const before = (await db.query<{ n: number }>('SELECT count(*) AS n FROM zone_lots')).rows[0]!.n;
    const summary = await runLotImport(db, layers, options({ dryRun: true }));
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.diff).toMatchObject({ key: 'zone_code, lot_number', added: 2, changed: 1, unchanged: 0 });
    expect(summary.diff!.transitions.status).toEqual({ 'available → reserved': 1 });
    const reasons = Object.fromEntries(summary.errors.map((e) => [e.row, e.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([4, 5, 6, 7]);
    expect(reasons[4]).toMatch(/unknown zone/);
    expect(reasons[5]).toMatch(/check digit/);
    expect(reasons[6]).toMatch(/overlaps lot 1/);
    expect(reasons[7]).toMatch(/expiry date is required/);
    expect((await db.query<{ n: number }>('SELECT count(*) AS n FROM zone_lots')).rows[0]!.n).toBe(before);
  });

  it('refuses any mode but upsert', async () => {
    await expect(runLotImport(db, layers, options({ mode: 'replace' }))).rejects.toThrow(/upsert/);
  });

  it('upserts by zone code and lot number, audits each lot, and finds nothing to do the second time', async () => {
    const summary = await runLotImport(db, layers, options());
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.written).toEqual({ inserted: 2, updated: 1, deleted: 0 });
    const { rows } = await db.query<{ lot_number: string; status: string; price: number; serviced: boolean; area_m2: number }>(
      `SELECT l.lot_number, l.status, l.price_per_m2::float8 AS price, l.serviced, l.area_m2::float8 AS area_m2
         FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE z.code = 'ZAE-IMPORT' ORDER BY l.lot_number`);
    expect(rows.map(({ area_m2: _, ...r }) => r)).toEqual([
      { lot_number: '1', status: 'available', price: 18.5, serviced: true },
      { lot_number: '2', status: 'optioned', price: 19, serviced: false },
    ]);
    expect(rows[0]!.area_m2).toBeGreaterThan(12_000);
    const updated = (await db.query<{ status: string; option_expires_on: string }>(
      `SELECT l.status, l.option_expires_on FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE z.code = $1 AND l.lot_number = $2`,
      [demoLot.zone_code, demoLot.lot_number])).rows[0]!;
    expect(updated).toEqual({ status: 'reserved', option_expires_on: '2099-06-30' });
    const audit = (await db.query<{ action: string; n: number }>(
      `SELECT action, count(*) AS n FROM audit_log WHERE details->>'import' = $1 GROUP BY action ORDER BY action`, [String(summary.id)])).rows;
    expect(audit).toEqual([{ action: 'lot_created', n: 2 }, { action: 'lot_imported', n: 1 }]);
    const again = await runLotImport(db, layers, options());
    expect(again.diff).toMatchObject({ added: 0, changed: 0, unchanged: 3 });
    expect(again.written).toEqual({ inserted: 0, updated: 0, deleted: 0 });
  });
});
