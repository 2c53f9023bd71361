// A .prj is identified as an EPSG system, then checked against PROJ's own reading of the WKT; an
// agreement is remembered per WKT text and PROJ version (crs_checks) so the next delivery with the
// same .prj skips the check's PROJ set-up. A disagreement stops the import and is never remembered.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runLotImport } from '../data-import/lot-import.ts';
import { runImport } from '../data-import/pipeline.ts';
import { ESRI_PRJ, project, squareRing, writeShapefile } from './helpers/import-fixtures.ts';
import { useImportTestBed } from './helpers/import-test-bed.ts';

const layers = createLayerRegistry();
let db: Database;
let dir: string;
useImportTestBed((bed) => ({ db, dir } = bed));

/** Lambert-93 as ESRI writes it, but for the EPSG authority named in it and a false easting 100 km off. */
const SHIFTED_PRJ = ESRI_PRJ[2154]!
  .replace('PROJCS["RGF_1993_Lambert_93",', 'PROJCS["RGF_1993_Lambert_93",')
  .replace(/PARAMETER\["False_Easting",700000(\.0)?\]/, 'PARAMETER["False_Easting",800000.0]')
  .replace(/\]$/, ',AUTHORITY["EPSG","2154"]]');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function remembered(prj: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM crs_checks WHERE wkt_sha256 = $1 AND srid = 2154', [sha256(prj)]);
  return rows[0]!.n;
}

let files = 0;
/** Imports three points near Rennes under `prj`, and the points of `stray` (Lambert-93 x/y). */
async function importWith(prj: string, name: string, stray: [number, number][] = []) {
  const file = ++files;
  const [x, y] = await project(db, 2154, -1.9614, 48.1266);
  const points: [number, number][] = [[x, y], [x + 10, y], [x + 20, y], ...stray];
  const shp = writeShapefile(
    { base: join(dir, name), kind: 'point', encoding: 'utf-8', cpg: 'UTF-8', prj, fields: [{ name: 'premise_id', type: 'C', length: 20 }, { name: 'status', type: 'C', length: 20 }] },
    points.map((geometry, i) => ({ geometry, attributes: { premise_id: `PRJ-${file}-${i}`, status: 'deployed' } })),
  );
  return runImport(db, layers, { layer: 'fibre_premises', file: shp, mode: 'append', confirmed: true, maxErrors: stray.length });
}

describe('the .prj cross-check', () => {
  it('fixture: the shifted .prj still names EPSG:2154 and differs from the ESRI text', () => {
    expect(SHIFTED_PRJ).toContain('800000');
    expect(SHIFTED_PRJ).toContain('AUTHORITY["EPSG","2154"]');
  });

  it('refuses a .prj that PROJ places away from the system it names, every time, and never remembers it', async () => {
    for (const attempt of ['first', 'second']) {
      const summary = await importWith(SHIFTED_PRJ, `shifted-${attempt}`);
      expect(summary.status).toBe('failed');
      expect(summary.message).toMatch(/PROJ places the data .* away from that: pass --srs/);
      expect(summary.fault).toBe('file');
      expect(await remembered(SHIFTED_PRJ)).toBe(0);
      // Checked once the rows are staged: the staging table goes with the refusal.
      expect((await db.query('SELECT 1 FROM pg_tables WHERE tablename = $1', [`import_stage_${summary.id}`])).rowCount).toBe(0);
    }
  });

  it('remembers an agreement for the WKT text under the PROJ version that read it', async () => {
    const summary = await importWith(ESRI_PRJ[2154]!, 'esri');
    expect(summary.status, summary.message).toBe('succeeded');
    expect(await remembered(ESRI_PRJ[2154]!)).toBe(1);
    const { rows } = await db.query<{ same: boolean }>('SELECT bool_and(proj_version = postgis_proj_version()) AS same FROM crs_checks WHERE wkt_sha256 = $1', [sha256(ESRI_PRJ[2154]!)]);
    expect(rows[0]!.same).toBe(true);
    const again = await importWith(ESRI_PRJ[2154]!, 'esri-again');
    expect(again.status, again.message).toBe('succeeded');
    expect(await remembered(ESRI_PRJ[2154]!)).toBe(1);
  });

  it('remembers no agreement read where the system cannot carry the data: the next delivery with that .prj is checked', async () => {
    // A stray point a billion kilometres out takes the bounding box's centre, the sample, where
    // both readings of Lambert-93 end at the South Pole: the shifted .prj "agrees" there.
    const [, y] = await project(db, 2154, -1.9614, 48.1266);
    await importWith(SHIFTED_PRJ, 'shifted-stray', [[1e15, y]]);
    expect(await remembered(SHIFTED_PRJ)).toBe(0);
    const summary = await importWith(SHIFTED_PRJ, 'shifted-after-stray');
    expect(summary.status).toBe('failed');
    expect(summary.message).toMatch(/PROJ places the data .* away from that: pass --srs/);
  });

  it('trusts a remembered agreement without checking again, and only under the same PROJ version', async () => {
    await db.query(`INSERT INTO crs_checks (wkt_sha256, srid, proj_version) VALUES ($1, 2154, 'another PROJ')`, [sha256(SHIFTED_PRJ)]);
    expect((await importWith(SHIFTED_PRJ, 'shifted-other-proj')).status).toBe('failed');
    await db.query('INSERT INTO crs_checks (wkt_sha256, srid, proj_version) VALUES ($1, 2154, postgis_proj_version())', [sha256(SHIFTED_PRJ)]);
    const summary = await importWith(SHIFTED_PRJ, 'shifted-remembered');
    expect(summary.status, summary.message).toBe('succeeded');
  });

  it('refuses it in a lot import too, whose path resolves the system on its own', async () => {
    // The agreement the test above planted would spare it the check.
    await db.query('DELETE FROM crs_checks WHERE wkt_sha256 = $1', [sha256(SHIFTED_PRJ)]);
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const shp = writeShapefile(
      {
        base: join(dir, 'lots-shifted'), kind: 'polygon', encoding: 'utf-8', cpg: 'UTF-8', prj: SHIFTED_PRJ,
        fields: [{ name: 'zone_code', type: 'C', length: 20 }, { name: 'lot_number', type: 'C', length: 10 }, { name: 'status', type: 'C', length: 20 }],
      },
      [{ geometry: [squareRing(x, y, 50)], attributes: { zone_code: 'ZAE-PRJ', lot_number: '1', status: 'available' } }],
    );
    const summary = await runLotImport(db, layers, { layer: 'zone_lots', file: shp, mode: 'upsert' });
    expect(summary.status).toBe('failed');
    expect(summary.fault).toBe('file');
    expect(summary.message).toMatch(/PROJ places the data .* away from that: pass --srs/);
  });
});
