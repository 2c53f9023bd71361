// Each built-in mapping profile end to end, from the example files documented in
// data-import/README.md (and GraceTHD as the CP1252 shapefiles operators really send).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport } from '../data-import/pipeline.ts';
import { builtInProfiles } from '../data-import/mapping.ts';
import { ESRI_PRJ, project, squareRing, writeShapefile, writeText, zipFiles } from './helpers/import-fixtures.ts';
import { useImportTestBed } from './helpers/import-test-bed.ts';

const layers = createLayerRegistry();
const example = (name: string) => fileURLToPath(new URL(`../data-import/examples/${name}`, import.meta.url));
let db: Database;
let dir: string;
useImportTestBed((bed) => ({ db, dir } = bed));

const rows = async (sql: string) => (await db.query(sql)).rows;

describe('built-in profiles', () => {
  it('are the six the README documents', () => {
    expect(builtInProfiles()).toEqual(['arcep-immeubles', 'ban-adresses', 'etalab-cadastre', 'gracethd-adresse', 'gracethd-zsro', 'wifi-hotspots']);
  });

  it('gracethd-zsro: t_zsro zones become fibre phases with their status code mapped and their premises count', async () => {
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'fibre_phases', file: example('gracethd-t_zsro.geojson'), mapping: 'gracethd-zsro' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.srs).toContain('EPSG:2154');
    expect(await rows('SELECT zone_code, status, premises, data_date, technology FROM fibre_phases ORDER BY zone_code')).toEqual([
      { zone_code: 'ZS350230001', status: 'deployed', premises: 412, data_date: '2026-09-30', technology: 'FttH' },
      { zone_code: 'ZS351880002', status: 'planned', premises: 655, data_date: '2026-09-30', technology: 'FttH' },
      { zone_code: 'ZS352770001', status: 'in_progress', premises: 180, data_date: '2026-09-30', technology: 'FttH' },
    ]);
    // The Bédée zone lies over Bédée.
    const inside = await rows(`SELECT c.nom FROM fibre_phases p JOIN communes c ON ST_Intersects(c.geom, ST_PointOnSurface(p.geom)) WHERE p.zone_code = 'ZS350230001'`);
    expect(inside).toEqual([{ nom: 'Bédée' }]);
  });

  it('gracethd-zsro: reads the same zones from a zipped CP1252 shapefile and reports codes outside the list', async () => {
    const [x, y] = await project(db, 2154, -1.9513, 48.1822);
    const shp = writeShapefile(
      {
        base: join(dir, 't_zsro'), kind: 'polygon', encoding: 'windows-1252', ldid: 0x57, prj: ESRI_PRJ[2154],
        fields: [
          { name: 'zs_code', type: 'C', length: 20 }, { name: 'zs_etatpm', type: 'C', length: 2 },
          { name: 'zs_nblogmt', type: 'N', length: 6 }, { name: 'zs_majdate', type: 'D', length: 8 }, { name: 'zs_comment', type: 'C', length: 80 },
        ],
      },
      [
        { geometry: [squareRing(x, y, 500)], attributes: { zs_code: 'ZS1', zs_etatpm: 'AB', zs_nblogmt: 12, zs_majdate: '20260115', zs_comment: 'Hameau de la Ville-ès-Brets, Bédée' } },
        { geometry: [squareRing(x + 600, y, 500)], attributes: { zs_code: 'ZS2', zs_etatpm: 'ZZ', zs_nblogmt: 7, zs_majdate: '20260115', zs_comment: '' } },
      ],
    );
    const zip = await zipFiles(join(dir, 'gracethd.zip'), ['shp', 'shx', 'dbf', 'prj'].map((ext) => shp.replace(/shp$/, ext)));
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'fibre_phases', file: zip, mapping: 'gracethd-zsro', maxErrors: 1 });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.encoding).toBe('windows-1252 (dbf-ldid)');
    expect(summary.errors).toEqual([{ row: 2, reason: 'status: "ZZ" is not in its code list (PL, EC, DP, AB, deployed, in_progress, planned, study, not_planned)' }]);
    expect(await rows('SELECT zone_code, status, premises, data_date FROM fibre_phases')).toEqual([
      { zone_code: 'ZS1', status: 'not_planned', premises: 12, data_date: '2026-01-15' },
    ]);
    expect(summary.warnings).toContain('source fields not imported: zs_comment');
  });

  it('gracethd-adresse: t_adresse becomes fibre premises with composed addresses and CI/SI/EC/DE/AB statuses', async () => {
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'fibre_premises', file: example('gracethd-t_adresse.geojson'), mapping: 'gracethd-adresse' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(await rows('SELECT premise_id, ban_id, address, status, updated_on, source FROM fibre_premises ORDER BY premise_id')).toEqual([
      { premise_id: 'AD350230000123', ban_id: '35023_0450_00012', address: '12 Rue de la Gare, Bédée', status: 'deployed', updated_on: '2026-09-30', source: 'GraceTHD' },
      { premise_id: 'AD350230000124', ban_id: '35023_0450_00014', address: '14 B Rue de la Gare, Bédée', status: 'target', updated_on: '2026-09-30', source: 'GraceTHD' },
      { premise_id: 'AD352770000045', ban_id: '35277_0010_00003', address: '3 Le Bourg, Saint-Gonlay', status: 'in_progress', updated_on: '2026-09-30', source: 'GraceTHD' },
    ]);
  });

  it('arcep-immeubles: x/y holding WGS84 lon/lat are recognised as such, and every imb_etat value maps', async () => {
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'fibre_premises', file: example('arcep-immeubles.csv'), mapping: 'arcep-immeubles' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.srs).toMatch(/EPSG:4326.*longitude\/latitude/);
    expect(await rows('SELECT premise_id, status, pm_ref, address, round(ST_X(geom)::numeric, 5)::float AS lon FROM fibre_premises ORDER BY premise_id')).toEqual([
      { premise_id: 'IMB/35023/X/00A1', status: 'deployed', pm_ref: 'FI-35023-0001', address: '12 RUE DE LA GARE, Bédée', lon: -1.9513 },
      { premise_id: 'IMB/35023/X/00A2', status: 'in_progress', pm_ref: 'FI-35023-0001', address: '14 B RUE DE LA GARE, Bédée', lon: -1.95108 },
      { premise_id: 'IMB/35188/X/0A07', status: 'connectable', pm_ref: 'FI-35188-0002', address: "5 PL DE L'EGLISE, Montfort-sur-Meu", lon: -1.95301 },
      { premise_id: 'IMB/35188/X/0A08', status: 'signed', pm_ref: 'FI-35188-0002', address: "7 PL DE L'EGLISE, Montfort-sur-Meu", lon: -1.9534 },
      { premise_id: 'IMB/35277/X/0001', status: 'target', pm_ref: 'FI-35277-0001', address: '3 LE BOURG, Saint-Gonlay', lon: -2.05201 },
    ]);
  });

  it('arcep-immeubles: older files whose x/y are Lambert-93 land at the same place', async () => {
    const [x, y] = await project(db, 2154, -1.9513, 48.1822);
    const csv = writeText(join(dir, 'immeubles-2019.csv'), `imb_id;imb_etat;pm_ref;x;y\nIMB/35023/X/00A1;deploye;FI-35023-0001;${x.toFixed(2)};${y.toFixed(2)}\n`);
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'fibre_premises', file: csv, mapping: 'arcep-immeubles' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.srs).toMatch(/EPSG:2154.*Lambert-93/);
    const [p] = await rows('SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM fibre_premises');
    expect(p!.lon).toBeCloseTo(-1.9513, 6);
    expect(p!.lat).toBeCloseTo(48.1822, 6);
  });

  it('ban-adresses: BAN rows become addresses keeping cad_parcelles as a list', async () => {
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'addresses', file: example('ban-adresses.csv'), mapping: 'ban-adresses' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(await rows('SELECT id, numero, rep, nom_voie, code_postal, nom_commune, cad_parcelles FROM addresses ORDER BY id')).toEqual([
      { id: '35023_0450_00012', numero: 12, rep: null, nom_voie: 'Rue de la Gare', code_postal: '35137', nom_commune: 'Bédée', cad_parcelles: ['35023000AB0123'] },
      { id: '35023_0450_00014_b', numero: 14, rep: 'b', nom_voie: 'Rue de la Gare', code_postal: '35137', nom_commune: 'Bédée', cad_parcelles: ['35023000AB0124', '35023000AB0125'] },
      { id: '35277_0010_00003', numero: 3, rep: null, nom_voie: 'Le Bourg', code_postal: '35750', nom_commune: 'Saint-Gonlay', cad_parcelles: null },
    ]);
  });

  it('etalab-cadastre: cadastre GeoJSON parcels become parcels, polygons promoted to MultiPolygon', async () => {
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'parcels', file: example('etalab-cadastre-parcelles.geojson'), mapping: 'etalab-cadastre' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(await rows('SELECT id, commune, section, numero, contenance, GeometryType(geom) AS type FROM parcels ORDER BY id')).toEqual([
      { id: '35023000AB0123', commune: '35023', section: 'AB', numero: '0123', contenance: 724, type: 'MULTIPOLYGON' },
      { id: '35023000AB0124', commune: '35023', section: 'AB', numero: '0124', contenance: 512, type: 'MULTIPOLYGON' },
      { id: '35277000AC0045', commune: '35277', section: 'AC', numero: '0045', contenance: 661, type: 'MULTIPOLYGON' },
    ]);
  });

  it('wifi-hotspots: a simple French CSV becomes hotspots with kinds and statuses mapped', async () => {
    const summary = await runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'wifi_hotspots', file: example('wifi-hotspots.csv'), mapping: 'wifi-hotspots' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(await rows('SELECT name, kind, status, commune, access FROM wifi_hotspots ORDER BY name')).toEqual([
      { name: 'Médiathèque de Bédée', kind: 'indoor', status: 'active', commune: 'Bédée', access: 'libre, sans inscription' },
      { name: 'Parc de la Mairie', kind: 'outdoor', status: 'planned', commune: 'Talensac', access: 'libre' },
      { name: "Place de l'Église", kind: 'outdoor', status: 'active', commune: 'Saint-Gonlay', access: 'libre' },
    ]);
  });

  it('refuses a profile meant for another layer', async () => {
    await expect(runImport(db, layers, { mode: 'replace', confirmed: true, layer: 'parcels', file: example('wifi-hotspots.csv'), mapping: 'wifi-hotspots' })).resolves.toMatchObject({
      status: 'failed', message: 'mapping "wifi-hotspots" is for layer wifi_hotspots, not parcels',
    });
  });
});
