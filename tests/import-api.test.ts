// POST /api/imports and GET /api/imports/:id against the real app: staff only, an upload answered
// 202 at once and run as a job through the same pipeline as the CLI, the job's report readable by
// id; 422 with the summary (in HTTP terms) for a file that fails, nothing written then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpWording } from '../server/imports/imports.routes.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { ESRI_PRJ, project, squareRing, tableChecksum, tempDir, writeShapefile, zipFiles } from './helpers/import-fixtures.ts';
import { eventually, importForm as form, postImport, waitForEnd } from './helpers/import-jobs.ts';

let server: TestServer;
let staff: StaffSession;
let tmp: ReturnType<typeof tempDir>;
let zsroZip: string;

/** GraceTHD t_zsro as a zipped CP1252 shapefile in Lambert-93 (with or without its .prj), one zone per status code. */
async function writeZsro(name: string, statuses: string[], prj = true): Promise<string> {
  const [x, y] = await project(server.db, 2154, -1.9614, 48.1266);
  const shp = writeShapefile(
    {
      base: join(tmp.dir, name), kind: 'polygon', encoding: 'windows-1252', cpg: '1252', ...(prj ? { prj: ESRI_PRJ[2154] } : {}),
      fields: [{ name: 'zs_code', type: 'C', length: 20 }, { name: 'zs_etatpm', type: 'C', length: 2 }, { name: 'zs_nblogmt', type: 'N', length: 6 }],
    },
    statuses.map((status, i) => ({ geometry: [squareRing(x + 600 * i, y, 500)], attributes: { zs_code: `ZS-${i}`, zs_etatpm: status, zs_nblogmt: 100 + i } })),
  );
  return zipFiles(join(tmp.dir, `${name}.zip`), ['shp', 'shx', 'dbf', ...(prj ? ['prj'] : []), 'cpg'].map((ext) => shp.replace(/shp$/, ext)));
}

const post = (body: FormData, session: StaffSession | null = staff, csrf = true) => postImport(server, body, session, csrf);

/** Uploads, expects 202 with the job's Location, and waits for the job to end. */
async function importAndWait(body: FormData) {
  const res = await post(body);
  const queued = await res.json();
  expect(res.status, JSON.stringify(queued)).toBe(202);
  expect(res.headers.get('location')).toBe(`/api/imports/${queued.id}`);
  return { queued, ...(await waitForEnd(server, staff, queued.id)) };
}

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

  it('answers 202 at once with the queued job, runs it in the background and reports it by id, as the CLI would', async () => {
    const { queued, status, job } = await importAndWait(form(zsroZip, { mode: 'replace', confirm: 'true', layer: 'fibre_phases', mapping: 'gracethd-zsro' }));
    expect(queued).toMatchObject({ status: expect.stringMatching(/^(queued|running)$/), layer: 'fibre_phases', file: 't_zsro.zip', cancelRequested: false });
    expect(status).toBe(200);
    expect(job).toMatchObject({
      id: queued.id, status: 'succeeded', phase: 'done', layer: 'fibre_phases', file: 't_zsro.zip', mapping: 'gracethd-zsro', format: 'shapefile',
      member: 't_zsro', encoding: 'windows-1252 (cpg)', counts: { read: 3, loaded: 3, rejected: 0 }, method: server.db.kind === 'postgis' ? 'copy' : 'insert',
    });
    // The coordinate system is traced to the archive's own .prj, by its name.
    expect(job.srs).toBe('EPSG:2154 (t_zsro.prj (EPSG:2154))');
    const stored = await server.db.query('SELECT zone_code, status FROM fibre_phases ORDER BY zone_code');
    expect(stored.rows).toEqual([
      { zone_code: 'ZS-0', status: 'deployed' }, { zone_code: 'ZS-1', status: 'in_progress' }, { zone_code: 'ZS-2', status: 'planned' },
    ]);
    const list = await fetch(`${server.url}/api/imports?layer=fibre_phases&limit=5`, { headers: { cookie: staff.cookie } });
    expect((await list.json()).imports[0]).toMatchObject({ id: queued.id, status: 'succeeded' });
    await eventually(() => readdirSync(server.config.importDir).length === 0, 'removed the upload');
  });

  it('answers 422 on GET with the summary for a file that fails, and leaves the layer untouched', async () => {
    const before = await tableChecksum(server.db, 'fibre_phases');
    const bad = await writeZsro('t_zsro_bad', ['DP', 'XX']);
    const { status, body, job } = await importAndWait(form(bad, { mode: 'replace', confirm: 'true', layer: 'fibre_phases', mapping: 'gracethd-zsro' }));
    expect(status).toBe(422);
    expect(body).toMatchObject({ code: 'ImportFailed', import: { status: 'failed', phase: 'failed', fault: 'file', counts: { rejected: 1 } } });
    expect(job.errors[0]).toEqual({ row: 2, reason: expect.stringMatching(/^status: "XX" is not in its code list \(PL, EC, DP, AB, /) });
    expect(body.description).toBe(job.message);
    expect(body.description).toMatch(/max_errors=0/);
    expect(await tableChecksum(server.db, 'fibre_phases')).toEqual(before);
  });

  it('tells what to send in HTTP terms, never as a command-line flag', async () => {
    const noPrj = await writeZsro('t_zsro_noprj', ['DP'], false);
    const { status, body } = await importAndWait(form(noPrj, { mode: 'replace', confirm: 'true', layer: 'fibre_phases', mapping: 'gracethd-zsro' }));
    expect(status).toBe(422);
    expect(body.description).toMatch(/srs=EPSG:n/);
    expect(body.description).not.toMatch(/--/);
    expect(httpWording('choose one with --member')).toBe('choose one with the form field "member"');
    expect(httpWording('pass --encoding windows-1252 (or the right one)')).toBe('pass encoding=windows-1252 (or the right one)');
    expect(httpWording('run with --dry-run, then --yes')).toBe('run with dry_run=true, then confirm=true');
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
    const { status, job } = await importAndWait(form(zsroZip, { mode: 'replace', confirm: 'true', layer: 'fibre_phases', mapping, dry_run: 'true' }));
    expect(status).toBe(200);
    expect(job).toMatchObject({ mapping: 'custom', dryRun: true, diff: { changed: 3, transitions: { status: { 'planned → study': 1 } } } });
  });
});

describe('lots over HTTP', () => {
  it('runs a lot import by (zone code, lot number) as a job too, and refuses it in another mode than upsert (400)', async () => {
    const lot = (await server.db.query<{ zone_code: string; lot_number: string; wkt: string }>(
      `SELECT z.code AS zone_code, l.lot_number, ST_AsText(ST_GeometryN(l.geom, 1)) AS wkt
         FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE l.status = 'available' ORDER BY l.id LIMIT 1`)).rows[0]!;
    const csv = join(tmp.dir, 'lots.csv');
    writeFileSync(csv, `zone;lot;status;wkt\n${lot.zone_code};${lot.lot_number};available;${lot.wkt}\n`);
    const mapping = JSON.stringify({ name: 'lots-test', geometry: { wkt: 'wkt' }, fields: { zone: 'zone_code', lot: 'lot_number' } });
    const refused = await post(form(csv, { layer: 'zone_lots', mode: 'replace', mapping, srs: 'EPSG:4326' }));
    expect(refused.status).toBe(400);
    expect((await refused.json()).description).toMatch(/upsert/);
    const { status, job } = await importAndWait(form(csv, { layer: 'zone_lots', mode: 'upsert', mapping, srs: 'EPSG:4326', dry_run: 'true' }));
    expect(status, JSON.stringify(job)).toBe(200);
    expect(job).toMatchObject({ status: 'succeeded', layer: 'zone_lots', dryRun: true, counts: { read: 1, loaded: 1, rejected: 0 } });
  });
});

describe('GET /api/imports/:id', () => {
  it('is for staff only and answers 404 for an unknown run; cancelling needs the CSRF token too', async () => {
    expect((await fetch(`${server.url}/api/imports/1`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/imports/1`, { method: 'DELETE', headers: { cookie: staff.cookie } })).status).toBe(403);
    const gone = await fetch(`${server.url}/api/imports/999999/cancel`, { method: 'POST', headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf } });
    expect(gone.status).toBe(404);
    const missing = await fetch(`${server.url}/api/imports/999999`, { headers: { cookie: staff.cookie } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NotFound' });
    expect((await fetch(`${server.url}/api/imports/abc`, { headers: { cookie: staff.cookie } })).status).toBe(404);
  });
});
