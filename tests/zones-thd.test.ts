// The search-to-answer journey and the THD label on the demo data as `npm start` seeds it:
// "12 Rue de la Gare, 35137 Bédée" is found and answered, and each demo zone has a label status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

describe('the demo data, from search to answer', () => {
  let server: TestServer;
  const json = async <T>(path: string): Promise<T> => {
    const res = await fetch(server.url + path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('finds "12 Rue de la Gare, 35137 Bédée" and answers for it with its premise', async () => {
    const found = await json<{ features: { id: string; properties: { label: string } }[] }>(
      `/api/geocode?q=${encodeURIComponent('12 rue de la gare bedee')}`,
    );
    expect(found.features[0]!.properties.label).toBe('12 Rue de la Gare, 35137 Bédée');
    const answer = await json<{ fibre: { status: string }; summary_fr: string }>(
      `/api/eligibility?address=${found.features[0]!.id}`,
    );
    const { rows } = await server.db.query<{ status: string }>('SELECT status FROM fibre_premises WHERE ban_id = $1', [found.features[0]!.id]);
    expect(rows).toHaveLength(1);
    // The demo puts it in a deployed sector, where premises are connectable, deployed or abandoned.
    const expected: Record<string, string> = { connectable: 'connectable', deployed: 'deployed', abandoned: 'not_planned' };
    expect(answer.fibre.status).toBe(expected[rows[0]!.status]);
    expect(answer.summary_fr).toContain('données opérateur du 30/09/2026');
  });

  it('gives every demo business zone a THD label status that agrees with its lots', async () => {
    const zones = await server.db.query<{ id: number; name: string; lots: number }>(
      'SELECT z.id, z.name, count(l.id)::int AS lots FROM business_zones z LEFT JOIN zone_lots l ON l.zone_id = z.id GROUP BY z.id ORDER BY z.id',
    );
    expect(zones.rows).toHaveLength(5);
    for (const zone of zones.rows) {
      const thd = await json<{ lots_total: number; lots_covered: number; share_by_count: number; label: boolean; threshold: number }>(
        `/api/zones/${zone.id}/thd`,
      );
      expect(thd.lots_total, zone.name).toBe(zone.lots);
      expect(thd.share_by_count).toBeCloseTo(thd.lots_covered / thd.lots_total, 3);
      if (thd.label) expect(thd.share_by_count).toBeGreaterThanOrEqual(thd.threshold);
    }
    // ZA de la Nouette lies in Bédée's deployed sectors; ZA du Pont Aven in Pleumeleuc's, in progress.
    expect((await json<{ label: boolean }>('/api/zones/1/thd')).label).toBe(true);
    const pontAven = zones.rows.find((z) => z.name === 'ZA du Pont Aven')!;
    expect((await json<{ label: boolean }>(`/api/zones/${pontAven.id}/thd`)).label).toBe(false);
  });
});
