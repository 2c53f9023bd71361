// Deterministic region-sized delivery files, written streaming (one record at a time, a 1 MiB buffer):
// a synthetic territory of square communes centred on Montfort, cut into jittered 30 m parcels (the
// Montfort bench's density, so a tile holds as many features as there and only the table sizes grow),
// with BAN-like addresses, fibre zones and premises. They are the formats deliveries come in: the
// cadastre as a shapefile, the Base Adresse Nationale CSV, fibre zones as GeoJSON, premises as CSV.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createShapefileWriter } from '../../tests/helpers/shapefile-writer.ts';

export interface RegionSpec {
  parcels: number;
  addresses: number;
  premises: number;
}

/** Brittany's size (issue 17): ten times Montfort Communauté. */
export const BRITTANY: RegionSpec = { parcels: 2_000_000, addresses: 2_500_000, premises: 1_300_000 };

/** The spec at `scale` (REGION_SCALE: 1 is Brittany, 0.1 a tenth of it). */
export function regionSpec(scale: number): RegionSpec {
  return {
    parcels: Math.round(BRITTANY.parcels * scale),
    addresses: Math.round(BRITTANY.addresses * scale),
    premises: Math.round(BRITTANY.premises * scale),
  };
}

/** Parcel side in metres: about Montfort's real cadastre (197 km² / ~200,000 parcels). */
const CELL_M = 30;
/** A commune is a square of COMMUNE_CELLS × COMMUNE_CELLS parcels (1.5 km, 2,500 parcels). */
const COMMUNE_CELLS = 50;
/** A fibre zone (PM area) is a square of ZONE_CELLS × ZONE_CELLS parcels (about 1 km). */
const ZONE_CELLS = 33;
/** A street runs along a row of STREET_CELLS parcels inside a commune. */
const STREET_CELLS = 25;
const CENTRE = { lon: -1.95, lat: 48.14 };
const DX = CELL_M / (111_320 * Math.cos((CENTRE.lat * Math.PI) / 180));
const DY = CELL_M / 110_574;

const WGS84_PRJ = 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],' +
  'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]';

const COMMUNE_HEADS = ['Plou', 'Lan', 'Ker', 'Tré', 'Pleu', 'Guer', 'Lou', 'Mor', 'Plé', 'Lo', 'Bour', 'Quin',
  'Saint-Mé', 'Saint-Gon', 'Saint-Bri', 'Sainte-Ann', 'La Chapelle-', 'Le Ros', 'Pen', 'Tré', 'Locmi', 'Lanvol', 'Ploé', 'Guil',
  'Bré', 'Ros', 'Plu', 'Mel', 'Ques', 'Lann'];
const COMMUNE_TAILS = ['gastel', 'néour', 'vénec', 'dern', 'ouët', 'mel', 'goat', 'bihan', 'iac', 'ac', 'ern', 'ivy',
  'élan', 'oc', 'aven', 'hinic', 'quer', 'leuc', 'ouan', 'ic', 'ier', 'édan', 'onnec', 'aouen', 'ennec', 'ézec', 'ourc', 'ay', 'ern-Bas', 'in'];
const STREET_KINDS = ['Rue', 'Allée', 'Chemin', 'Impasse', 'Route', 'Place', 'Avenue', 'Boulevard'];
const STREET_NAMES = ['de la Gare', "de l'Église", 'des Châtaigniers', 'Saint-Éloi', 'du Moulin', 'de la Mairie', 'des Écoles',
  'des Tilleuls', 'de Rennes', 'du Château', 'Jean Jaurès', 'Victor Hugo', 'de Brocéliande', 'des Lavandières', 'du Stade',
  'de la Fontaine', 'des Peupliers', 'du Lavoir', 'de Bretagne', 'Anne de Bretagne', 'des Genêts', 'de la Forge', 'du Presbytère',
  'des Ajoncs', 'de la Poste', 'du Calvaire', 'des Chênes', 'de Brest', 'de Vannes', 'de Saint-Malo', 'de la Vilaine', 'du Meu',
  'des Hortensias', 'de la Libération', 'du 8 Mai 1945', 'Pasteur', 'Surcouf', 'des Mimosas', 'de la Croix', 'du Bourg',
  'des Landes', 'du Verger', 'des Prés', 'de la Lande', 'des Roches', 'du Pont', 'de la Rivière', 'des Fleurs', 'des Vergers',
  'du Menhir', 'des Korrigans', 'de Merlin', 'de Viviane', 'du Lac', 'des Forges', 'de la Chapelle', 'du Manoir', 'des Moulins',
  'de la Prairie', 'du Bois'];
const PREMISE_STATUSES = ['target', 'signed', 'in_progress', 'deployed', 'connectable', 'abandoned'];
const ZONE_STATUSES = ['deployed', 'in_progress', 'planned', 'study', 'not_planned'];
const REPS = ['', 'bis', 'ter', 'quater', 'quinquies'];

// A cheap integer hash in [0, 1): the same files on every run (bench/data/bench-data.ts's, in JS).
const hash = (i: number, j: number, k: number) => ((((i * 73856093 + j * 19349663 + k * 83492791) % 1000003) + 1000003) % 1000003) / 1000003;

/** Text written through a 1 MiB buffer to a file: memory stays flat however many lines. */
class TextFile {
  private readonly fd: number;
  private chunk = '';
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  line(text: string): void {
    this.chunk += text + '\n';
    if (this.chunk.length > 1 << 20) this.flush();
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
  private flush(): void {
    writeSync(this.fd, this.chunk);
    this.chunk = '';
  }
}

/** The grid of the territory for a spec: the parcel count laid out as a square. */
export class RegionGrid {
  readonly columns: number;
  readonly rows: number;
  private readonly x0: number;
  private readonly y0: number;

  constructor(readonly spec: RegionSpec) {
    this.columns = Math.ceil(Math.sqrt(spec.parcels));
    this.rows = Math.ceil(spec.parcels / this.columns);
    this.x0 = CENTRE.lon - (this.columns * DX) / 2;
    this.y0 = CENTRE.lat - (this.rows * DY) / 2;
  }

  /** Grid vertex (a, b), moved by up to ±30 % of a cell; neighbouring cells share it, so cells never overlap. */
  vertex(a: number, b: number): [number, number] {
    return [round7(this.x0 + DX * (a + 0.6 * (hash(a, b, 1) - 0.5))), round7(this.y0 + DY * (b + 0.6 * (hash(a, b, 2) - 0.5)))];
  }

  /** The closed clockwise ring along the grid lines around cells [a0, a1) × [b0, b1), every vertex on it. */
  blockRing(a0: number, b0: number, a1: number, b1: number): [number, number][] {
    const ring: [number, number][] = [];
    for (let b = b0; b < b1; b++) ring.push(this.vertex(a0, b));
    for (let a = a0; a < a1; a++) ring.push(this.vertex(a, b1));
    for (let b = b1; b > b0; b--) ring.push(this.vertex(a1, b));
    for (let a = a1; a > a0; a--) ring.push(this.vertex(a, b0));
    ring.push(ring[0]!);
    return ring;
  }

  get communesAcross(): number {
    return Math.ceil(this.columns / COMMUNE_CELLS);
  }

  get communesDown(): number {
    return Math.ceil(this.rows / COMMUNE_CELLS);
  }

  /** Commune of grid cell (i, j): its INSEE-like code and its name. */
  commune(i: number, j: number): { index: number; code: string; name: string; postcode: string } {
    const index = Math.floor(j / COMMUNE_CELLS) * this.communesAcross + Math.floor(i / COMMUNE_CELLS);
    return communeOf(index);
  }

  /** Parcel n: its cell and cadastre fields (a 14-character id, unique: section and number within the commune). */
  parcel(n: number) {
    const i = n % this.columns;
    const j = Math.floor(n / this.columns);
    const commune = this.commune(i, j);
    const local = (j % COMMUNE_CELLS) * COMMUNE_CELLS + (i % COMMUNE_CELLS);
    const s = Math.floor(local / 100);
    const section = String.fromCharCode(65 + Math.floor(s / 26)) + String.fromCharCode(65 + (s % 26));
    const numero = String((local % 100) + 1).padStart(4, '0');
    return { i, j, commune, section, numero, id: `${commune.code}000${section}${numero}` };
  }

  /** Address k: on parcel floor(k × parcels / addresses), the parcel's k-th address getting bis, ter… */
  address(k: number) {
    const { parcels, addresses } = this.spec;
    const n = Math.floor((k * parcels) / addresses);
    const nth = k - Math.floor((n * addresses + parcels - 1) / parcels);
    const p = this.parcel(n);
    const street = (p.j % COMMUNE_CELLS) * Math.ceil(COMMUNE_CELLS / STREET_CELLS) + Math.floor((p.i % COMMUNE_CELLS) / STREET_CELLS);
    // A multiplier prime to the 480 names: the streets of one commune never share a name.
    const name = (street * 7 + p.commune.index * 13) % (STREET_KINDS.length * STREET_NAMES.length);
    const nomVoie = `${STREET_KINDS[name % STREET_KINDS.length]} ${STREET_NAMES[Math.floor(name / STREET_KINDS.length)]}`;
    const numero = 1 + 2 * (p.i % STREET_CELLS);
    const rep = REPS[nth] ?? '';
    const fantoir = `${p.commune.code}_${street.toString(16).padStart(4, '0')}`;
    const [ax, ay] = this.vertex(p.i, p.j);
    const [cx, cy] = this.vertex(p.i + 1, p.j + 1);
    return {
      id: `${fantoir}_${String(numero).padStart(5, '0')}${rep ? `_${rep}` : ''}`, fantoir, numero, rep, nomVoie, parcel: p,
      lon: round7((ax + cx) / 2 + (hash(k, nth, 3) - 0.5) * 0.3 * DX), lat: round7((ay + cy) / 2 + (hash(k, nth, 4) - 0.5) * 0.3 * DY),
    };
  }
}

function communeOf(index: number): { index: number; code: string; name: string; postcode: string } {
  const combos = COMMUNE_HEADS.length * COMMUNE_TAILS.length;
  const base = COMMUNE_HEADS[index % COMMUNE_HEADS.length]! + COMMUNE_TAILS[Math.floor(index / COMMUNE_HEADS.length) % COMMUNE_TAILS.length]!;
  const round = Math.floor(index / combos);
  return {
    index, code: String(35001 + index), name: round === 0 ? base : `${base} ${round + 1}`,
    postcode: String(35000 + ((index * 7) % 999)).padStart(5, '0'),
  };
}

const round7 = (n: number) => Math.round(n * 1e7) / 1e7;

/** Paths of the written files. */
export interface RegionFiles { parcels: string; addresses: string; zones: string; premises: string }

/** Writes the four files in `dir`, logging progress every tenth of each. */
export function writeRegionFiles(dir: string, spec: RegionSpec, log: (line: string) => void = console.log): RegionFiles {
  const grid = new RegionGrid(spec);
  const progress = (what: string, done: number, total: number) => {
    if (done % Math.max(1, Math.floor(total / 10)) === 0 && done > 0) log(`  ${what}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`);
  };
  const files: RegionFiles = {
    parcels: join(dir, 'parcelles.shp'), addresses: join(dir, 'adresses-region.csv'),
    zones: join(dir, 'zones-pm.geojson'), premises: join(dir, 'immeubles.csv'),
  };

  const parcels = createShapefileWriter({
    base: join(dir, 'parcelles'), kind: 'polygon', encoding: 'utf-8', cpg: 'UTF-8', prj: WGS84_PRJ,
    fields: [
      { name: 'id', type: 'C', length: 14 }, { name: 'commune', type: 'C', length: 5 }, { name: 'prefixe', type: 'C', length: 3 },
      { name: 'section', type: 'C', length: 2 }, { name: 'numero', type: 'C', length: 4 }, { name: 'contenance', type: 'N', length: 9 },
    ],
  });
  for (let n = 0; n < spec.parcels; n++) {
    const p = grid.parcel(n);
    const ring = [grid.vertex(p.i, p.j), grid.vertex(p.i, p.j + 1), grid.vertex(p.i + 1, p.j + 1), grid.vertex(p.i + 1, p.j), grid.vertex(p.i, p.j)];
    parcels.write([ring], {
      id: p.id, commune: p.commune.code, prefixe: '000', section: p.section, numero: p.numero,
      contenance: Math.round(CELL_M * CELL_M * (0.8 + 0.4 * hash(p.i, p.j, 5))),
    });
    progress('parcels', n + 1, spec.parcels);
  }
  parcels.close();

  const addresses = new TextFile(files.addresses);
  addresses.line('id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat;cad_parcelles');
  for (let k = 0; k < spec.addresses; k++) {
    const a = grid.address(k);
    const c = a.parcel.commune;
    addresses.line(`${a.id};${a.fantoir};${a.numero};${a.rep};${a.nomVoie};${c.postcode};${c.code};${c.name};${a.lon};${a.lat};${a.parcel.id}`);
    progress('addresses', k + 1, spec.addresses);
  }
  addresses.close();

  const zones = new TextFile(files.zones);
  zones.line('{"type":"FeatureCollection","features":[');
  const zonesAcross = Math.ceil(grid.columns / ZONE_CELLS);
  const zonesDown = Math.ceil(grid.rows / ZONE_CELLS);
  for (let zj = 0; zj < zonesDown; zj++) {
    for (let zi = 0; zi < zonesAcross; zi++) {
      const n = zj * zonesAcross + zi;
      const ring = grid.blockRing(zi * ZONE_CELLS, zj * ZONE_CELLS, Math.min(grid.columns, (zi + 1) * ZONE_CELLS), Math.min(grid.rows, (zj + 1) * ZONE_CELLS));
      const year = 2019 + (n % 6);
      const properties = {
        zone_code: `PM-R-${String(n).padStart(5, '0')}`, phase: 1 + (n % 3), status: ZONE_STATUSES[(n * 7) % 5],
        planned_start: `${year}-01-01`, planned_end: `${year + 1}-06-30`, operator: 'Bench Opérateur', technology: 'FttH', premises: 0,
      };
      // GeoJSON rings are anticlockwise (RFC 7946): the grid's clockwise ring reversed.
      const feature = { type: 'Feature', properties, geometry: { type: 'Polygon', coordinates: [ring.reverse()] } };
      zones.line(`${n === 0 ? '' : ','}${JSON.stringify(feature)}`);
    }
  }
  zones.line(']}');
  zones.close();
  log(`  fibre zones: ${(zonesAcross * zonesDown).toLocaleString('en')}`);

  const premises = new TextFile(files.premises);
  premises.line('premise_id;ban_id;address;status;pm_ref;operator;updated_on;source;lon;lat');
  for (let m = 0; m < spec.premises; m++) {
    const a = grid.address(Math.floor((m * spec.addresses) / spec.premises));
    const zone = Math.floor(a.parcel.j / ZONE_CELLS) * zonesAcross + Math.floor(a.parcel.i / ZONE_CELLS);
    premises.line(`IMB/${a.parcel.commune.code}/X/${m.toString(36).toUpperCase().padStart(6, '0')};${a.id};` +
      `${a.numero}${a.rep ? ` ${a.rep}` : ''} ${a.nomVoie}, ${a.parcel.commune.name};${PREMISE_STATUSES[(m * 7) % 6]};` +
      `PM-R-${String(zone).padStart(5, '0')};Bench Opérateur;2026-09-30;bench;${round7(a.lon + 0.00002)};${a.lat}`);
    progress('premises', m + 1, spec.premises);
  }
  premises.close();
  return files;
}

/** The territory's communes, each its block's outline (the parcels on its edge share its vertices), as GeoJSON polygons. */
export function* regionCommunes(spec: RegionSpec): Generator<{ code: string; name: string; geometry: string }> {
  const grid = new RegionGrid(spec);
  for (let cj = 0; cj < grid.communesDown; cj++) {
    for (let ci = 0; ci < grid.communesAcross; ci++) {
      const a0 = ci * COMMUNE_CELLS;
      const b0 = cj * COMMUNE_CELLS;
      // The last row of cells may be short: a commune there only reaches as far as its parcels.
      const lastRowCells = grid.spec.parcels - (grid.rows - 1) * grid.columns;
      const b1 = Math.min(grid.rows - (a0 >= lastRowCells ? 1 : 0), b0 + COMMUNE_CELLS);
      if (b1 <= b0) continue;
      const { code, name } = grid.commune(a0, b0);
      const ring = grid.blockRing(a0, b0, Math.min(grid.columns, a0 + COMMUNE_CELLS), b1).reverse();
      yield { code, name, geometry: JSON.stringify({ type: 'Polygon', coordinates: [ring] }) };
    }
  }
}
