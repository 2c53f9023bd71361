// Address, zone, lot and parcel search on the real app and database: ranking on a made-up address set
// (exact first; typos, accents, punctuation and word order still in the top 3), the JSON errors, and
// the parcel lookups by id and by point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureCollection, Point } from 'geojson';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

interface Found { id: string; properties: { kind: string; label: string; score: number; [key: string]: unknown }; geometry: Point; bbox?: number[] }

/** A made-up BAN address: [id, numero, rep, street, postcode, INSEE, commune]. Near-misses of the target on purpose. */
type Row = [string, number, string | null, string, string, string, string];
const TARGET = 'T35023_0090_00012';
const ADDRESSES: Row[] = [
  [TARGET, 12, null, 'Rue de la Gare', '35137', '35023', 'Bédée'],
  ['T35023_0090_00012_bis', 12, 'bis', 'Rue de la Gare', '35137', '35023', 'Bédée'],
  ['T35023_0090_00002', 2, null, 'Rue de la Gare', '35137', '35023', 'Bédée'],
  ['T35023_0090_00021', 21, null, 'Rue de la Gare', '35137', '35023', 'Bédée'],
  ['T35023_0095_00012', 12, null, 'Rue de la Garenne', '35137', '35023', 'Bédée'],
  ['T35040_0090_00012', 12, null, 'Rue de la Gare', '35160', '35040', 'Breteil'],
  ['T35227_0040_00012', 12, null, 'Avenue de la Gare', '35137', '35227', 'Pleumeleuc'],
  ['T35023_0140_00012', 12, null, 'Rue Saint-Éloi', '35137', '35023', 'Bédée'],
  ['T35188_0050_00005', 5, null, "Rue de l'Église", '35160', '35188', 'Montfort-sur-Meu'],
  ['T35133_0020_00003', 3, null, "Place de l'Église", '35750', '35133', 'Iffendic'],
  ['T35188_0070_00007', 7, null, 'Allée des Châtaigniers', '35160', '35188', 'Montfort-sur-Meu'],
  ['T35023_0150_00012', 12, null, 'Rue du Gué', '35137', '35023', 'Bédée'],
  ['T35188_0290_00001', 1, null, "Rue du Pas-d'Âne", '35160', '35188', 'Montfort-sur-Meu'],
  ['T35023_0160_00003', 3, null, 'Rue de Montfort', '35137', '35023', 'Bédée'],
];

describe('address, zone, lot and parcel search', () => {
  let server: TestServer;
  const search = async (q: string, limit = 10) => {
    const res = await fetch(`${server.url}/api/geocode?${new URLSearchParams({ q, limit: String(limit) })}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { type: string; features: Found[] };
  };
  const ids = async (q: string, limit = 10) => (await search(q, limit)).features.map((f) => f.id);

  beforeAll(async () => {
    server = await startTestServer();
    // The demo addresses are replaced by the made-up set, so that every rank below is known; the
    // demo zones, lots and parcels stay for the zone and cadastre searches.
    await server.db.query('DELETE FROM fibre_premises');
    await server.db.query('DELETE FROM addresses');
    await server.db.query(
      `INSERT INTO addresses (id, numero, rep, nom_voie, code_postal, code_insee, nom_commune, geom)
       SELECT r.id, r.numero, r.rep, r.nom_voie, r.code_postal, r.code_insee, r.nom_commune,
              ST_SetSRID(ST_MakePoint(-1.94 - r.n * 0.0001, 48.18), 4326)
         FROM json_to_recordset($1::json) AS r(id text, numero int, rep text, nom_voie text, code_postal text,
                                               code_insee text, nom_commune text, n int)`,
      [JSON.stringify(ADDRESSES.map(([id, numero, rep, nom_voie, code_postal, code_insee, nom_commune], n) =>
        ({ id, numero, rep, nom_voie, code_postal, code_insee, nom_commune, n })))],
    );
  });
  afterAll(async () => server?.close());

  it('answers a GeoJSON FeatureCollection whose address features carry the BAN id, a label and a score', async () => {
    const res = await fetch(`${server.url}/api/geocode?q=${encodeURIComponent('12 Rue de la Gare, 35137 Bédée')}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const body = (await res.json()) as { type: string; features: Found[] };
    expect(body.type).toBe('FeatureCollection');
    const [first] = body.features;
    expect(first!.id).toBe(TARGET);
    expect(first!.geometry.type).toBe('Point');
    expect(first!.properties).toMatchObject({
      kind: 'address', label: '12 Rue de la Gare, 35137 Bédée', score: 1, numero: 12, rep: null,
      nom_voie: 'Rue de la Gare', code_postal: '35137', code_insee: '35023', nom_commune: 'Bédée',
    });
  });

  it('ranks best first, scores between 0 and 1', async () => {
    const { features } = await search('12 rue de la gare bedee');
    const scores = features.map((f) => f.properties.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(Math.min(...scores)).toBeGreaterThan(0);
    expect(Math.max(...scores)).toBeLessThanOrEqual(1);
  });

  it.each([
    '12 Rue de la Gare, 35137 Bédée',
    '12 rue de la gare bedee',
    '12 RUE DE LA GARE BÉDÉE',
    '12, rue de la Gare — Bédée !',
    '12 r. de la gare bédée',
    'bédée gare 12',
  ])('puts the exact address first for "%s"', async (q) => {
    expect((await ids(q))[0]).toBe(TARGET);
  });

  it.each([
    '12 rue de la gaare bedee',
    '12 rue de la gare bdee',
    '12 reu de la gare bedee',
    '12 rue de la grae bédée',
    '12 rué dé la garé bêdée',
    'gare bedee 12 rue',
    '12 rue de la ga',
    '12 rue gare bedee france',
  ])('still finds the address in the top 3 for "%s"', async (q) => {
    expect((await ids(q, 3))).toContain(TARGET);
  });

  it('tells house numbers with bis apart from those without', async () => {
    expect((await ids('12bis rue de la gare bedee'))[0]).toBe('T35023_0090_00012_bis');
    expect((await ids('12 bis, rue de la Gare'))[0]).toBe('T35023_0090_00012_bis');
    const plain = await ids('12 rue de la gare bedee');
    expect(plain.indexOf(TARGET)).toBeLessThan(plain.indexOf('T35023_0090_00012_bis'));
  });

  it('finds the street of a house number that does not exist', async () => {
    const found = await ids('14 rue de la gare bedee');
    expect(found.length).toBeGreaterThan(0);
    expect(found).toContain(TARGET);
  });

  it('finds an address by words with an apostrophe and in another commune', async () => {
    expect((await ids("5 rue de l'eglise montfort"))[0]).toBe('T35188_0050_00005');
    expect((await ids('3 place eglise iffendic'))[0]).toBe('T35133_0020_00003');
  });

  it('puts the right street first despite two typos and a glued elision', async () => {
    // "pa dane" for Pas-d'Âne, "montfrot" for Montfort: "3 Rue de Montfort" has the number but not the street.
    expect((await ids('3 rue du pa dane montfrot'))[0]).toBe('T35188_0290_00001');
  });

  it('respects limit', async () => {
    expect((await search('rue', 2)).features).toHaveLength(2);
  });

  it('answers an empty collection when nothing is close', async () => {
    expect((await search('xyzzy plugh')).features).toEqual([]);
  });

  it('finds a business zone by its name, and a lot by zone name and number', async () => {
    const zone = await search('ZA de la Nouette');
    expect(zone.features[0]).toMatchObject({ id: 'zone-1', properties: { kind: 'business_zone', name: 'ZA de la Nouette', zone_id: 1 } });
    expect(zone.features[0]!.bbox).toHaveLength(4);

    const lot = await search('ZA de la Nouette lot 12');
    expect(lot.features[0]!.properties).toMatchObject({ kind: 'lot', lot_number: '12', zone_id: 1, zone_name: 'ZA de la Nouette' });
    expect(lot.features[0]!.properties.label).toBe('Lot 12, ZA de la Nouette (Bédée)');
    const { rows } = await server.db.query<{ id: number }>(`SELECT id FROM zone_lots WHERE zone_id = 1 AND lot_number = '12'`);
    expect(lot.features[0]!.id).toBe(`lot-${rows[0]!.id}`);

    expect((await search('nouete lot 12')).features[0]!.properties.kind).toBe('lot');
    expect((await search('bois de montfort')).features[0]!.properties.name).toBe("Parc d'activités du Bois de Montfort");
  });

  it('finds a parcel by commune, section and number, and by its cadastre id', async () => {
    const { rows } = await server.db.query<{ id: string; section: string; numero: string }>(
      `SELECT id, section, numero FROM parcels WHERE commune = '35023' ORDER BY id LIMIT 1`,
    );
    const parcel = rows[0]!;
    const short = `${parcel.section} ${Number(parcel.numero)}`;
    for (const q of [`Bédée ${short}`, `bedee ${parcel.section.toLowerCase()}${Number(parcel.numero)}`, `${short} Bédée`, parcel.id]) {
      const [first] = (await search(q)).features;
      expect(first, q).toMatchObject({ id: parcel.id, properties: { kind: 'parcel', parcel_id: parcel.id, commune: '35023' } });
      expect(first!.properties.label).toBe(`Parcelle ${short}, Bédée`);
    }
  });

  it.each([
    ['without q', ''],
    ['with an empty q', '?q='],
    ['with only punctuation', `?q=${encodeURIComponent('?!, -- ;')}`],
    ['with a q over 200 characters', `?q=${'gare'.repeat(51)}`],
    ['with limit 0', '?q=gare&limit=0'],
    ['with limit 21', '?q=gare&limit=21'],
    ['with a non-numeric limit', '?q=gare&limit=ten'],
    ['with q given twice', '?q=gare&q=rue'],
    ['with an unknown parameter', '?q=gare&type=address'],
  ])('answers a JSON 400 %s', async (_, query) => {
    const res = await fetch(`${server.url}/api/geocode${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; description: string };
    expect(body.code).toBe(query.includes('type=') ? 'InvalidParameter' : 'InvalidParameterValue');
    expect(body.description.length).toBeGreaterThan(0);
  });
});

describe('parcel lookup', () => {
  let server: TestServer;
  let parcel: { id: string; lon: number; lat: number };
  beforeAll(async () => {
    server = await startTestServer();
    const { rows } = await server.db.query<{ id: string; lon: number; lat: number }>(
      `SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM parcels ORDER BY id LIMIT 1`,
    );
    parcel = rows[0]!;
  });
  afterAll(async () => server?.close());

  it('gives a parcel by its 14-character cadastre id, as a Feature with its public properties', async () => {
    const res = await fetch(`${server.url}/api/parcels/${parcel.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { type: string; id: string; geometry: { type: string }; properties: Record<string, unknown> };
    expect(body).toMatchObject({ type: 'Feature', id: parcel.id, geometry: { type: 'MultiPolygon' } });
    expect(Object.keys(body.properties).sort()).toEqual(['commune', 'contenance', 'id', 'numero', 'prefixe', 'section']);
    expect((await fetch(`${server.url}/api/parcels/${parcel.id.toLowerCase()}`)).status).toBe(200);
  });

  it('gives the parcel under a clicked point, and none outside the cadastre', async () => {
    const hit = (await (await fetch(`${server.url}/api/parcels?lon=${parcel.lon}&lat=${parcel.lat}`)).json()) as FeatureCollection;
    expect(hit.features.map((f) => f.id)).toEqual([parcel.id]);
    const miss = (await (await fetch(`${server.url}/api/parcels?lon=-1.5&lat=48.1`)).json()) as FeatureCollection;
    expect(miss.features).toEqual([]);
  });

  it.each([
    ['/api/parcels/35023000AB012', 400],
    ['/api/parcels/not-a-parcel', 400],
    ['/api/parcels/35023000AB9999', 404],
    ['/api/parcels?lon=-1.9', 400],
    ['/api/parcels?lon=-1.9&lat=95', 400],
    ['/api/parcels?lon=west&lat=48', 400],
  ])('answers %s with a JSON %i', async (path, status) => {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { code: string }).code).toBeTruthy();
  });
});
