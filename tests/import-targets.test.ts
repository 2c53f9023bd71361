// GET /api/imports/targets: what the console's import form offers — importable layers only, the
// modes each accepts (upsert only with a natural key, lots only by upsert) and their built-in profiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';

let server: TestServer;
let staff: StaffSession;

beforeAll(async () => {
  server = await startTestServer();
  staff = await createStaffSession(server);
});
afterAll(async () => {
  await server?.close();
});

interface Target {
  layer: string;
  title: { fr: string; en: string };
  key: string | null;
  modes: string[];
  profiles: { name: string; description?: string }[];
}

async function targets(): Promise<Target[]> {
  const res = await fetch(`${server.url}/api/imports/targets`, { headers: { cookie: staff.cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return ((await res.json()) as { targets: Target[] }).targets;
}

describe('GET /api/imports/targets', () => {
  it('is for staff only', async () => {
    const res = await fetch(`${server.url}/api/imports/targets`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'Unauthorized' });
  });

  it('lists exactly the layers an import may target, each with its modes and the profiles written for it', async () => {
    const list = await targets();
    const byLayer = new Map(list.map((t) => [t.layer, t]));
    const importable = createLayerRegistry().all.filter((l) => l.import).map((l) => l.id);
    expect(list.map((t) => t.layer)).toEqual([...importable, 'zone_lots']);
    expect(byLayer.has('incidents')).toBe(false);
    // A layer without a natural key cannot be upserted into.
    expect(byLayer.get('wifi_hotspots')).toMatchObject({ key: null, modes: ['replace', 'append'], title: { fr: 'Wifi public', en: 'Public wifi' } });
    expect(byLayer.get('wifi_hotspots')!.profiles.map((p) => p.name)).toEqual(['wifi-hotspots']);
    expect(byLayer.get('fibre_premises')).toMatchObject({ key: 'premise_id', modes: ['replace', 'append', 'upsert'] });
    expect(byLayer.get('fibre_premises')!.profiles.map((p) => p.name).sort()).toEqual(['arcep-immeubles', 'gracethd-adresse']);
    expect(byLayer.get('zone_lots')).toMatchObject({ key: 'zone_code, lot_number', modes: ['upsert'] });
  });

  it('is not taken for an import run id', async () => {
    const res = await fetch(`${server.url}/api/imports/targetz`, { headers: { cookie: staff.cookie } });
    expect(res.status).toBe(404);
  });
});
