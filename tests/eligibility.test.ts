// The eligibility answer and the THD label on fixtures made by code: five fibre zones side by side (one
// per zone status), premises of every kind, parcels and lots, in a corner of Bédée emptied of demo
// data. Proves the premise-over-zone precedence, the boundary cases and the error answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import type { EligibilityAnswer } from '../server/eligibility/eligibility-answer.ts';

// Fixture coordinates are whole thousandths of a degree from (-1.975, 48.195): integers divided once,
// so a point "on" a border is the very same double as the border's vertices.
const X = (i: number) => (-1975 + i) / 1000;
const Y = (j: number) => (48195 + j) / 1000;
const rect = (x0: number, y0: number, x1: number, y1: number) =>
  `MULTIPOLYGON(((${X(x0)} ${Y(y0)},${X(x1)} ${Y(y0)},${X(x1)} ${Y(y1)},${X(x0)} ${Y(y1)},${X(x0)} ${Y(y0)})))`;
const point = (x: number, y: number) => `POINT(${X(x)} ${Y(y)})`;

/** Fibre zones, 2 × 5 thousandths each, west to east. */
const ZONES = [
  { code: 'PM-T-DEP', status: 'deployed', phase: 1, start: '2019-03-01', end: '2021-06-30', x: 0 },
  { code: 'PM-T-PROG', status: 'in_progress', phase: 2, start: '2023-01-15', end: '2026-12-15', x: 2 },
  { code: 'PM-T-PLAN', status: 'planned', phase: 3, start: '2025-03-01', end: '2026-06-30', x: 4 },
  { code: 'PM-T-STUDY', status: 'study', phase: null, start: null, end: null, x: 6 },
  { code: 'PM-T-NOT', status: 'not_planned', phase: null, start: null, end: null, x: 8 },
];
/** Premises, each at its address (same id suffix): [name, status, x, y, zone code]. */
const PREMISES: [string, string, number, number, string][] = [
  ['CONN', 'connectable', 5, 2.5, 'PM-T-PLAN'],
  ['DEP', 'deployed', 3, 2.5, 'PM-T-PROG'],
  ['TARGET', 'target', 1, 2.5, 'PM-T-DEP'],
  ['SIGNED', 'signed', 7, 2.5, 'PM-T-STUDY'],
  ['ABANDONED', 'abandoned', 1.5, 0.5, 'PM-T-DEP'],
  // On the street in front of parcel TP02, which its address names in cad_parcelles.
  ['CHAIN', 'connectable', 6.5, 1, 'PM-T-STUDY'],
  // Inside lot 2 of the business zone.
  ['LOT', 'connectable', 3, 4, 'PM-T-PROG'],
];
const P1 = '35023000TP0001';
const P2 = '35023000TP0002';
/** Metres east of a premise, in degrees of longitude at this latitude (≈ 74.2 km per degree). */
const metresEast = (m: number) => m / (111_320 * Math.cos((48.1965 * Math.PI) / 180));

type Answer = EligibilityAnswer;

describe('the eligibility answer', () => {
  let server: TestServer;
  let zoneId: number;
  const lotIds: Record<string, number> = {};
  const ask = async (query: string): Promise<Answer> => {
    const res = await fetch(`${server.url}/api/eligibility?${query}`);
    expect(res.status, query).toBe(200);
    return (await res.json()) as Answer;
  };
  const at = (x: number, y: number) => ask(`lon=${X(x)}&lat=${Y(y)}`);

  beforeAll(async () => {
    server = await startTestServer();
    const q = (sql: string, params: unknown[] = []) => server.db.query(sql, params);
    for (const table of ['fibre_premises', 'fibre_phases', 'wifi_hotspots', 'zone_lots', 'business_zones', 'addresses', 'parcels']) {
      await q(`DELETE FROM ${table}`);
    }
    const inside = await q(`SELECT ST_Within(ST_GeomFromText($1, 4326), geom) AS ok FROM communes WHERE code_insee = '35023'`, [rect(0, 0, 10, 5)]);
    expect(inside.rows[0]!.ok, 'the fixture area lies in Bédée').toBe(true);
    for (const z of ZONES) {
      await q(`INSERT INTO fibre_phases (zone_code, phase, status, planned_start, planned_end, operator, technology, data_date, geom)
               VALUES ($1, $2, $3, $4, $5, 'Opérateur Test', 'FttH', '2026-09-30', ST_GeomFromText($6, 4326))`,
      [z.code, z.phase, z.status, z.start, z.end, rect(z.x, 0, z.x + 2, 5)]);
    }
    for (const [name, status, x, y, pm] of PREMISES) {
      await q(`INSERT INTO addresses (id, numero, nom_voie, code_postal, code_insee, nom_commune, cad_parcelles, geom)
               VALUES ($1, $2, 'Rue du Test', '35137', '35023', 'Bédée', $3, ST_GeomFromText($4, 4326))`,
      [`TA_${name}`, PREMISES.findIndex((p) => p[0] === name) + 1, name === 'CHAIN' ? [P2] : null, point(x, y)]);
      await q(`INSERT INTO fibre_premises (premise_id, ban_id, address, status, pm_ref, operator, updated_on, geom)
               VALUES ($1, $2, $3, $4, $5, 'Opérateur Test', '2026-09-15', ST_GeomFromText($6, 4326))`,
      [`IMB/T/${name}`, `TA_${name}`, `Rue du Test (${name})`, status, pm, point(x, y)]);
    }
    await q(`INSERT INTO addresses (id, numero, nom_voie, code_postal, code_insee, nom_commune, geom)
             VALUES ('TA_NONE', 99, 'Rue du Test', '35137', '35023', 'Bédée', ST_GeomFromText($1, 4326))`, [point(5, 0.5)]);
    await q(`INSERT INTO parcels (id, commune, prefixe, section, numero, contenance, geom)
             VALUES ($1, '35023', '000', 'TP', '0001', 2000, ST_GeomFromText($2, 4326)),
                    ($3, '35023', '000', 'TP', '0002', 2000, ST_GeomFromText($4, 4326))`,
    [P1, rect(1.4, 0.8, 2.2, 1.2), P2, rect(6.2, 0.2, 6.8, 0.8)]);
    await q(`INSERT INTO wifi_hotspots (name, kind, status, geom) VALUES
               ('Mairie test', 'indoor', 'active', ST_GeomFromText($1, 4326)),
               ('Ancien point', 'outdoor', 'removed', ST_GeomFromText($2, 4326))`, [point(5, 1), point(5, 1.4)]);
    const zone = await q(`INSERT INTO business_zones (code, name, commune, kind, geom)
                          VALUES ('ZAE-T-01', 'ZA du Test', 'Bédée', 'mixed', ST_GeomFromText($1, 4326)) RETURNING id`,
    [rect(0.2, 3.2, 9.8, 4.8)]);
    zoneId = zone.rows[0]!.id as number;
    // Lot 1 in the deployed zone, 2 in progress with a connectable premise, 3 planned, 4 two-thirds
    // deployed, 5 not planned.
    const lots: [string, number, number, string][] = [['1', 0.4, 1.5, 'available'], ['2', 2.4, 3.6, 'occupied'],
      ['3', 4.4, 5.6, 'available'], ['4', 1.6, 2.2, 'reserved'], ['5', 8.2, 9.6, 'available']];
    for (const [n, x0, x1, status] of lots) {
      const lot = await q(`INSERT INTO zone_lots (zone_id, lot_number, status, geom) VALUES ($1, $2, $3, ST_GeomFromText($4, 4326)) RETURNING id`,
        [zoneId, n, status, rect(x0, 3.4, x1, 4.6)]);
      lotIds[n] = lot.rows[0]!.id as number;
    }
  });
  afterAll(async () => server?.close());

  it.each([
    ['deployed', 1],
    ['in_progress', 3],
    ['planned', 5],
    ['study', 7],
    ['not_planned', 9],
  ])('answers "%s" for a point of that zone with no premise within 20 m', async (status, x) => {
    const answer = await at(x, 1.5);
    expect(answer.inside_territory).toBe(true);
    expect(answer.fibre.status).toBe(status);
    expect(answer.fibre.premises).toEqual([]);
    expect(answer.fibre.zones).toEqual([expect.objectContaining({ status, share: 1 })]);
    expect(answer.fibre.data_date).toBe('2026-09-30');
    expect(answer.location).toMatchObject({ source: 'point', lon: X(x), lat: Y(1.5) });
    expect(answer.location.label).toMatch(/^Bédée \(/);
  });

  it('answers "unknown" inside the territory where no zone is known', async () => {
    const answer = await ask('lon=-1.915&lat=48.1368');
    expect(answer.inside_territory).toBe(true);
    expect(answer.fibre.status).toBe('unknown');
    expect(answer.summary_fr).toMatch(/pas d'information/);
  });

  it('gives an address the status of its premise over that of its zone', async () => {
    const answer = await ask('address=TA_CONN');
    expect(answer.location).toMatchObject({ source: 'address', label: '1 Rue du Test, 35137 Bédée' });
    expect(answer.fibre.status).toBe('connectable');
    expect(answer.fibre.zones).toEqual([expect.objectContaining({ zone_code: 'PM-T-PLAN', status: 'planned' })]);
    expect(answer.fibre.premises).toEqual([{ premise_id: 'IMB/T/CONN', status: 'connectable', address: 'Rue du Test (CONN)' }]);
    expect(answer.summary_fr).toContain('La fibre est disponible à cette adresse (données opérateur du 15/09/2026).');
  });

  it('answers an address typed as text for the address the search ranks first', async () => {
    const answer = await ask(`address=${encodeURIComponent('1 rue du test bedee')}`);
    expect(answer.location).toMatchObject({ source: 'address', label: '1 Rue du Test, 35137 Bédée' });
  });

  it.each([
    ['DEP', 'deployed'],
    ['TARGET', 'in_progress'],
    ['SIGNED', 'in_progress'],
    ['ABANDONED', 'not_planned'],
  ])('reads a %s premise as "%s"', async (name, status) => {
    expect((await ask(`address=TA_${name}`)).fibre.status).toBe(status);
  });

  it('gives an address without a premise the status of its zone, with phase and dates', async () => {
    const answer = await ask('address=TA_NONE');
    expect(answer.fibre).toMatchObject({
      status: 'planned', phase: 3, planned_start: '2025-03-01', planned_end: '2026-06-30', zone_code: 'PM-T-PLAN',
      operator: 'Opérateur Test', data_date: '2026-09-30', premises: [],
    });
    expect(answer.summary_fr).toContain('Déploiement prévu en phase 3, entre 2025 et 2026.');
    expect(answer.summary_fr).toContain('30/09/2026');
  });

  it('answers a point with the nearest premise within 20 m, and with the zone beyond', async () => {
    const near = await ask(`lon=${X(5) + metresEast(10)}&lat=${Y(2.5)}`);
    expect(near.fibre.status).toBe('connectable');
    expect(near.fibre.premises.map((p) => p.premise_id)).toEqual(['IMB/T/CONN']);
    const far = await ask(`lon=${X(5) + metresEast(30)}&lat=${Y(2.5)}`);
    expect(far.fibre.status).toBe('planned');
    expect(far.fibre.premises).toEqual([]);
  });

  it('reports both zones for a point exactly on their border, and the less advanced one', async () => {
    for (const y of [1.5, 0]) {
      const answer = await at(2, y);
      expect(answer.fibre.zones.map((z) => z.zone_code).sort()).toEqual(['PM-T-DEP', 'PM-T-PROG']);
      expect(answer.fibre.status).toBe('in_progress');
      expect(answer.fibre.zone_code).toBe('PM-T-PROG');
      expect(answer.summary_fr).toContain('en limite de 2 zones de déploiement');
    }
  });

  it('reports a parcel over two zones with the share of each, and the status of the larger part', async () => {
    const answer = await ask(`parcel=${P1}`);
    expect(answer.location).toMatchObject({ source: 'parcel', label: 'Parcelle TP 1, Bédée' });
    expect(answer.fibre.status).toBe('deployed');
    const [first, second] = answer.fibre.zones;
    expect(answer.fibre.zones).toHaveLength(2);
    expect(first).toMatchObject({ zone_code: 'PM-T-DEP', status: 'deployed', phase: 1 });
    expect(second).toMatchObject({ zone_code: 'PM-T-PROG', status: 'in_progress', phase: 2 });
    // 0.6 and 0.2 thousandths of longitude: 75 % and 25 %, give or take the geodesic rounding.
    expect(first!.share).toBeCloseTo(0.75, 2);
    expect(second!.share).toBeCloseTo(0.25, 2);
    expect(answer.summary_fr).toContain('Cette parcelle est à cheval sur 2 zones de déploiement : 75 % en zone « déployée » (PM-T-DEP) et 25 % en zone « en cours de déploiement » (PM-T-PROG).');
  });

  it('chains a parcel to the premise of the address that names it in cad_parcelles', async () => {
    const answer = await ask(`parcel=${P2.toLowerCase()}`);
    expect(answer.fibre.status).toBe('connectable');
    expect(answer.fibre.premises.map((p) => p.premise_id)).toEqual(['IMB/T/CHAIN']);
    expect(answer.fibre.zones).toEqual([expect.objectContaining({ zone_code: 'PM-T-STUDY', share: 1 })]);
    expect(answer.summary_fr).toContain('sur cette parcelle');
  });

  it('answers for a lot with its zone, its premise and its business zone', async () => {
    const answer = await ask(`lot=${lotIds['2']}`);
    expect(answer.location).toMatchObject({ source: 'lot', label: 'Lot 2, ZA du Test' });
    expect(answer.fibre.status).toBe('connectable');
    expect(answer.business_zone).toEqual({ id: zoneId, code: 'ZAE-T-01', name: 'ZA du Test' });
    expect(answer.lot).toEqual({ id: lotIds['2'], lot_number: '2', status: 'occupied' });
    expect(answer.summary_fr).toContain("Zone d'activité : ZA du Test, lot 2 (occupé).");

    const planned = await ask(`lot=${lotIds['3']}`);
    expect(planned.fibre.status).toBe('planned');
    const split = await ask(`lot=${lotIds['4']}`);
    expect(split.fibre.zones.map((z) => [z.zone_code, Math.round(z.share * 100)])).toEqual([['PM-T-DEP', 67], ['PM-T-PROG', 33]]);
  });

  it('names the business zone and the lot under a clicked point', async () => {
    const answer = await at(1, 4);
    expect(answer.business_zone?.name).toBe('ZA du Test');
    expect(answer.lot?.lot_number).toBe('1');
  });

  it('lists the nearest public wifi in service, with its geodesic distance', async () => {
    const answer = await at(5, 1.5);
    expect(answer.wifi).toEqual([{ name: 'Mairie test', kind: 'indoor', distance_m: expect.any(Number) }]);
    expect(answer.wifi[0]!.distance_m).toBeGreaterThan(50);
    expect(answer.wifi[0]!.distance_m).toBeLessThan(60);
    expect(answer.summary_fr).toContain('Wifi public le plus proche : Mairie test (intérieur), à');
  });

  it('names its sources with their dates', async () => {
    const answer = await ask('address=TA_CONN');
    const names = answer.sources.map((s) => s.name);
    expect(answer.sources.find((s) => s.name.startsWith('Déploiement de la fibre'))?.date).toBe('2026-09-30');
    expect(answer.sources.find((s) => s.name.startsWith('Locaux raccordables'))?.date).toBe('2026-09-15');
    expect(names.some((n) => n.includes('Base Adresse Nationale'))).toBe(true);
    for (const source of answer.sources) expect(source.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('says so, and asserts nothing about fibre, for a point outside the territory', async () => {
    const answer = await ask('lon=-1.5&lat=48.1');
    expect(answer.inside_territory).toBe(false);
    expect(answer.fibre).toMatchObject({ status: 'unknown', premises: [], zones: [], zone_code: null });
    expect(answer.business_zone).toBeNull();
    expect(answer.summary_fr).toMatch(/^Ce point est en dehors du territoire de Montfort Communauté/);
    expect(answer.sources).toEqual([{ name: expect.stringContaining('IGN Admin Express'), date: '2018' }]);
  });

  it.each([
    ['no location', '', 400],
    ['lon without lat', 'lon=-1.9', 400],
    ['a latitude beyond 90', 'lon=-1.9&lat=91', 400],
    ['a longitude that is not a number', 'lon=abc&lat=48', 400],
    ['an infinite longitude', 'lon=Infinity&lat=48', 400],
    ['two kinds of location', 'lon=-1.9&lat=48.1&address=TA_CONN', 400],
    ['a repeated parameter', 'address=TA_CONN&address=TA_DEP', 400],
    ['an unknown parameter', 'addresse=TA_CONN', 400],
    ['a malformed parcel id', 'parcel=35023TP1', 400],
    ['a malformed lot id', 'lot=-3', 400],
    ['an address text longer than a search', `address=${'a'.repeat(201)}`, 400],
    ['an address text with no letter or digit', `address=${encodeURIComponent('--')}`, 400],
    ['an unknown address', 'address=TA_MISSING', 404],
    ['an unknown parcel', 'parcel=35023000TP9999', 404],
    ['an unknown lot', 'lot=999999', 404],
  ])('answers %s with a JSON %i', async (_, query, status) => {
    const res = await fetch(`${server.url}/api/eligibility?${query}`);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { code: string; description: string };
    // An unknown parameter is named as such, as the OGC API does; a bad value of a known one is a bad value.
    expect(body.code).toBe(status === 404 ? 'NotFound' : query.startsWith('addresse=') ? 'InvalidParameter' : 'InvalidParameterValue');
  });

  describe('ZA THD label', () => {
    it('counts the lots covered by deployed fibre, by number and by area', async () => {
      const res = await fetch(`${server.url}/api/zones/${zoneId}/thd`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown> & { lots: { lot_number: string; covered: boolean }[] };
      expect(body.zone).toEqual({ id: zoneId, code: 'ZAE-T-01', name: 'ZA du Test' });
      expect(body.lots.map((l) => [l.lot_number, l.covered])).toEqual([['1', true], ['2', true], ['3', false], ['4', true], ['5', false]]);
      expect(body).toMatchObject({ lots_total: 5, lots_covered: 3, share_by_count: 0.6, threshold: 0.8, label: false, data_date: '2026-09-30' });
      // Widths 1.1 + 1.2 + 0.6 covered out of 5.5 thousandths, all lots equally deep.
      expect(body.share_by_area as number).toBeCloseTo(2.9 / 5.5, 2);
      expect(body.definition_fr).toMatch(/au moins 50 %/);
      expect(body.definition_en).toMatch(/at least 50 %/);
    });

    it('grants the label once the configured threshold is met', async () => {
      const lenient = await startTestServer({ db: server.db, env: { THD_LABEL_THRESHOLD: '0.5' } });
      try {
        const body = (await (await fetch(`${lenient.url}/api/zones/${zoneId}/thd`)).json()) as { label: boolean; threshold: number };
        expect(body).toMatchObject({ label: true, threshold: 0.5 });
      } finally {
        await lenient.close();
      }
    });

    it.each([['abc', 400], ['0', 400], ['99999', 404]])('answers zone id %s with a JSON %i', async (id, status) => {
      const res = await fetch(`${server.url}/api/zones/${id}/thd`);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { code: string }).code).toBeTruthy();
    });
  });
});
