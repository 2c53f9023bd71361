// The demo data generator, without a database: determinism, volumes, code lists and geometry sanity.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  area, bbox, booleanClockwise, booleanPointInPolygon, booleanValid, featureCollection, intersect, kinks, polygon,
} from '@turf/turf';
import type { FeatureCollection, MultiPolygon, Point, Polygon, Position } from 'geojson';
import { generateDemoData } from '../server/seed/demo-data.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';

const communes = JSON.parse(
  readFileSync(new URL('../server/territory/communes-montfort-communaute.geojson', import.meta.url), 'utf8'),
) as FeatureCollection<Polygon | MultiPolygon, { code_insee: string; nom: string }>;
const data = generateDemoData(communes);

const codes = (layer: string, property: string): string[] =>
  ALL_LAYERS.find((l) => l.id === layer)!.properties.find((p) => p.name === property)!.values!.map((v) => v.value);
const valuesOf = <T>(rows: T[], key: keyof T) => new Set(rows.map((r) => r[key]));
const polygons = (g: MultiPolygon) => g.coordinates.map((rings) => polygon(rings));
const polygonTables = ['business_zones', 'zone_lots', 'fibre_phases', 'parcels'] as const;
const pointTables = ['fibre_premises', 'wifi_hotspots', 'incidents', 'addresses'] as const;
const inTerritory = (p: Position) => communes.features.some((c) => booleanPointInPolygon(p, c));

/** Luhn sum modulo 10 (0 for a well-formed SIRET). */
const luhn = (digits: string) =>
  [...digits].reverse().reduce((sum, c, i) => {
    const v = i % 2 ? 2 * Number(c) : Number(c);
    return sum + (v > 9 ? v - 9 : v);
  }, 0) % 10;

/** Pairs of polygons whose common area exceeds a square centimetre (touching edges share none). */
function overlaps(geoms: MultiPolygon[]): [number, number][] {
  const boxes = geoms.map((g) => bbox(g));
  const found: [number, number][] = [];
  for (let i = 0; i < geoms.length; i++) {
    for (let j = i + 1; j < geoms.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      if (a[0] > b[2] || b[0] > a[2] || a[1] > b[3] || b[1] > a[3]) continue;
      const common = intersect(featureCollection([...polygons(geoms[i]!), ...polygons(geoms[j]!)]));
      if (common && area(common) > 1e-4) found.push([i, j]);
    }
  }
  return found;
}

describe('demo data generation', () => {
  it('gives the same rows on every run and whatever the order of the communes', () => {
    expect(generateDemoData(communes)).toEqual(data);
    const reversed = { ...communes, features: [...communes.features].reverse() };
    expect(generateDemoData(reversed)).toEqual(data);
  });

  it('gives other rows with another seed', () => {
    expect(generateDemoData(communes, 7).addresses).not.toEqual(data.addresses);
  });

  it('fills every table within the expected volumes', () => {
    expect(data.business_zones).toHaveLength(5);
    expect(data.zone_lots.length).toBeGreaterThanOrEqual(50);
    for (const zone of data.business_zones) {
      const lots = data.zone_lots.filter((l) => l.zone_id === zone.id).length;
      expect(lots, zone.name).toBeGreaterThanOrEqual(10);
      expect(lots, zone.name).toBeLessThanOrEqual(40);
    }
    expect(data.fibre_phases.length).toBeGreaterThanOrEqual(18);
    expect(data.fibre_phases.length).toBeLessThanOrEqual(30);
    expect(data.addresses.length).toBeGreaterThanOrEqual(300);
    expect(data.addresses.length).toBeLessThanOrEqual(500);
    expect(data.parcels.length).toBeGreaterThanOrEqual(150);
    expect(data.parcels.length).toBeLessThanOrEqual(300);
    expect(data.fibre_premises.length).toBeGreaterThan(0.9 * data.addresses.length);
    expect(data.wifi_hotspots.length).toBeGreaterThanOrEqual(25);
    expect(data.wifi_hotspots.length).toBeLessThanOrEqual(35);
    expect(data.incidents.length).toBeGreaterThanOrEqual(15);
    expect(data.incidents.length).toBeLessThanOrEqual(25);
  });

  it('uses every status of the layers’ code lists, and only those', () => {
    const cases: [string, Set<unknown>][] = [
      ['fibre_phases', valuesOf(data.fibre_phases, 'status')],
      ['fibre_premises', valuesOf(data.fibre_premises, 'status')],
      ['wifi_hotspots', valuesOf(data.wifi_hotspots, 'status')],
      ['zone_lots', valuesOf(data.zone_lots, 'status')],
      ['incidents', valuesOf(data.incidents, 'status')],
    ];
    // `duplicate` is left out: it only exists as a link to the report it repeats (duplicate_of), which
    // staff set in triage; the demo seed invents no such pair.
    const shown = (layer: string) => codes(layer, 'status').filter((code) => layer !== 'incidents' || code !== 'duplicate');
    for (const [layer, used] of cases) expect([...used].sort(), layer).toEqual(shown(layer).sort());
    expect([...valuesOf(data.wifi_hotspots, 'kind')].sort()).toEqual(['indoor', 'outdoor']);
    expect([...valuesOf(data.business_zones, 'kind')].sort()).toEqual(codes('business_zones', 'kind').sort());
    for (const code of valuesOf(data.incidents, 'service_code')) expect(codes('incidents', 'service_code')).toContain(code);
  });

  it('leaves most lots available, prices the available ones and names the occupants of occupied and sold ones', () => {
    const available = data.zone_lots.filter((l) => l.status === 'available');
    expect(available.length / data.zone_lots.length).toBeGreaterThanOrEqual(0.5);
    for (const lot of available) {
      expect(lot.price_per_m2).toBeGreaterThanOrEqual(12);
      expect(lot.price_per_m2).toBeLessThanOrEqual(45);
    }
    for (const lot of data.zone_lots.filter((l) => l.status === 'occupied' || l.status === 'sold')) {
      expect(lot.occupant_name).toBeTruthy();
      expect(lot.activity).toBeTruthy();
      expect(lot.occupant_siret).toMatch(/^\d{14}$/);
      expect(luhn(lot.occupant_siret!), lot.occupant_siret!).toBe(0);
    }
    expect(data.zone_lots.some((l) => l.notes)).toBe(true);
    for (const zone of data.business_zones) {
      expect(data.zone_lots.filter((l) => l.zone_id === zone.id).map((l) => l.lot_number)).toEqual(
        data.zone_lots.filter((l) => l.zone_id === zone.id).map((_, i) => String(i + 1)),
      );
    }
  });

  it('schedules fibre phases 1 to 3 between 2019 and 2026 and leaves unscheduled zones without a phase', () => {
    for (const zone of data.fibre_phases) {
      expect(zone.zone_code).toMatch(/^PM-\d{5}-\d{3}$/);
      if (zone.status === 'study' || zone.status === 'not_planned') {
        expect(zone.phase).toBeNull();
        expect(zone.planned_end).toBeNull();
      } else {
        expect([1, 2, 3]).toContain(zone.phase);
        expect(zone.planned_start! < zone.planned_end!).toBe(true);
        expect(zone.planned_start! >= '2019-01-01' && zone.planned_end! <= '2026-12-31').toBe(true);
      }
    }
    expect(data.fibre_phases.filter((z) => z.phase === 1).every((z) => ['deployed', 'in_progress'].includes(z.status))).toBe(true);
  });

  it('makes every polygon valid, closed, counter-clockwise and without self-intersections', () => {
    for (const table of polygonTables) {
      for (const row of data[table]) {
        for (const poly of polygons(row.geom)) {
          const ring = poly.geometry.coordinates[0]!;
          expect(booleanValid(poly), `${table} ${row.id}`).toBe(true);
          expect(kinks(poly).features, `${table} ${row.id}`).toHaveLength(0);
          expect(ring[0]).toEqual(ring[ring.length - 1]);
          expect(booleanClockwise(ring), `${table} ${row.id}`).toBe(false);
        }
      }
    }
  });

  it('rounds every coordinate to 7 decimals', () => {
    const coords = [
      ...polygonTables.flatMap((t) => data[t].flatMap((r) => r.geom.coordinates.flat(2))),
      ...pointTables.flatMap((t) => (data[t] as { geom: Point }[]).map((r) => r.geom.coordinates)),
    ];
    for (const c of coords) for (const v of c) expect(Math.abs(v * 1e7 - Math.round(v * 1e7))).toBeLessThan(1e-6);
  });

  it('keeps every vertex and every point inside the territory', () => {
    for (const table of polygonTables) {
      for (const row of data[table]) {
        const outside = row.geom.coordinates.flat(2).filter((p) => !inTerritory(p));
        expect(outside, `${table} ${row.id}`).toEqual([]);
      }
    }
    for (const table of pointTables) {
      const outside = (data[table] as { geom: Point }[]).filter((r) => !inTerritory(r.geom.coordinates));
      expect(outside, table).toEqual([]);
    }
  });

  it('sizes the business zones between 8 and 40 hectares', () => {
    for (const zone of data.business_zones) {
      expect(area(zone.geom) / 10_000, zone.name).toBeGreaterThanOrEqual(8);
      expect(area(zone.geom) / 10_000, zone.name).toBeLessThanOrEqual(40);
      expect(zone.code).toMatch(/^ZAE-\d{5}-\d{2}$/);
    }
  });

  it('keeps lots strictly inside their zone and apart from each other', () => {
    for (const zone of data.business_zones) {
      const lots = data.zone_lots.filter((l) => l.zone_id === zone.id);
      for (const lot of lots) {
        const outside = lot.geom.coordinates.flat(2).filter((p) => !booleanPointInPolygon(p, zone.geom, { ignoreBoundary: true }));
        expect(outside, `lot ${lot.lot_number} of ${zone.name}`).toEqual([]);
      }
      expect(overlaps(lots.map((l) => l.geom)), zone.name).toEqual([]);
    }
  });

  it('never lets parcels overlap, and keeps each address inside the parcels it names', () => {
    expect(overlaps(data.parcels.map((p) => p.geom))).toEqual([]);
    const parcels = new Map(data.parcels.map((p) => [p.id, p]));
    const linked = data.addresses.filter((a) => a.cad_parcelles);
    expect(linked.length).toBeGreaterThan(100);
    for (const a of linked) {
      for (const id of a.cad_parcelles!) expect(booleanPointInPolygon(a.geom, parcels.get(id)!.geom), a.id).toBe(true);
    }
    for (const p of data.parcels) {
      expect(p.id).toBe(`${p.commune}${p.prefixe}${p.section}${p.numero}`);
      expect(p.id).toMatch(/^\d{5}000[A-Z]{2}\d{4}$/);
      expect(Math.abs(p.contenance - area(p.geom)) / p.contenance).toBeLessThan(0.01);
    }
  });

  it('splits the communes into fibre zones that cover them without overlapping', () => {
    expect(overlaps(data.fibre_phases.map((z) => z.geom))).toEqual([]);
    const zonesArea = data.fibre_phases.reduce((sum, z) => sum + area(z.geom), 0);
    const communesArea = communes.features.reduce((sum, c) => sum + area(c), 0);
    expect(Math.abs(zonesArea - communesArea) / communesArea).toBeLessThan(1e-6);
  });

  it('places each fibre premise at its address, in the one zone it names, with a status matching the zone', () => {
    const addresses = new Map(data.addresses.map((a) => [a.id, a]));
    const allowed: Record<string, string[]> = {
      deployed: ['deployed', 'connectable'], in_progress: ['in_progress', 'signed'], planned: ['target'], study: ['target'], not_planned: ['target'],
    };
    for (const premise of data.fibre_premises) {
      expect(premise.geom).toEqual(addresses.get(premise.ban_id)!.geom);
      const zones = data.fibre_phases.filter((z) => booleanPointInPolygon(premise.geom, z.geom));
      expect(zones.map((z) => z.zone_code), premise.premise_id).toEqual([premise.pm_ref]);
      if (premise.status !== 'abandoned') expect(allowed[zones[0]!.status]).toContain(premise.status);
    }
    const counted = data.fibre_phases.reduce((sum, z) => sum + z.premises, 0);
    expect(counted).toBe(data.fibre_premises.length);
  });

  it('writes BAN-like addresses, among them 12 Rue de la Gare in Bédée', () => {
    for (const a of data.addresses) {
      expect(a.id).toBe(`${a.id_fantoir}_${String(a.numero).padStart(5, '0')}${a.rep ? `_${a.rep}` : ''}`);
      expect(a.id).toMatch(/^\d{5}_[0-9A-Z]{4}_\d{5}(_(bis|ter))?$/);
      expect(a.code_postal).toMatch(/^35\d{3}$/);
    }
    expect(new Set(data.addresses.map((a) => a.id)).size).toBe(data.addresses.length);
    expect(data.addresses.find((a) => a.nom_commune === 'Bédée' && a.nom_voie === 'Rue de la Gare' && a.numero === 12 && !a.rep)).toBeDefined();
    expect(data.addresses.filter((a) => a.rep === 'bis').length).toBeGreaterThan(0);
    expect(data.addresses.filter((a) => a.rep).length).toBeLessThan(0.1 * data.addresses.length);
    const inZones = data.addresses.filter((a) => data.business_zones.some((z) => booleanPointInPolygon(a.geom, z.geom)));
    expect(inZones.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps reporters’ details on some incidents only, and some incidents unpublished', () => {
    const withEmail = data.incidents.filter((i) => i.reporter_email);
    expect(withEmail.length).toBeGreaterThan(0);
    expect(withEmail.length).toBeLessThan(data.incidents.length);
    for (const i of withEmail) expect(i.reporter_email).toMatch(/@example\.(org|net|com)$/);
    const unpublished = data.incidents.filter((i) => !i.published).length;
    expect(unpublished).toBeGreaterThan(0);
    expect(unpublished).toBeLessThan(data.incidents.length / 2);
    for (const i of data.incidents) {
      expect(i.requested_datetime.startsWith('2026-')).toBe(true);
      if (i.updated_datetime) expect(i.updated_datetime > i.requested_datetime).toBe(true);
    }
  });
});
