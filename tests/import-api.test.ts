// POST /api/imports and GET /api/imports/:id against the real app: staff only, the same pipeline
// and summary as the CLI, 422 with the summary for a file that fails, nothing written then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { ESRI_PRJ, project, squareRing, tableChecksum, tempDir, writeShapefile, zipFiles } from './helpers/import-fixtures.ts';

let server: TestServer;
let staff: StaffSession;
let tmp: ReturnType<typeof tempDir>;
let zsroZip: string;

/** GraceTHD t_zsro as a zipped CP1252 shapefile in Lambert-93, one zone per status code. */
async function writeZsro(name: string, statuses: string[]): Promise<string> {
  const [x, y] = await project(server.db, 2154, -1.9614, 48.1266);
  const shp = writeShapefile(
    {
      base: join(tmp.dir, name), kind: 'polygon', encoding: 'windows-1252', cpg: '1252', prj: ESRI_PRJ[2154],
      fields: [{ name: 'zs_code', type: 'C', length: 20 }, { name: 'zs_etatpm', type: 'C', length: 2 }, { name: 'zs_nblogmt', type: 'N', length: 6 }],
    },
    statuses.map((status, i) => ({ geometry: [squareRing(x + 600 * i, y, 500)], attributes: { zs_code: `ZS-${i}`, zs_etatpm: status, zs_nblogmt: 100 + i } })),
  );
  return zipFiles(join(tmp.dir, `${name}.zip`), ['shp', 'shx', 'dbf', 'prj', 'cpg'].map((ext) => shp.replace(/shp$/, ext)));
}

function form(file: string | undefined, fields: Record<string, string>): FormData {
  const body = new FormData();
  if (file) body.set('file', new Blob([readFileSync(file)]), file.split('/').pop());
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  return body;
}

const post = (body: FormData, session: StaffSession | null = staff, csrf = true) =>
  fetch(`${server.url}/api/imports`, {
    method: 'POST',
    body,
    headers: session ? { cookie: session.cookie, ...(csrf ? { 'x-csrf-token': session.csrf } : {}) } : {},
  });

beforeAll(async () => {
  server = await startTestServer();
  staff = await createStaffSession(server);
  tmp = tempDir();
  zsroZip = await writeZsro('t_zsro', ['DP', 'EC', 'PL']);
});
afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

describe('POST /api/imports', () => {
  it('refuses anonymous uploads (401) and uploads without the CSRF token (403), before storing anything', async () => {
    const anonymous = await post(form(zsroZip, { mode: 'replace', confirm: 'true', layer: 'fibre_phases' }), null);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'Unauthorized' });
    const noCsrf = await post(form(zsroZip, { mode: 'replace', confirm: 'true', layer: 'fibre_phases' }), staff, false);
    expect(noCsrf.status).toBe(403);
  });

  it('imports a zipped GraceTHD shapefile through the same pipeline and returns the summary, readable again by id', async () => {
    const res = await post(form(zsroZip, { mode: 'replace', confirm: 'true', layer: 'fibre_phases', mapping: 'gracethd-zsro' }));
    const summary = await res.json();
    expect(res.status, JSON.stringify(summary)).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/imports/${summary.id}`);
    expect(summary).toMatchObject({
      status: 'succeeded', layer: 'fibre_phases', file: 't_zsro.zip', mapping: 'gracethd-zsro', format: 'shapefile', member: 't_zsro',
      encoding: 'windows-1252 (cpg)', counts: { read: 3, loaded: 3, rejected: 0 }, method: server.db.kind === 'postgis' ? 'copy' : 'insert',
    });
    const stored = await server.db.query('SELECT zone_code, status FROM fibre_phases ORDER BY zone_code');
    expect(stored.rows).toEqual([
      { zone_code: 'ZS-0', status: 'deployed' }, { zone_code: 'ZS-1', status: 'in_progress' }, { zone_code: 'ZS-2', status: 'planned' },
    ]);
    const again = await fetch(`${server.url}${res.headers.get('location')}`, { headers: { cookie: staff.cookie } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: summary.id, status: 'succeeded', counts: summary.counts, diff: summary.diff, srs: summary.srs });
    const list = await fetch(`${server.url}/api/imports?layer=fibre_phases&limit=5`, { headers: { cookie: staff.cookie } });
    expect((await list.json()).imports[0]).toMatchObject({ id: summary.id });
  });

  it('answers 422 with the summary for a file that fails, and leaves the layer untouched', async () => {
    const before = await tableChecksum(server.db, 'fibre_phases');
    const bad = await writeZsro('t_zsro_bad', ['DP', 'XX']);
    const res = await post(form(bad, { mode: 'replace', confirm: 'true', layer: 'fibre_phases', mapping: 'gracethd-zsro' }));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body).toMatchObject({ code: 'ImportFailed', import: { status: 'failed', counts: { rejected: 1 } } });
    expect(body.import.errors[0]).toEqual({ row: 2, reason: expect.stringMatching(/^status: "XX" is not in its code list \(PL, EC, DP, AB, /) });
    expect(await tableChecksum(server.db, 'fibre_phases')).toEqual(before);
    const run = await fetch(`${server.url}/api/imports/${body.import.id}`, { headers: { cookie: staff.cookie } });
    expect(await run.json()).toMatchObject({ status: 'failed', message: body.description });
  });

  it('answers 400 for bad options and never reads a mapping from a server path', async () => {
    for (const [fields, pattern] of [
      [{ layer: 'nowhere', mode: 'replace' }, /not a layer you can import into/],
      [{ layer: 'fibre_phases', mode: 'replace', mapping: '/etc/passwd' }, /built-in profile/],
      [{ layer: 'fibre_phases', mode: 'merge' }, /"mode" is required, one of/],
      [{ layer: 'fibre_phases' }, /"mode" is required, one of/],
      [{ layer: 'fibre_phases', mode: 'replace', max_errors: '-1' }, /max_errors/],
      [{ layer: 'fibre_phases', extra: 'x' }, /unknown form field "extra"/],
    ] as const) {
      const res = await post(form(zsroZip, fields));
      expect(res.status).toBe(400);
      expect((await res.json()).description).toMatch(pattern);
    }
    const noFile = await post(form(undefined, { layer: 'fibre_phases' }));
    expect(noFile.status).toBe(400);
  });

  it('accepts a mapping sent as JSON', async () => {
    const mapping = JSON.stringify({ name: 'custom', fields: { zs_code: 'zone_code', zs_etatpm: 'status' }, values: { status: { DP: 'deployed', EC: 'in_progress', PL: 'study' } } });
    const res = await post(form(zsroZip, { mode: 'replace', confirm: 'true', layer: 'fibre_phases', mapping, dry_run: 'true' }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ mapping: 'custom', dryRun: true, diff: { changed: 3, transitions: { status: { 'planned → study': 1 } } } });
  });
});

describe('GET /api/imports/:id', () => {
  it('is for staff only and answers 404 for an unknown run', async () => {
    expect((await fetch(`${server.url}/api/imports/1`)).status).toBe(401);
    const missing = await fetch(`${server.url}/api/imports/999999`, { headers: { cookie: staff.cookie } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NotFound' });
    expect((await fetch(`${server.url}/api/imports/abc`, { headers: { cookie: staff.cookie } })).status).toBe(404);
  });
});
