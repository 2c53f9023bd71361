// Deterministic demo rows for the eight layers, generated in JS from the commune boundaries alone.
import { area, booleanPointInPolygon } from '@turf/turf';
import type { FeatureCollection, MultiPolygon, Point } from 'geojson';
import { closeRing, Frame, Random, round7, signedArea, type XY } from './demo-geometry.ts';
import { layoutBourg, type StreetLayout } from './demo-bourgs.ts';
import { splitAroundCentre } from './demo-fibre.ts';
import { layoutZone, type ZoneLayout } from './demo-zones.ts';
import {
  BOURGS, FIBRE_PLAN, INCIDENT_TEXTS, LOT_NOTES, OCCUPANTS, REPORTERS, ZONES,
  type BourgSettings, type FibreStatus, type ServiceCode, type ZoneKind, type ZoneSettings,
} from './demo-territory.ts';

export interface BusinessZoneRow {
  id: number; code: string; name: string; commune: string; kind: ZoneKind; manager: string; description: string; geom: MultiPolygon;
}
export interface ZoneLotRow {
  id: number; zone_id: number; lot_number: string; status: string; price_per_m2: number | null;
  option_expires_on: string | null; occupant_name: string | null; occupant_siret: string | null; activity: string | null;
  naf_code: string | null; serviced: boolean; water: boolean; sewer: boolean; electricity: boolean; notes: string | null; geom: MultiPolygon;
}
export interface FibrePhaseRow {
  id: number; zone_code: string; phase: number | null; status: FibreStatus; planned_start: string | null; planned_end: string | null;
  operator: string; technology: string; premises: number; data_date: string; geom: MultiPolygon;
}
export interface FibrePremiseRow {
  id: number; premise_id: string; ban_id: string; address: string; status: string; pm_ref: string;
  operator: string; updated_on: string; source: string; geom: Point;
}
export interface WifiHotspotRow {
  id: number; name: string; kind: 'indoor' | 'outdoor'; status: string; address: string; commune: string;
  operator: string; access: string; geom: Point;
}
export interface IncidentRow {
  id: number; service_code: ServiceCode; description: string; status: string; requested_datetime: string;
  updated_datetime: string | null; address_string: string; media_url: string | null; status_notes: string | null;
  reporter_name: string | null; reporter_email: string | null; reporter_phone: string | null; published: boolean; geom: Point;
}
export interface AddressRow {
  id: string; fid: number; id_fantoir: string; numero: number; rep: string | null; nom_voie: string; code_postal: string;
  code_insee: string; nom_commune: string; cad_parcelles: string[] | null; geom: Point;
}
export interface ParcelRow {
  id: string; fid: number; commune: string; prefixe: string; section: string; numero: string; contenance: number; geom: MultiPolygon;
}

/** One array of rows per table, in insertion order; geometries are GeoJSON in EPSG:4326. */
export interface DemoData {
  business_zones: BusinessZoneRow[];
  zone_lots: ZoneLotRow[];
  fibre_phases: FibrePhaseRow[];
  fibre_premises: FibrePremiseRow[];
  wifi_hotspots: WifiHotspotRow[];
  incidents: IncidentRow[];
  addresses: AddressRow[];
  parcels: ParcelRow[];
}

const DATA_DATE = '2026-09-30';
const FIBRE_OPERATOR = 'Mégalis Bretagne / Bretagne Très Haut Débit';
const MANAGER = 'Montfort Communauté';

interface Commune {
  insee: string;
  nom: string;
  settings: BourgSettings;
  /** Outer rings (open, counter-clockwise, longitude/latitude), largest first. */
  rings: XY[][];
  /** Metric frame centred on the town centre, and the main ring in it. */
  frame: Frame;
  local: XY[];
}

/** Generates the demo rows from the communes (code_insee, nom; EPSG:4326): same input and seed, same rows. */
export function generateDemoData(communes: FeatureCollection, seed = 20261129): DemoData {
  const stream = (k: number) => new Random((seed + k * 0x9e3779b9) >>> 0);
  const territory = readCommunes(communes);
  const zones: PlacedZone[] = territory
    .flatMap((c) => ZONES.filter((z) => z.insee === c.insee).map((z, j) => ({ settings: z, commune: c, code: `ZAE-${c.insee}-${pad(j + 1, 2)}` })))
    .map((z, i) => ({ ...z, layout: layoutZone(z.commune.frame, z.commune.local, z.settings.hectares, z.settings.kind, stream(100 + i)) }));
  const streets = new Map(territory.map((c, i) => [c.insee, layoutBourg(c.frame, c.local, c.settings.streets, stream(200 + i))]));
  const lots = zoneLots(zones, stream(1));
  const places = addressesAndParcels(territory, streets, zones, lots, stream(2));
  const fibreZones = fibreGeometries(territory, stream(3));
  const premises = fibrePremises(places.addresses, fibreZones, stream(4));
  return {
    business_zones: zones.map(({ settings, commune, code, layout }, i) => ({
      id: i + 1,
      code,
      name: settings.name,
      commune: commune.nom,
      kind: settings.kind,
      manager: MANAGER,
      description: settings.description,
      geom: multi(layout.ring),
    })),
    zone_lots: lots,
    fibre_phases: fibreZones.map((z, i) => ({
      ...z.row, id: i + 1, premises: premises.filter((p) => p.pm_ref === z.row.zone_code).length,
    })),
    fibre_premises: premises,
    wifi_hotspots: wifiHotspots(territory, places.addresses, stream(5)),
    incidents: incidents(territory, streets, zones, stream(6)),
    addresses: places.addresses,
    parcels: places.parcels,
  };
}

/** The communes sorted by INSEE code (input order must not matter), with their settings and frames. */
function readCommunes(collection: FeatureCollection): Commune[] {
  return collection.features
    .map((f) => {
      const { code_insee: insee, nom } = f.properties as { code_insee: string; nom: string };
      const settings = BOURGS[insee];
      if (!settings) throw new Error(`no demo settings for commune ${insee}`);
      const g = f.geometry;
      if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') throw new Error(`commune ${insee} is not a polygon`);
      const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      if (polygons.some((p) => p.length > 1)) throw new Error(`commune ${insee} has holes, which the demo does not handle`);
      const rings = polygons
        .map((p) => {
          const open = p[0]!.slice(0, -1).map(([x, y]) => [x, y] as XY);
          return signedArea(open) < 0 ? open.reverse() : open;
        })
        .sort((a, b) => signedArea(b) - signedArea(a));
      const frame = new Frame(settings.centre);
      return { insee, nom, settings, rings, frame, local: rings[0]!.map((p) => frame.toLocal(p)) };
    })
    .sort((a, b) => a.insee.localeCompare(b.insee));
}

const multi = (ring: XY[]): MultiPolygon => ({ type: 'MultiPolygon', coordinates: [[closeRing(ring)]] });
const point = (p: XY): Point => ({ type: 'Point', coordinates: [p[0], p[1]] });
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const date = (y: number, m: number, d: number) => `${y}-${pad(m, 2)}-${pad(d, 2)}`;

type PlacedZone = { settings: ZoneSettings; commune: Commune; code: string; layout: ZoneLayout };

/** Lot rows: mostly available, every status present, occupants on the occupied and sold ones. */
function zoneLots(zones: PlacedZone[], random: Random): ZoneLotRow[] {
  const total = zones.reduce((n, z) => n + z.layout.lots.length, 0);
  const share = (s: number) => Math.max(1, Math.round(total * s));
  const others = [
    ...Array<string>(share(0.07)).fill('optioned'), ...Array<string>(share(0.06)).fill('reserved'),
    ...Array<string>(share(0.1)).fill('sold'), ...Array<string>(share(0.16)).fill('occupied'),
    ...Array<string>(share(0.04)).fill('unavailable'),
  ];
  const statuses = random.shuffle([...others, ...Array<string>(total - others.length).fill('available')]);
  const occupants = random.shuffle(OCCUPANTS);
  const basePrice: Record<ZoneKind, number> = { commercial: 38, office: 30, mixed: 22, craft: 17, industrial: 14 };
  const rows: ZoneLotRow[] = [];
  zones.forEach(({ settings, layout }, z) => {
    layout.lots.forEach((lot, k) => {
      const status = statuses[rows.length]!;
      const occupied = status === 'occupied' || status === 'sold';
      const occupant = occupied ? occupants[rows.length % occupants.length]! : null;
      const priced = ['available', 'optioned', 'reserved'].includes(status);
      const price = Math.min(45, Math.max(12, basePrice[settings.kind] + random.range(-4, 6)));
      rows.push({
        id: rows.length + 1,
        zone_id: z + 1,
        lot_number: String(k + 1),
        status,
        price_per_m2: priced ? Math.round(price * 2) / 2 : null,
        // Options and reservations run to a fixed term (no random draw: the rest of the data stays as it was).
        option_expires_on: status === 'optioned' || status === 'reserved' ? `2027-0${1 + (rows.length % 6)}-28` : null,
        occupant_name: occupant?.[0] ?? null,
        occupant_siret: occupant ? siret(random) : null,
        activity: occupant?.[1] ?? null,
        naf_code: occupant?.[2] ?? null,
        // The demo zones are finished estates: every lot is on the roads' networks.
        serviced: true, water: true, sewer: true, electricity: true,
        notes: random.chance(0.1) ? random.pick(LOT_NOTES) : null,
        geom: multi(lot.ring),
      });
    });
  });
  return rows;
}

/** A 14-digit SIRET passing the Luhn check, as real ones do (fictitious all the same). */
function siret(random: Random): string {
  const digits = Array.from({ length: 13 }, () => random.int(0, 9));
  const sum = digits.reduce((acc, d, i) => {
    // From the right of the full 14 digits, every second digit is doubled: here the even positions.
    const v = i % 2 === 0 ? d * 2 : d;
    return acc + (v > 9 ? v - 9 : v);
  }, 0);
  return digits.join('') + String((10 - (sum % 10)) % 10);
}

/** BAN addresses along the streets and zone roads, and cadastre parcels in the bourgs that have sections. */
function addressesAndParcels(
  territory: Commune[], streets: Map<string, StreetLayout[]>, zones: PlacedZone[], lots: ZoneLotRow[], random: Random,
): { addresses: AddressRow[]; parcels: ParcelRow[] } {
  const addresses: AddressRow[] = [];
  const parcels: ParcelRow[] = [];
  const parcelNumbers = new Map<string, number>();
  const addParcel = (insee: string, section: string, ring: XY[]): string => {
    const key = `${insee}${section}`;
    const numero = pad((parcelNumbers.get(key) ?? random.int(8, 120)) + random.int(1, 3), 4);
    parcelNumbers.set(key, Number(numero));
    const geom = multi(ring);
    const id = `${insee}000${section}${numero}`;
    parcels.push({ id, fid: parcels.length + 1, commune: insee, prefixe: '000', section, numero, contenance: Math.round(area(geom)), geom });
    return id;
  };
  for (const c of territory) {
    let streetCode = random.int(2, 9) * 10;
    const addAddress = (street: string, numero: number, rep: string | null, p: XY, parcel: string | null) => {
      const code = pad(streetCode, 4);
      addresses.push({
        id: `${c.insee}_${code}_${pad(numero, 5)}${rep ? `_${rep}` : ''}`,
        fid: addresses.length + 1,
        id_fantoir: `${c.insee}_${code}`,
        numero,
        rep,
        nom_voie: street,
        code_postal: c.settings.postcode,
        code_insee: c.insee,
        nom_commune: c.nom,
        cad_parcelles: parcel ? [parcel] : null,
        geom: point(p),
      });
    };
    streets.get(c.insee)!.forEach((street, i) => {
      const section = c.settings.sections?.[i % c.settings.sections.length];
      const next = { 1: 1, [-1]: 2 } as Record<number, number>;
      for (const plot of street.plots) {
        const parcel = section ? addParcel(c.insee, section, plot.ring) : null;
        for (const e of plot.entrances) addAddress(street.name, next[plot.side]!, e.rep, e.point, parcel);
        next[plot.side]! += 2;
      }
      streetCode += random.int(1, 6) * 10;
    });
    zones.forEach(({ settings, commune, layout }, z) => {
      if (commune !== c) return;
      const zoneLotRows = lots.filter((l) => l.zone_id === z + 1);
      const next = { 1: 1, [-1]: 2 } as Record<number, number>;
      layout.lots.forEach((lot, k) => {
        const row = zoneLotRows[k]!;
        const parcel = settings.parcels ? addParcel(c.insee, settings.parcels, lot.ring) : null;
        if (lot.side === 0) return;
        if (row.status === 'occupied' || row.status === 'sold') addAddress(settings.road, next[lot.side]!, null, lot.front, parcel);
        next[lot.side]! += 2;
      });
      streetCode += random.int(1, 6) * 10;
    });
  }
  return { addresses, parcels };
}

type FibreZone = { row: Omit<FibrePhaseRow, 'id' | 'premises'> };

/** Deployment zones: sectors of each commune around its centre, then one zone per detached part. */
function fibreGeometries(territory: Commune[], random: Random): FibreZone[] {
  return territory.flatMap((c) => {
    const plan = FIBRE_PLAN[c.insee];
    if (!plan || plan.length < c.rings.length) throw new Error(`no fibre plan for every part of commune ${c.insee}`);
    const sectors = splitAroundCentre(c.rings[0]!, c.settings.centre, plan.length - c.rings.length + 1, random);
    return [...sectors, ...c.rings.slice(1)].map((ring, k) => {
      const [status, phase] = plan[k]!;
      const [planned_start, planned_end] = fibreDates(status, phase, random);
      return {
        row: {
          zone_code: `PM-${c.insee}-${pad(k + 1, 3)}`, phase, status, planned_start, planned_end,
          operator: FIBRE_OPERATOR, technology: 'FttH', data_date: DATA_DATE, geom: multi(ring),
        },
      };
    });
  });
}

/** Planned dates by phase (2019-2026); zones not yet scheduled have none. */
function fibreDates(status: FibreStatus, phase: number | null, random: Random): [string | null, string | null] {
  if (phase === null) return [null, null];
  const start = [date(2019, random.int(2, 11), random.int(1, 28)), date(random.int(2022, 2023), random.int(1, 12), random.int(1, 28)), date(2026, random.int(10, 11), random.int(1, 28))][phase - 1]!;
  const end = status === 'deployed'
    ? date(random.int(2021, 2022), random.int(1, 12), random.int(1, 28))
    : date(2026, status === 'planned' ? 12 : random.int(10, 12), random.int(1, 28));
  return [start, end];
}

/** One premise per address (a few addresses have none), its status matching its zone's. */
function fibrePremises(addresses: AddressRow[], zones: FibreZone[], random: Random): FibrePremiseRow[] {
  const seq = new Map<string, number>();
  const rows: FibrePremiseRow[] = [];
  for (const a of addresses) {
    if (random.chance(0.04)) continue;
    const zone = zones.find((z) => booleanPointInPolygon(a.geom, z.row.geom));
    if (!zone) throw new Error(`address ${a.id} is in no fibre zone`);
    const n = (seq.get(a.code_insee) ?? 0) + 1;
    seq.set(a.code_insee, n);
    rows.push({
      id: rows.length + 1,
      premise_id: `IMB/${a.code_insee}/X/${pad(n, 4)}`,
      ban_id: a.id,
      address: addressLabel(a),
      status: premiseStatus(zone.row.status, random),
      pm_ref: zone.row.zone_code,
      operator: FIBRE_OPERATOR,
      updated_on: DATA_DATE,
      source: 'Démo (données fictives)',
      geom: a.geom,
    });
  }
  return rows;
}

/** Deployed zones have deployed or connectable premises, zones in deployment signed or in-progress ones. */
function premiseStatus(zone: FibreStatus, random: Random): string {
  if (random.chance(0.015)) return 'abandoned';
  if (zone === 'deployed') return random.chance(0.75) ? 'connectable' : 'deployed';
  if (zone === 'in_progress') return random.chance(0.6) ? 'in_progress' : 'signed';
  return 'target';
}

/** "12 bis Rue de la Gare, 35137 Bédée". */
const addressLabel = (a: AddressRow) => `${a.numero}${a.rep ? ` ${a.rep}` : ''} ${a.nom_voie}, ${a.code_postal} ${a.nom_commune}`;

/** Hotspots at public buildings and squares of each bourg, mostly in service. */
function wifiHotspots(territory: Commune[], addresses: AddressRow[], random: Random): WifiHotspotRow[] {
  const venues = territory.flatMap((c) => {
    const candidates = random.shuffle(addresses.filter((a) => a.code_insee === c.insee && c.settings.streets.includes(a.nom_voie) && !a.rep));
    return c.settings.wifi.map(([name, kind], i) => ({ c, name, kind, at: candidates[i % candidates.length]! }));
  });
  const fixed = ['planned', 'planned', 'out_of_service', 'out_of_service', 'removed'];
  const statuses = random.shuffle([...fixed, ...Array<string>(venues.length - fixed.length).fill('active')]);
  return venues.map(({ c, name, kind, at }, i) => {
    const eu = kind === 'outdoor' && random.chance(0.6);
    return {
      id: i + 1,
      name: `${name} – ${c.nom}`,
      kind,
      status: statuses[i]!,
      address: addressLabel(at),
      commune: c.nom,
      operator: eu ? 'WiFi4EU' : MANAGER,
      access: eu || random.chance(0.5) ? "Libre, portail d'accueil" : 'Libre',
      geom: at.geom,
    };
  });
}

const INCIDENT_NOTES: Record<string, string> = {
  acknowledged: 'Signalement transmis au service concerné.',
  rejected: 'Hors compétence communautaire : signalement transmis à la commune.',
};

/** Reports on the zones' roads and the bourgs' streets in 2026; new ones await publication by staff. */
function incidents(territory: Commune[], streets: Map<string, StreetLayout[]>, zones: PlacedZone[], random: Random): IncidentRow[] {
  const places: { p: XY; address: string }[] = [];
  for (let i = 0; i < 12; i++) {
    const { settings, commune, layout } = zones[i % zones.length]!;
    places.push({ p: random.pick(layout.roadPoints), address: `${settings.road}, ${settings.name}, ${commune.nom}` });
  }
  for (let i = 0; i < 8; i++) {
    const c = territory[(i * 3) % territory.length]!;
    const street = random.pick(streets.get(c.insee)!);
    const s = random.int(0, street.line.length - 2);
    const [a, b] = [street.line[s]!, street.line[s + 1]!];
    const t = random.range(0.2, 0.8);
    places.push({ p: [round7(a[0] + (b[0] - a[0]) * t), round7(a[1] + (b[1] - a[1]) * t)], address: `${street.name}, ${c.nom}` });
  }
  const codes = Object.keys(INCIDENT_TEXTS) as ServiceCode[];
  const statuses = random.shuffle([
    ...Array<string>(4).fill('new'), ...Array<string>(4).fill('acknowledged'), ...Array<string>(4).fill('in_progress'),
    ...Array<string>(6).fill('resolved'), ...Array<string>(2).fill('rejected'),
  ]);
  const reporters = new Map(random.shuffle(places.map((_, i) => i)).slice(0, REPORTERS.length).map((at, k) => [at, REPORTERS[k]!]));
  const start = Date.UTC(2026, 0, 5, 7);
  const day = 86_400_000;
  const rows = places.map(({ p, address }, i) => {
    const code = codes[i % codes.length]!;
    const [description, answer] = random.pick(INCIDENT_TEXTS[code]);
    const status = statuses[i]!;
    const requested = start + random.int(0, 245) * day + random.int(0, 11 * 60) * 60_000;
    const reporter = reporters.get(i);
    return {
      service_code: code, description, status,
      requested_datetime: new Date(requested).toISOString(),
      updated_datetime: status === 'new' ? null : new Date(requested + random.int(1, 18) * day).toISOString(),
      address_string: address,
      media_url: null,
      status_notes: status === 'new' ? null : INCIDENT_NOTES[status] ?? answer,
      reporter_name: reporter?.[0] ?? null,
      reporter_email: reporter?.[1] ?? null,
      reporter_phone: reporter?.[2] ?? null,
      published: status !== 'new',
      geom: point(p),
    };
  });
  // Ids follow the reporting order, as the database would have given them.
  return rows.sort((a, b) => a.requested_datetime.localeCompare(b.requested_datetime)).map((r, i) => ({ id: i + 1, ...r }));
}
