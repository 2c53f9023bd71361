// The import pipeline against a real database (the embedded one, or PostGIS with
// TEST_DATABASE_URL): reprojection, encodings, archives, geometry repair, atomicity, diff and modes.
// Fixtures are shapefiles, zips, CSV and GeoJSON written by the tests themselves.
import { beforeAll, describe, expect, it } from 'vitest';
import { basename, join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport, type ImportOptions } from '../data-import/pipeline.ts';
import { readRun } from '../data-import/import-runs.ts';
import { KNOWN_CRS } from '../data-import/crs.ts';
import { ESRI_PRJ, project, squareRing, tableChecksum, writeShapefile, writeText, zipFiles } from './helpers/import-fixtures.ts';
import type { DbfField } from './helpers/shapefile-writer.ts';
import { useImportTestBed } from './helpers/import-test-bed.ts';

const layers = createLayerRegistry();
let db: Database;
let dir: string;
useImportTestBed((bed) => ({ db, dir } = bed));

/** Replaces (confirmed) unless the test says otherwise: most tests load a fixture over the demo layer. */
const importFile = (options: Omit<ImportOptions, 'mode'> & Partial<Pick<ImportOptions, 'mode'>>) =>
  runImport(db, layers, { mode: 'replace', confirmed: true, ...options });
const path = (name: string) => join(dir, name);

const PARCEL_FIELDS: DbfField[] = [
  { name: 'id', type: 'C', length: 14 },
  { name: 'commune', type: 'C', length: 5 },
  { name: 'prefixe', type: 'C', length: 3 },
  { name: 'section', type: 'C', length: 2 },
  { name: 'numero', type: 'C', length: 4 },
  { name: 'contenance', type: 'N', length: 9 },
];
const parcelAttributes = (n: number) => ({
  id: `35188000AB${String(n).padStart(4, '0')}`, commune: '35188', prefixe: '000', section: 'AB', numero: String(n).padStart(4, '0'), contenance: 900 + n,
});

const HOTSPOT_FIELDS: DbfField[] = [
  { name: 'name', type: 'C', length: 40 },
  { name: 'kind', type: 'C', length: 10 },
  { name: 'status', type: 'C', length: 20 },
  { name: 'commune', type: 'C', length: 30 },
];

const PREMISE_FIELDS: DbfField[] = [
  { name: 'premise_id', type: 'C', length: 20 },
  { name: 'status', type: 'C', length: 20 },
  { name: 'address', type: 'C', length: 60 },
  { name: 'updated_on', type: 'D', length: 8 },
];

/** Squares of `size` metres in a grid starting at a source-system position. */
function grid(origin: [number, number], count: number, size: number, step: number): number[][][][] {
  return Array.from({ length: count }, (_, i) => [squareRing(origin[0] + (i % 5) * step, origin[1] + Math.floor(i / 5) * step, size)]);
}

describe('reprojection', () => {
  it.each([
    [2154, 'Lambert-93'],
    [3948, 'CC48'],
    [32630, 'UTM 30N'],
    [3857, 'Web Mercator'],
  ] as const)('reads an ESRI .prj for EPSG:%s (%s) and lands within 1e-7° of PostGIS’s own ST_Transform', async (srid, _name) => {
    const origin = await project(db, srid, -1.9614, 48.1266);
    const polygons = grid(origin, 10, 25, 40);
    const shp = writeShapefile(
      { base: path(`grid-${srid}`), kind: 'polygon', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[srid], fields: PARCEL_FIELDS },
      polygons.map((rings, i) => ({ geometry: rings, attributes: parcelAttributes(i + 1) })),
    );
    const summary = await importFile({ layer: 'parcels', file: shp });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.srs).toContain(`EPSG:${srid}`);
    expect(summary.counts).toMatchObject({ read: 10, loaded: 10, rejected: 0 });
    const wkts = polygons.map((rings) => `POLYGON((${rings[0]!.map((p) => p.join(' ')).join(',')}))`);
    const { rows } = await db.query<{ worst: number; n: number }>(
      `SELECT max(ST_HausdorffDistance(p.geom, ST_Multi(ST_Transform(ST_GeomFromText(src.wkt, $2::int), 4326)))) AS worst, count(*)::int AS n
         FROM unnest($1::text[]) WITH ORDINALITY AS src(wkt, i)
         JOIN parcels p ON p.id = '35188000AB' || lpad(src.i::text, 4, '0')`,
      [wkts, srid],
    );
    expect(rows[0]!.n).toBe(10);
    expect(rows[0]!.worst).toBeLessThan(1e-7);
  });

  it('keeps its table of known systems in agreement with PostGIS’s spatial_ref_sys', async () => {
    const keys: Record<string, string> = { lat_0: 'lat0', lon_0: 'lon0', lat_1: 'sp1', lat_2: 'sp2', x_0: 'x0', y_0: 'y0', k: 'k', k_0: 'k' };
    for (const known of KNOWN_CRS.filter((k) => k.params)) {
      const { rows } = await db.query<{ proj4text: string }>('SELECT proj4text FROM spatial_ref_sys WHERE srid = $1', [known.srid]);
      const params: Record<string, number> = {};
      for (const [, name, value] of rows[0]!.proj4text.matchAll(/\+(\w+)=(-?[\d.]+)(?=\s)/g)) if (keys[name!]) params[keys[name!]!] = Number(value);
      // UTM is written by its zone number.
      const zone = /\+proj=utm \+zone=(\d+)/.exec(rows[0]!.proj4text);
      if (zone) Object.assign(params, { lon0: 6 * Number(zone[1]) - 183, k: 0.9996, x0: 500000, y0: 0, lat0: 0 });
      for (const [key, value] of Object.entries(known.params!)) {
        const found = key === 'sp1' || key === 'sp2' ? [params.sp1, params.sp2] : [params[key] ?? (key === 'k' ? 1 : 0)];
        expect(found, `EPSG:${known.srid} ${key}`).toContain(value);
      }
    }
  });

  it('refuses a shapefile without .prj unless --srs says the system, and then uses it', async () => {
    const shp = writeShapefile(
      { base: path('noprj'), kind: 'polygon', encoding: 'utf-8', fields: PARCEL_FIELDS },
      grid([331000, 6793000], 2, 20, 30).map((rings, i) => ({ geometry: rings, attributes: parcelAttributes(i + 1) })),
    );
    const before = await tableChecksum(db, 'parcels');
    const refused = await importFile({ layer: 'parcels', file: shp });
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/--srs/);
    expect(await tableChecksum(db, 'parcels')).toEqual(before);
    const accepted = await importFile({ layer: 'parcels', file: shp, srs: 'EPSG:2154' });
    expect(accepted.status, accepted.message).toBe('succeeded');
    expect(accepted.srs).toContain('--srs');
  });

  it('refuses a .prj it cannot identify instead of guessing', async () => {
    const ntf =
      'PROJCS["NTF_Paris_Lambert_II_etendu",GEOGCS["GCS_NTF_Paris",DATUM["D_NTF",SPHEROID["Clarke_1880_IGN",6378249.2,293.4660212936269]],' +
      'PRIMEM["Paris",2.337229166666667],UNIT["Grad",0.01570796326794897]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",600000.0],' +
      'PARAMETER["False_Northing",2200000.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",45.89891888888889],' +
      'PARAMETER["Standard_Parallel_2",47.69601444444444],PARAMETER["Latitude_Of_Origin",46.8],UNIT["Meter",1.0]]';
    const shp = writeShapefile(
      { base: path('ntf'), kind: 'polygon', encoding: 'utf-8', prj: ntf, fields: PARCEL_FIELDS },
      [{ geometry: [squareRing(300000, 2350000, 20)], attributes: parcelAttributes(1) }],
    );
    const summary = await importFile({ layer: 'parcels', file: shp });
    expect(summary.status).toBe('failed');
    expect(summary.message).toMatch(/NTF_Paris_Lambert_II_etendu.*--srs/);
  });
});

describe('text encodings', () => {
  const hotspots = [
    { name: 'Médiathèque de Bédée', kind: 'indoor', status: 'active', commune: 'Bédée' },
    { name: 'Salle des fêtes', kind: 'indoor', status: 'planned', commune: 'Saint-Gonlay' },
    { name: 'Église — parvis', kind: 'outdoor', status: 'active', commune: 'Saint-Gonlay' },
  ];
  const writeHotspots = async (name: string, encoding: 'utf-8' | 'windows-1252', extra: { cpg?: string; ldid?: number }) => {
    const origin = await project(db, 2154, -1.9513, 48.1822);
    return writeShapefile(
      { base: path(name), kind: 'point', encoding, prj: ESRI_PRJ[2154], fields: HOTSPOT_FIELDS, ...extra },
      hotspots.map((h, i) => ({ geometry: [origin[0] + 50 * i, origin[1]], attributes: h })),
    );
  };
  const storedNames = async () =>
    (await db.query<{ name: string; commune: string }>('SELECT name, commune FROM wifi_hotspots ORDER BY id')).rows;

  it.each([
    ['a CP1252 .dbf named by its .cpg ("1252")', 'windows-1252', { cpg: '1252' }, undefined, 'windows-1252 (cpg)'],
    ['a CP1252 .dbf named by its .cpg ("ANSI 1252")', 'windows-1252', { cpg: 'ANSI 1252' }, undefined, 'windows-1252 (cpg)'],
    ['a UTF-8 .dbf named by its .cpg', 'utf-8', { cpg: 'UTF-8' }, undefined, 'utf-8 (cpg)'],
    ['a CP1252 .dbf with only the language-driver byte 0x57', 'windows-1252', { ldid: 0x57 }, undefined, 'windows-1252 (dbf-ldid)'],
    ['a CP1252 .dbf with no hint, given --encoding', 'windows-1252', {}, 'CP1252', 'windows-1252 (option)'],
  ] as const)('keeps Bédée and Saint-Gonlay intact from %s', async (_, encoding, extra, option, expected) => {
    const shp = await writeHotspots(`hotspots-${encoding}-${Object.keys(extra).join('')}-${option ?? ''}`, encoding, extra);
    const summary = await importFile({ layer: 'wifi_hotspots', file: shp, encoding: option });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.encoding).toBe(expected);
    expect(await storedNames()).toEqual(hotspots.map(({ name, commune }) => ({ name, commune })));
  });

  it('fails on a CP1252 .dbf that says nothing (read as strict UTF-8) and leaves the layer as it was', async () => {
    const shp = await writeHotspots('hotspots-nohint', 'windows-1252', {});
    const before = await tableChecksum(db, 'wifi_hotspots');
    const summary = await importFile({ layer: 'wifi_hotspots', file: shp });
    expect(summary.status).toBe('failed');
    expect(summary.message).toMatch(/not valid utf-8.*--encoding/);
    expect(await tableChecksum(db, 'wifi_hotspots')).toEqual(before);
  });
});

describe('zipped deliveries', () => {
  let zip: string;
  beforeAll(async () => {
    const origin = await project(db, 2154, -1.9614, 48.1266);
    const zones = writeShapefile(
      { base: path('zsro'), kind: 'polygon', encoding: 'windows-1252', cpg: '1252', prj: ESRI_PRJ[2154], fields: PARCEL_FIELDS },
      grid(origin, 3, 50, 60).map((rings, i) => ({ geometry: rings, attributes: parcelAttributes(i + 1) })),
    );
    const spots = writeShapefile(
      { base: path('spots'), kind: 'point', encoding: 'windows-1252', cpg: '1252', prj: ESRI_PRJ[2154], fields: HOTSPOT_FIELDS },
      [{ geometry: origin, attributes: { name: 'Mairie de Bédée', kind: 'indoor', status: 'active', commune: 'Bédée' } }],
    );
    // Each shapefile in its own folder; the .DBF in capitals, as some Windows tools write it.
    const files = (shp: string, folder: string) =>
      ['shp', 'shx', 'DBF', 'prj', 'cpg'].map((ext) => ({
        path: shp.replace(/shp$/, ext.toLowerCase()),
        name: `${folder}/${basename(shp, '.shp')}.${ext}`,
      }));
    zip = await zipFiles(path('livraison.zip'), [...files(zones, 'livraison/zones'), ...files(spots, 'livraison/points')]);
  });

  it('imports the member chosen with --member from an archive of several shapefiles', async () => {
    const summary = await importFile({ layer: 'wifi_hotspots', file: zip, member: 'spots' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.member).toBe('livraison/points/spots');
    expect(summary.counts.loaded).toBe(1);
    expect((await db.query('SELECT name FROM wifi_hotspots')).rows).toEqual([{ name: 'Mairie de Bédée' }]);
    const parcels = await importFile({ layer: 'parcels', file: zip, member: 'livraison/zones/zsro.shp' });
    expect(parcels.status, parcels.message).toBe('succeeded');
    expect(parcels.counts.loaded).toBe(3);
  });

  it('asks which member to read when an archive holds several, naming them', async () => {
    const summary = await importFile({ layer: 'wifi_hotspots', file: zip });
    expect(summary.status).toBe('failed');
    expect(summary.message).toMatch(/several datasets.*livraison\/zones\/zsro.*livraison\/points\/spots.*--member/);
  });
});

describe('geometry hygiene', () => {
  it('repairs a bow-tie into a valid two-part MultiPolygon and counts it as repaired', async () => {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const bowTie = [[x, y], [x + 100, y + 100], [x + 100, y], [x, y + 100], [x, y]];
    const shp = writeShapefile(
      { base: path('bowtie'), kind: 'polygon', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154], fields: PARCEL_FIELDS },
      [
        { geometry: [bowTie], attributes: parcelAttributes(1) },
        { geometry: [squareRing(x + 200, y, 50)], attributes: parcelAttributes(2) },
      ],
    );
    const summary = await importFile({ layer: 'parcels', file: shp });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.counts).toMatchObject({ loaded: 2, repaired: 1, rejected: 0 });
    const { rows } = await db.query<{ id: string; valid: boolean; parts: number; type: string; area: number }>(
      `SELECT id, ST_IsValid(geom) AS valid, ST_NumGeometries(geom) AS parts, GeometryType(geom) AS type,
              ST_Area(ST_Transform(geom, 2154)) AS area FROM parcels ORDER BY id`,
    );
    expect(rows[0]).toMatchObject({ valid: true, parts: 2, type: 'MULTIPOLYGON' });
    expect(rows[0]!.area).toBeCloseTo(5000, 0);
    expect(rows[1]).toMatchObject({ valid: true, parts: 1 });
  });

  it('takes ring roles from winding: an anticlockwise ring is a hole, two clockwise rings two polygons', async () => {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const hole = squareRing(x + 25, y + 25, 50).reverse();
    const shp = writeShapefile(
      { base: path('rings'), kind: 'polygon', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154], fields: PARCEL_FIELDS },
      [
        { geometry: [squareRing(x, y, 100), hole], attributes: parcelAttributes(1) },
        { geometry: [squareRing(x + 200, y, 50), squareRing(x + 300, y, 50)], attributes: parcelAttributes(2) },
      ],
    );
    const summary = await importFile({ layer: 'parcels', file: shp });
    expect(summary.status, summary.message).toBe('succeeded');
    const { rows } = await db.query<{ parts: number; holes: number; area: number }>(
      `SELECT ST_NumGeometries(geom) AS parts, ST_NumInteriorRings(ST_GeometryN(geom, 1)) AS holes,
              ST_Area(ST_Transform(geom, 2154)) AS area FROM parcels ORDER BY id`,
    );
    expect(rows[0]).toMatchObject({ parts: 1, holes: 1 });
    expect(rows[0]!.area).toBeCloseTo(7500, 0);
    expect(rows[1]).toMatchObject({ parts: 2, holes: 0 });
  });

  it('drops Z and M, and rejects null shapes with their row number and reason', async () => {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const shp = writeShapefile(
      { base: path('z'), kind: 'polygonz', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154], fields: PARCEL_FIELDS },
      [
        { geometry: [squareRing(x, y, 30)], attributes: parcelAttributes(1) },
        { geometry: null, attributes: parcelAttributes(2) },
        { geometry: [squareRing(x + 50, y, 30)], attributes: parcelAttributes(3) },
      ],
    );
    const strict = await importFile({ layer: 'parcels', file: shp });
    expect(strict.status).toBe('failed');
    expect(strict.message).toMatch(/row 2: no geometry/);
    const tolerant = await importFile({ layer: 'parcels', file: shp, maxErrors: 1 });
    expect(tolerant.status, tolerant.message).toBe('succeeded');
    expect(tolerant.counts).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
    expect(tolerant.errors).toEqual([{ row: 2, reason: 'no geometry' }]);
    const dims = await db.query<{ d: number }>('SELECT DISTINCT ST_NDims(geom) AS d FROM parcels');
    expect(dims.rows).toEqual([{ d: 2 }]);
  });

  it('rejects geometries that do not fit the layer, saying why', async () => {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const shp = writeShapefile(
      { base: path('polys-for-points'), kind: 'polygon', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154], fields: HOTSPOT_FIELDS },
      [{ geometry: [squareRing(x, y, 30)], attributes: { name: 'A', kind: 'indoor', status: 'active', commune: 'Bédée' } }],
    );
    const summary = await importFile({ layer: 'wifi_hotspots', file: shp });
    expect(summary.status).toBe('failed');
    expect(summary.errors).toEqual([{ row: 1, reason: 'geometry type Polygon does not fit a point layer' }]);
  });
});

describe('atomicity', () => {
  const premises = async (file: string, rows: { id: string; status: string; lon: number; lat: number; updated?: string }[]) => {
    const points = await Promise.all(rows.map((r) => project(db, 2154, r.lon, r.lat)));
    return writeShapefile(
      { base: path(file), kind: 'point', encoding: 'windows-1252', cpg: '1252', prj: ESRI_PRJ[2154], fields: PREMISE_FIELDS },
      rows.map((r, i) => ({ geometry: points[i]!, attributes: { premise_id: r.id, status: r.status, address: `${i + 1} rue de Bédée`, updated_on: r.updated ?? '20260930' } })),
    );
  };

  it('leaves the live table untouched (same rows, same checksum) when an import fails anywhere', async () => {
    const before = await tableChecksum(db, 'fibre_premises');
    expect(before.n).toBeGreaterThan(0);
    // A value outside the code list, over --max-errors 0:
    const badCode = await premises('bad-code', [
      { id: 'P-1', status: 'deployed', lon: -1.95, lat: 48.13 },
      { id: 'P-2', status: 'finished', lon: -1.951, lat: 48.13 },
    ]);
    const first = await importFile({ layer: 'fibre_premises', file: badCode });
    expect(first.status).toBe('failed');
    expect(first.errors[0]).toEqual({ row: 2, reason: expect.stringMatching(/^status: "finished" is not in its code list/) });
    expect(await tableChecksum(db, 'fibre_premises')).toEqual(before);
    // Rows that pass every check but break a database constraint at the merge (phase 1–9):
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const phases = writeShapefile(
      {
        base: path('bad-phase'), kind: 'polygon', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154],
        fields: [{ name: 'zone_code', type: 'C', length: 20 }, { name: 'status', type: 'C', length: 20 }, { name: 'phase', type: 'N', length: 3 }],
      },
      [{ geometry: [squareRing(x, y, 100)], attributes: { zone_code: 'Z-1', status: 'planned', phase: 12 } }],
    );
    const phasesBefore = await tableChecksum(db, 'fibre_phases');
    const second = await importFile({ layer: 'fibre_phases', file: phases });
    expect(second.status).toBe('failed');
    expect(second.message).toMatch(/fibre_phases_phase_check/);
    expect(await tableChecksum(db, 'fibre_phases')).toEqual(phasesBefore);
    // The failed runs are recorded with their reason.
    const run = await readRun(db, second.id!);
    expect(run).toMatchObject({ status: 'failed', layer: 'fibre_phases', message: second.message });
  });

  it('reports a dry run’s diff without touching the layer', async () => {
    const before = await tableChecksum(db, 'fibre_premises');
    const file = await premises('dry', [{ id: 'DRY-1', status: 'deployed', lon: -1.95, lat: 48.13 }]);
    const summary = await importFile({ layer: 'fibre_premises', file, dryRun: true });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.dryRun).toBe(true);
    expect(summary.diff).toMatchObject({ added: 1, removed: before.n, absent: before.n });
    expect(await tableChecksum(db, 'fibre_premises')).toEqual(before);
    expect(await readRun(db, summary.id!)).toMatchObject({ status: 'succeeded', dryRun: true, diff: summary.diff });
  });
});

describe('diff and modes', () => {
  const premiseFile = async (file: string, rows: [string, string][]) => {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    return writeShapefile(
      { base: path(file), kind: 'point', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154], fields: PREMISE_FIELDS },
      rows.map(([id, status], i) => ({ geometry: [x + (i % 40) * 10, y + Math.floor(i / 40) * 10], attributes: { premise_id: id, status, address: `${i} rue de Montfort`, updated_on: '20260630' } })),
    );
  };
  const ids = async () =>
    Object.fromEntries((await db.query<{ premise_id: string; id: number }>('SELECT premise_id, id FROM fibre_premises')).rows.map((r) => [r.premise_id, r.id]));

  it('upserts by the natural key: updates in place (same ids), adds new ones, keeps the others, counts transitions', async () => {
    const first = await importFile({ layer: 'fibre_premises', file: await premiseFile('q1', [['A', 'in_progress'], ['B', 'signed'], ['C', 'deployed']]) });
    expect(first.status, first.message).toBe('succeeded');
    const idsBefore = await ids();
    const second = await importFile({
      layer: 'fibre_premises', mode: 'upsert',
      file: await premiseFile('q2', [['A', 'deployed'], ['B', 'signed'], ['D', 'target']]),
    });
    expect(second.status, second.message).toBe('succeeded');
    expect(second.diff).toMatchObject({
      key: 'premise_id', added: 1, changed: 1, unchanged: 1, absent: 1, removed: 0,
      changedColumns: { status: 1 }, transitions: { status: { 'in_progress → deployed': 1 } },
      samples: { added: ['D'], changed: ['A'], absent: ['C'] },
    });
    expect(second.written).toEqual({ inserted: 1, updated: 1, deleted: 0 });
    const idsAfter = await ids();
    expect(Object.keys(idsAfter).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect([idsAfter.A, idsAfter.B, idsAfter.C]).toEqual([idsBefore.A, idsBefore.B, idsBefore.C]);
  });

  it('counts 120 premises going in_progress → deployed between two quarterly deliveries, and replaces the rest', async () => {
    const rows = (status: (i: number) => string) => Array.from({ length: 150 }, (_, i): [string, string] => [`IMB-${i}`, status(i)]);
    await importFile({ layer: 'fibre_premises', file: await premiseFile('t1', rows(() => 'in_progress')) });
    const summary = await importFile({
      layer: 'fibre_premises',
      file: await premiseFile('t2', [...rows((i) => (i < 120 ? 'deployed' : 'in_progress')).slice(0, 140), ['IMB-NEW', 'target']]),
    });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.diff).toMatchObject({ added: 1, changed: 120, unchanged: 20, absent: 10, removed: 10 });
    expect(summary.diff!.transitions).toEqual({ status: { 'in_progress → deployed': 120 } });
    expect((await db.query('SELECT count(*)::int AS n FROM fibre_premises')).rows[0]).toEqual({ n: 141 });
  });

  it('rejects repeated keys in a file, naming the first occurrence, and keys already present in append mode', async () => {
    await importFile({ layer: 'fibre_premises', file: await premiseFile('base', [['K1', 'deployed']]) });
    const summary = await importFile({
      layer: 'fibre_premises', mode: 'append', maxErrors: 5,
      file: await premiseFile('dups', [['K2', 'deployed'], ['K2', 'signed'], ['K1', 'target'], ['K3', 'target']]),
    });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.errors).toEqual([
      { row: 2, reason: 'duplicate premise_id "K2" (first at row 1)' },
      { row: 3, reason: 'premise_id "K1" is already in the layer: use mode upsert' },
    ]);
    expect(summary.counts).toMatchObject({ read: 4, loaded: 2, rejected: 2 });
  });

  it('finds repeated keys in a first load into an empty layer too, in a dry run as in a real one', async () => {
    await db.query('DELETE FROM fibre_premises');
    const file = await premiseFile('first-dups', [['F1', 'deployed'], ['F2', 'signed'], ['F1', 'target']]);
    const dry = await importFile({ layer: 'fibre_premises', file, maxErrors: 1, dryRun: true });
    expect(dry.status, dry.message).toBe('succeeded');
    expect(dry.errors).toEqual([{ row: 3, reason: 'duplicate premise_id "F1" (first at row 1)' }]);
    expect(dry.diff).toMatchObject({ added: 2, samples: { added: ['F1', 'F2'] } });
    const real = await importFile({ layer: 'fibre_premises', file, maxErrors: 1 });
    expect(real.status, real.message).toBe('succeeded');
    expect(real.errors).toEqual(dry.errors);
    expect(real.counts).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
    expect(real.written).toEqual({ inserted: 2, updated: 0, deleted: 0 });
    expect((await db.query('SELECT premise_id, status FROM fibre_premises ORDER BY premise_id')).rows).toEqual([
      { premise_id: 'F1', status: 'deployed' }, { premise_id: 'F2', status: 'signed' },
    ]);
    await db.query('DELETE FROM fibre_premises');
    const strict = await importFile({ layer: 'fibre_premises', file });
    expect(strict.status).toBe('failed');
    expect(strict.message).toMatch(/row 3: duplicate premise_id "F1"/);
  });

  it('replaces a layer without natural key wholesale, and refuses to upsert into it', async () => {
    const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM wifi_hotspots')).rows[0]!.n;
    const csv = writeText(path('wifi.csv'), 'name,kind,status,lon,lat\nKiosque,outdoor,active,-1.95,48.13\n');
    const summary = await importFile({ layer: 'wifi_hotspots', file: csv });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.diff).toMatchObject({ key: null, added: 1, removed: before });
    await expect(importFile({ layer: 'wifi_hotspots', file: csv, mode: 'upsert' })).rejects.toThrow(/no natural key/);
  });

  it('refuses, untouched, a replace that would remove more than a tenth of the layer until it is confirmed', async () => {
    const rows = Array.from({ length: 50 }, (_, i): [string, string] => [`R-${i}`, 'deployed']);
    await importFile({ layer: 'fibre_premises', file: await premiseFile('r-full', rows) });
    const before = await tableChecksum(db, 'fibre_premises');
    const half = await premiseFile('r-half', rows.slice(0, 25));
    const dry = await importFile({ layer: 'fibre_premises', file: half, confirmed: false, dryRun: true });
    expect(dry).toMatchObject({ status: 'succeeded', confirmationRequired: true, diff: { absent: 25, removed: 25 } });
    const refused = await importFile({ layer: 'fibre_premises', file: half, confirmed: false });
    expect(refused.status).toBe('failed');
    expect(refused.confirmationRequired).toBe(true);
    expect(refused.message).toMatch(/replace would remove 25 of the layer's 50 features \(50 %\), more than the 10 % allowed without confirmation/);
    expect(await tableChecksum(db, 'fibre_premises')).toEqual(before);
    // Within the allowed share, a replace needs no confirmation; a confirmed one goes through.
    const small = await importFile({ layer: 'fibre_premises', file: await premiseFile('r-most', rows.slice(0, 46)), confirmed: false });
    expect(small.status, small.message).toBe('succeeded');
    const confirmed = await importFile({ layer: 'fibre_premises', file: half, confirmed: true });
    expect(confirmed.status, confirmed.message).toBe('succeeded');
    expect((await db.query('SELECT count(*)::int AS n FROM fibre_premises')).rows[0]).toEqual({ n: 25 });
  });

  it('asks for confirmation before a replace with rejected rows removes anything, the rejected rows’ features among them', async () => {
    const rows = Array.from({ length: 50 }, (_, i): [string, string] => [`J-${i}`, 'deployed']);
    await importFile({ layer: 'fibre_premises', file: await premiseFile('j-full', rows) });
    const before = await tableChecksum(db, 'fibre_premises');
    // J-0 comes back with a status the layer does not know: rejected, so J-0 would count as absent.
    const damaged = await premiseFile('j-damaged', [['J-0', 'cassé'], ...rows.slice(1, 49)]);
    const refused = await importFile({ layer: 'fibre_premises', file: damaged, maxErrors: 1, confirmed: false });
    expect(refused.status).toBe('failed');
    expect(refused.confirmationRequired).toBe(true);
    expect(refused.message).toMatch(/replace would remove 2 features while 1 rows of the file were rejected/);
    expect(await tableChecksum(db, 'fibre_premises')).toEqual(before);
  });

  it('adds nothing when the same file is appended twice, reporting the rows it skipped', async () => {
    const csv = writeText(path('wifi-twice.csv'), 'name,kind,status,lon,lat\nKiosque A,outdoor,active,-1.95,48.13\nKiosque B,indoor,planned,-1.951,48.131\n');
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM wifi_hotspots')).rows[0]!.n;
    const first = await importFile({ layer: 'wifi_hotspots', file: csv, mode: 'append' });
    expect(first.status, first.message).toBe('succeeded');
    const afterFirst = await count();
    const before = await tableChecksum(db, 'wifi_hotspots');
    const second = await importFile({ layer: 'wifi_hotspots', file: csv, mode: 'append' });
    expect(second.status, second.message).toBe('succeeded');
    expect(second.counts).toMatchObject({ read: 2, identical: 2, loaded: 0 });
    expect(second.warnings).toContain('2 rows identical to features already in the layer were skipped');
    expect(await count()).toBe(afterFirst);
    expect(await tableChecksum(db, 'wifi_hotspots')).toEqual(before);
    // A row that differs in one property is not identical: it is added.
    const changed = writeText(path('wifi-changed.csv'), 'name,kind,status,lon,lat\nKiosque A,outdoor,out_of_service,-1.95,48.13\n');
    const third = await importFile({ layer: 'wifi_hotspots', file: changed, mode: 'append' });
    expect(third.counts).toMatchObject({ identical: 0, loaded: 1 });
    expect(await count()).toBe(afterFirst + 1);
  });
});

describe('text and database formats', () => {
  it('reads a comma-separated CSV whose x/y are Lambert-93, telling them from lon/lat by their values', async () => {
    const [x, y] = await project(db, 2154, -1.9513, 48.1822);
    const csv = writeText(path('l93.csv'), `name,kind,status,x,y\n"Gare, quai 1",outdoor,active,${x},${y}\n`);
    const summary = await importFile({ layer: 'wifi_hotspots', file: csv });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.srs).toMatch(/EPSG:2154.*Lambert-93/);
    const { rows } = await db.query<{ name: string; lon: number; lat: number }>('SELECT name, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM wifi_hotspots');
    expect(rows[0]!.name).toBe('Gare, quai 1');
    expect(rows[0]!.lon).toBeCloseTo(-1.9513, 6);
    expect(rows[0]!.lat).toBeCloseTo(48.1822, 6);
  });

  it('refuses x/y values that are neither lon/lat nor Lambert-93 unless --srs names their system', async () => {
    const [x, y] = await project(db, 3948, -1.9513, 48.1822);
    const csv = writeText(path('cc48.csv'), `name;kind;status;x;y\nA;outdoor;active;${x};${y}\n`);
    const refused = await importFile({ layer: 'wifi_hotspots', file: csv });
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/--srs/);
    const accepted = await importFile({ layer: 'wifi_hotspots', file: csv, srs: 'EPSG:3948' });
    expect(accepted.status, accepted.message).toBe('succeeded');
  });

  it('reads WKT columns per row, rejecting unreadable ones with the parser’s reason', async () => {
    const csv = writeText(
      path('wkt.csv'),
      'name;kind;status;wkt\nA;outdoor;active;POINT(-1.95 48.13)\nB;outdoor;active;POINT(-1.95\nC;indoor;active;"SRID=2154;POINT(331817.75 6793621.45)"\n',
    );
    const summary = await importFile({ layer: 'wifi_hotspots', file: csv, srs: 'EPSG:4326', maxErrors: 1 });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.counts).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
    expect(summary.errors[0]).toMatchObject({ row: 2, reason: expect.stringMatching(/^unreadable WKT/) });
    const { rows } = await db.query<{ name: string; lon: number }>('SELECT name, ST_X(geom) AS lon FROM wifi_hotspots ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(['A', 'C']);
    expect(rows[1]!.lon).toBeCloseTo(-1.953, 3);
  });

  it('streams a GeoJSON FeatureCollection whatever the order of its members', async () => {
    const features = Array.from({ length: 3 }, (_, i) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [-1.95 + i / 1000, 48.13, 57.2] }, properties: { name: `P${i}`, kind: 'outdoor', status: 'active' },
    }));
    const file = writeText(path('points.geojson'), JSON.stringify({ features, type: 'FeatureCollection', name: 'wifi' }));
    const summary = await importFile({ layer: 'wifi_hotspots', file });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.counts.loaded).toBe(3);
  });

  it('refuses a GeoJSON file with an invalid geometry, naming the feature and what is wrong', async () => {
    const point = (coordinates: unknown) => ({ type: 'Feature', geometry: { type: 'Point', coordinates }, properties: { name: 'P', kind: 'outdoor', status: 'active' } });
    const file = writeText(path('bad-point.geojson'), JSON.stringify({
      type: 'FeatureCollection', features: [point([-1.95, 48.13]), point(['-1.95', '48.13']), point([-1.96, 48.13])],
    }));
    const summary = await importFile({ layer: 'wifi_hotspots', file });
    expect(summary.status).toBe('failed');
    expect(summary.message).toMatch(/row 2: features\[1\]\.geometry is not valid GeoJSON: Position must only contain numbers/);
    expect(summary.errors).toHaveLength(1);
  });

  it('reads a GeoPackage feature table chosen with --member, in its own coordinate system', async () => {
    const SQL = await initSqlJs();
    const gpkg = new SQL.Database();
    const [x, y] = await project(db, 2154, -1.9513, 48.1822);
    gpkg.run(`
      CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT);
      INSERT INTO gpkg_spatial_ref_sys VALUES ('RGF93 / Lambert-93', 2154, 'EPSG', 2154, 'undefined');
      CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, srs_id INTEGER);
      CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
      INSERT INTO gpkg_contents VALUES ('bornes', 'features', 'bornes', 2154), ('autres', 'features', 'autres', 2154);
      INSERT INTO gpkg_geometry_columns VALUES ('bornes', 'geom', 'POINT', 2154, 0, 0), ('autres', 'geom', 'POINT', 2154, 0, 0);
      CREATE TABLE bornes (fid INTEGER PRIMARY KEY, geom BLOB, name TEXT, kind TEXT, status TEXT);
      CREATE TABLE autres (fid INTEGER PRIMARY KEY, geom BLOB);`);
    // A GeoPackage geometry: "GP", version, flags (little-endian, no envelope), srs_id, then WKB.
    const blob = Buffer.alloc(8 + 21);
    blob.write('GP', 0, 'latin1');
    blob[3] = 0x01;
    blob.writeInt32LE(2154, 4);
    blob[8] = 1;
    blob.writeUInt32LE(1, 9);
    blob.writeDoubleLE(x, 13);
    blob.writeDoubleLE(y, 21);
    gpkg.run('INSERT INTO bornes (geom, name, kind, status) VALUES (?, ?, ?, ?)', [blob, 'Borne de la mairie, Bédée', 'outdoor', 'active']);
    const file = writeText(path('bornes.gpkg'), Buffer.from(gpkg.export()));
    gpkg.close();
    const ambiguous = await importFile({ layer: 'wifi_hotspots', file });
    expect(ambiguous.message).toMatch(/several feature tables \(autres, bornes\)/);
    const summary = await importFile({ layer: 'wifi_hotspots', file, member: 'bornes' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary).toMatchObject({ format: 'geopackage', member: 'bornes', srs: expect.stringContaining('EPSG:2154') });
    const { rows } = await db.query<{ name: string; lon: number; lat: number }>('SELECT name, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM wifi_hotspots');
    expect(rows[0]!.name).toBe('Borne de la mairie, Bédée');
    expect(rows[0]!.lon).toBeCloseTo(-1.9513, 6);
    expect(rows[0]!.lat).toBeCloseTo(48.1822, 6);
  });

  it('refuses to empty a layer with a file that holds no feature', async () => {
    const before = await tableChecksum(db, 'wifi_hotspots');
    const csv = writeText(path('empty.csv'), 'name,kind,status,lon,lat\n');
    const summary = await importFile({ layer: 'wifi_hotspots', file: csv });
    expect(summary.status).toBe('failed');
    expect(summary.message).toMatch(/no feature to load/);
    expect(await tableChecksum(db, 'wifi_hotspots')).toEqual(before);
  });

  it('records each run in import_runs with its file hash, counts and diff', async () => {
    const csv = writeText(path('run.csv'), 'name,kind,status,lon,lat\nKiosque,outdoor,active,-1.95,48.13\n');
    const summary = await importFile({ layer: 'wifi_hotspots', file: csv });
    const { rows } = await db.query('SELECT layer, file_name, file_sha256, mode, status, read_count, loaded_count, duration_ms >= 0 AS timed FROM import_runs WHERE id = $1', [summary.id]);
    expect(rows[0]).toEqual({
      layer: 'wifi_hotspots', file_name: 'run.csv', file_sha256: summary.sha256, mode: 'replace', status: 'succeeded', read_count: 1, loaded_count: 1, timed: true,
    });
    expect(summary.sha256).toMatch(/^[0-9a-f]{64}$/);
    // COPY where the server gives the import a session of its own; batched INSERTs on the embedded one.
    expect(summary.method).toBe(db.kind === 'postgis' ? 'copy' : 'insert');
    expect(await readRun(db, summary.id!)).toMatchObject({ counts: summary.counts, diff: summary.diff, srs: summary.srs });
  });
});

describe('text a column cannot hold', () => {
  it('rejects the row whose text carries a NUL byte, with its reason, and loads the others', async () => {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const shp = writeShapefile(
      { base: path('nul-byte'), kind: 'point', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154], fields: PREMISE_FIELDS },
      [
        { geometry: [x, y], attributes: { premise_id: 'NUL-1', status: 'deployed', address: '1 rue\u0000 de la Gare', updated_on: null } },
        { geometry: [x + 10, y], attributes: { premise_id: 'NUL-2', status: 'deployed', address: '2 rue de la Gare', updated_on: null } },
      ],
    );
    const summary = await importFile({ layer: 'fibre_premises', file: shp, mode: 'append', maxErrors: 1 });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.counts).toMatchObject({ read: 2, loaded: 1, rejected: 1 });
    expect(summary.errors).toEqual([{ row: 1, reason: expect.stringContaining('NUL character') }]);
    const { rows } = await db.query<{ premise_id: string }>(`SELECT premise_id FROM fibre_premises WHERE premise_id LIKE 'NUL-%'`);
    expect(rows.map((r) => r.premise_id)).toEqual(['NUL-2']);
  });

  it('rejects the row whose WKT carries a NUL byte, with its reason, and loads the others', async () => {
    const csv = writeText(path('nul-wkt.csv'), 'name;kind;status;wkt\nNUL-A;outdoor;active;POINT(-1.95 48.13)\nNUL-B;outdoor;active;POINT(-1.95\u0000 48.13)\n');
    const summary = await importFile({ layer: 'wifi_hotspots', file: csv, srs: 'EPSG:4326', mode: 'append', maxErrors: 1 });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.counts).toMatchObject({ read: 2, loaded: 1, rejected: 1 });
    expect(summary.errors).toEqual([{ row: 2, reason: expect.stringContaining('NUL character') }]);
    const { rows } = await db.query<{ name: string }>(`SELECT name FROM wifi_hotspots WHERE name LIKE 'NUL-%'`);
    expect(rows.map((r) => r.name)).toEqual(['NUL-A']);
  });

  it('records a run whose rejected row’s reason quotes a NUL byte (jsonb holds none), shown as ␀', async () => {
    const features = [['NULDATE-1', '2026-09-30\u0000'], ['NULDATE-2', '2026-09-30']].map(([premise_id, updated_on], i) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [-1.95 + i / 1000, 48.13] }, properties: { premise_id, status: 'deployed', updated_on },
    }));
    const file = writeText(path('nul-date.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
    const summary = await importFile({ layer: 'fibre_premises', file, mode: 'append', maxErrors: 1 });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.errors).toEqual([{ row: 1, reason: expect.stringContaining('\u0000') }]);
    const stored = await db.query<{ errors: { reason: string }[] }>('SELECT errors FROM import_runs WHERE id = $1', [summary.id]);
    expect(stored.rows[0]!.errors[0]!.reason).toBe(summary.errors[0]!.reason.replaceAll('\u0000', '\u2400'));
  });

  it('carries, byte for byte, rows longer than a COPY chunk and rows filling chunks, written in characters of every UTF-8 width', async () => {
    // 1-, 2-, 3- and 4-byte characters (the last a surrogate pair in JavaScript), COPY's escapes too.
    const long = (n: number) => `${n} a\té€😀\\`.repeat(20_000);
    // Then enough ordinary rows, mostly 3-byte characters, to fill several chunks: a row whose
    // bytes would overflow the chunk (though its characters fit) must go to the next one.
    const ordinary = Array.from({ length: 1500 }, (_, i) => `${i} ${'€'.repeat(40 + (i % 7))} ${'é😀'.repeat(i % 3)} rue`);
    const addresses = ['court 1', long(1), 'court 2', long(2), long(3), 'court 3', ...ordinary];
    const features = addresses.map((address, i) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [-1.95 + i / 1000, 48.13] }, properties: { premise_id: `LONG-${i}`, status: 'deployed', address },
    }));
    const file = writeText(path('long-rows.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
    const summary = await importFile({ layer: 'fibre_premises', file, mode: 'append' });
    expect(summary.status, summary.message).toBe('succeeded');
    const { rows } = await db.query<{ address: string }>(`SELECT address FROM fibre_premises WHERE premise_id LIKE 'LONG-%' ORDER BY substr(premise_id, 6)::int`);
    expect(rows.map((r) => r.address)).toEqual(addresses);
  });
});
