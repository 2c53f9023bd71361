// GET /api/layers/{id}: the whole layer description the staff console builds its forms from, private
// fields included for staff only, and GET /layers still without them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';

type Field = { name: string; public?: boolean; computed?: boolean; required?: boolean; values?: { value: string; color?: string }[] };

describe('the staff layer description', () => {
  let server: TestServer;
  let staff: StaffSession;
  const get = (path: string, session?: StaffSession) => fetch(server.url + path, { headers: session ? { cookie: session.cookie } : {} });

  beforeAll(async () => {
    server = await startTestServer();
    staff = await createStaffSession(server);
  });
  afterAll(async () => server?.close());

  it('gives staff every field of the lots with its privacy, requirement and computation', async () => {
    const res = await get('/api/layers/zone_lots', staff);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('private');
    const { fields, legend } = (await res.json()) as { fields: Field[]; legend: { value: string; color: string }[] };
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('occupant_name')).toMatchObject({ public: false });
    expect(byName.get('notes')).toMatchObject({ public: false });
    expect(byName.get('status')).toMatchObject({ public: true, required: true });
    expect(byName.get('area_m2')).toMatchObject({ computed: true });
    expect(byName.get('status')!.values!.map((v) => v.value)).toEqual(legend.map((l) => l.value));
  });

  it('refuses anonymous readers and keeps private fields out of the public description', async () => {
    const anonymous = await get('/api/layers/zone_lots');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'Unauthorized' });
    const { layers } = (await (await get('/layers')).json()) as { layers: { id: string; fields: Field[] }[] };
    const lots = layers.find((l) => l.id === 'zone_lots')!;
    expect(lots.fields.map((f) => f.name)).not.toContain('occupant_name');
    expect(lots.fields.every((f) => f.public === undefined)).toBe(true);
  });

  it('answers 404 with a JSON reason for an unknown layer', async () => {
    const res = await get('/api/layers/no_such_layer', staff);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { description: string }).description).toContain('no_such_layer');
  });
});
