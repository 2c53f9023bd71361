// Emptying a layer on purpose: only admins, only when confirmed, in one transaction, audited, and
// never a layer other rows still point at (a zone's lots); the import modes never empty a layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { tableChecksum } from './helpers/import-fixtures.ts';

let server: TestServer;
let staff: StaffSession;
let admin: StaffSession;

beforeAll(async () => {
  server = await startTestServer();
  staff = await createStaffSession(server);
  admin = await createStaffSession(server, 'admin');
});
afterAll(async () => server?.close());

const empty = (layer: string, body: unknown, session: StaffSession | null = admin) =>
  fetch(`${server.url}/api/layers/${layer}/empty`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}) },
  });
const count = async (layer: string) => (await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${layer}`)).rows[0]!.n;

describe('POST /api/layers/{id}/empty', () => {
  it('refuses anonymous requests, staff who are not admins, unconfirmed requests and unknown layers, deleting nothing', async () => {
    const before = await tableChecksum(server.db, 'wifi_hotspots');
    expect((await empty('wifi_hotspots', { confirm: true }, null)).status).toBe(401);
    expect((await empty('wifi_hotspots', { confirm: true }, staff)).status).toBe(403);
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
    expect(rows).toEqual([{ action: 'layer_emptied', layer: 'wifi_hotspots', email: admin.email, details: { deleted: before, via: 'api', reason: 'nouveau marché wifi' } }]);
  });

  it('refuses to empty the business zones while lots still belong to them, keeping zones and lots', async () => {
    const zones = await tableChecksum(server.db, 'business_zones');
    const lots = await tableChecksum(server.db, 'zone_lots');
    expect(await count('zone_lots')).toBeGreaterThan(0);
    const res = await empty('business_zones', { confirm: true });
    expect(res.status).toBe(409);
    expect((await res.json()).description).toMatch(/business_zones cannot be emptied: zone_lots still refers to its features/);
    expect(await tableChecksum(server.db, 'business_zones')).toEqual(zones);
    expect(await tableChecksum(server.db, 'zone_lots')).toEqual(lots);
  });
});
