// Emptying a layer on purpose: only staff, only when confirmed, in one transaction, audited; the
// import modes never empty a layer by themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { tableChecksum } from './helpers/import-fixtures.ts';

let server: TestServer;
let staff: StaffSession;

beforeAll(async () => {
  server = await startTestServer();
  staff = await createStaffSession(server);
});
afterAll(async () => server?.close());

const empty = (layer: string, body: unknown, session: StaffSession | null = staff) =>
  fetch(`${server.url}/api/layers/${layer}/empty`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}) },
  });
const count = async (layer: string) => (await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${layer}`)).rows[0]!.n;

describe('POST /api/layers/{id}/empty', () => {
  it('refuses anonymous requests, unconfirmed ones and unknown layers, deleting nothing', async () => {
    const before = await tableChecksum(server.db, 'wifi_hotspots');
    expect((await empty('wifi_hotspots', { confirm: true }, null)).status).toBe(401);
    const unconfirmed = await empty('wifi_hotspots', { confirm: 'yes' });
    expect(unconfirmed.status).toBe(400);
    expect((await unconfirmed.json()).description).toMatch(/^confirm: send \{"confirm": true\}/);
    expect((await empty('secrets', { confirm: true })).status).toBe(404);
    expect(await tableChecksum(server.db, 'wifi_hotspots')).toEqual(before);
  });

  it('deletes every feature of the layer and records who did it, how many and why', async () => {
    const before = await count('wifi_hotspots');
    expect(before).toBeGreaterThan(0);
    const res = await empty('wifi_hotspots', { confirm: true, reason: 'nouveau marché wifi' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ layer: 'wifi_hotspots', deleted: before });
    expect(await count('wifi_hotspots')).toBe(0);
    const { rows } = await server.db.query(
      `SELECT a.action, a.layer, a.details, u.email FROM audit_log a JOIN users u ON u.id = a.user_id WHERE a.action = 'layer_emptied'`,
    );
    expect(rows).toEqual([{ action: 'layer_emptied', layer: 'wifi_hotspots', email: staff.email, details: { deleted: before, via: 'api', reason: 'nouveau marché wifi' } }]);
  });
});
