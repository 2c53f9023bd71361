// The search statement is prepared once per connection and keeps its plan (server/geocode/geocode-sql.ts):
// after an import replaces the parcels by swapping in a new table (the old one dropped, the new one
// renamed) and merges new addresses in place, the same connections answer from the new data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport } from '../data-import/pipeline.ts';
import { tempDir, writeText } from './helpers/import-fixtures.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

interface Found { id: string; properties: { kind: string; label: string } }

const NEW_PARCEL = '35023000ZZ0042';

describe('search after an import', () => {
  let server: TestServer;
  let tmp: ReturnType<typeof tempDir>;
  const search = async (q: string): Promise<Found[]> => {
    const res = await fetch(`${server.url}/api/geocode?${new URLSearchParams({ q })}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { features: Found[] }).features;
  };

  beforeAll(async () => {
    server = await startTestServer();
    tmp = tempDir();
  });
  afterAll(async () => {
    await server?.close();
    tmp?.cleanup();
  });

  it('answers from the swapped-in parcels and the merged addresses on the connections that searched before', async () => {
    // Every pooled connection prepares the statement first.
    await Promise.all(Array.from({ length: 8 }, () => search('rue de la gare')));

    const layers = createLayerRegistry();
    const parcels = writeText(join(tmp.dir, 'parcelles.csv'), ['id;commune;prefixe;section;numero;wkt',
      `${NEW_PARCEL};35023;000;ZZ;0042;POLYGON((-1.95 48.14,-1.95 48.1403,-1.9496 48.1403,-1.9496 48.14,-1.95 48.14))`].join('\n') + '\n');
    const swapped = await runImport(server.db, layers, { layer: 'parcels', file: parcels, mode: 'replace', srs: 'EPSG:4326', confirmed: true, rebuildMinRows: 1 });
    expect(swapped.status, swapped.message).toBe('succeeded');
    expect(swapped.swap).toBe('rebuild');

    const addresses = writeText(join(tmp.dir, 'adresses.csv'), ['id;numero;nom_voie;code_postal;code_insee;nom_commune;lon;lat',
      '35023_9999_00007;7;Rue des Essais Nouveaux;35137;35023;Bédée;-1.9498;48.1401'].join('\n') + '\n');
    const merged = await runImport(server.db, layers, { layer: 'addresses', file: addresses, mode: 'append' });
    expect(merged.status, merged.message).toBe('succeeded');

    for (let i = 0; i < 8; i++) {
      const [parcel, address] = await Promise.all([search(NEW_PARCEL), search('7 rue des essais nouveaux bedee')]);
      expect(parcel[0]).toMatchObject({ id: NEW_PARCEL, properties: { kind: 'parcel' } });
      expect(address[0]).toMatchObject({ id: '35023_9999_00007', properties: { kind: 'address', label: '7 Rue des Essais Nouveaux, 35137 Bédée' } });
    }
  });
});
