// Import jobs against the real app: a 50,000-point upload (200,000 on PostGIS) runs in its own
// process while tiles, OGC requests and /ready are answered; a second import into the same layer
// is refused (409) while it runs, one into another layer waits its turn; it can be cancelled; a server fault (a table dropped under it,
// its process killed) is reported as the server's; a restart fails the job it cut short. The live
// layer is never touched by a job that does not succeed. Fixtures are CSV files written here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { tileAt, tilePath } from './helpers/tile-golden.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { tableChecksum, tempDir, writeText } from './helpers/import-fixtures.ts';
import { ended, eventually, getJob, importForm, pollJob, postImport, waitForEnd } from './helpers/import-jobs.ts';
import type { ImportJob, ImportPhase } from '../data-import/import-summary.ts';

let server: TestServer;
let staff: StaffSession;
let tmp: ReturnType<typeof tempDir>;
let bigCsv: string;
/** Features in the big upload: enough to keep a job busy for a while on either database. */
let POINTS: number;

/** Fibre premises around Montfort-sur-Meu as a lon/lat CSV (about 60 bytes each). */
function writePremises(path: string, count: number): string {
  const lines = ['premise_id,status,address,lon,lat'];
  const statuses = ['deployed', 'in_progress', 'target', 'signed', 'connectable'];
  for (let n = 0; n < count; n++) {
    lines.push(`IMB/35188/J/${n.toString(36).toUpperCase().padStart(5, '0')},${statuses[n % 5]},${1 + (n % 90)} rue de Montfort,` +
      `${(-1.99 + (n % 250) * 0.0002).toFixed(6)},${(48.11 + Math.floor(n / 250) * 0.0002).toFixed(6)}`);
  }
  return writeText(path, lines.join('\n') + '\n');
}

const replacePremises = (file = bigCsv) => importForm(file, { layer: 'fibre_premises', mode: 'replace', confirm: 'true' });

/** Submits the big replace and waits until the job is at work: reading with some progress, or checking. */
async function startBigImport(target: TestServer = server): Promise<number> {
  const res = await postImport(target, replacePremises(), staff);
  const job = await res.json();
  expect(res.status, JSON.stringify(job)).toBe(202);
  await pollJob(target, staff, job.id, (j) => j.status === 'running' && ((j.phase === 'reading' && j.progress.done > 0) || j.phase === 'checking'), 'at work');
  return job.id;
}

/** Pids of this process's import job processes, read from /proc (Linux). */
function jobProcesses(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('import-job-boot');
    } catch {
      return false; // gone meanwhile
    }
  });
}

const stageExists = async (id: number) =>
  (await server.db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`import_stage_${id}`])).rows[0]!.t !== null;

beforeAll(async () => {
  server = await startTestServer();
  staff = await createStaffSession(server);
  tmp = tempDir();
  // PostGIS reads and checks far faster than the embedded database: a bigger file keeps it busy as long.
  POINTS = server.db.kind === 'postgis' ? 200_000 : 50_000;
  bigCsv = writePremises(join(tmp.dir, 'premises.csv'), POINTS);
});
afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

describe('import jobs', () => {
  it('answers tiles, OGC requests and /ready while a large import runs, and shows its phases and progress', async () => {
    const id = await startBigImport();
    const [tile, items, ready] = await Promise.all([
      fetch(`${server.url}${tilePath('fibre_premises', tileAt(-1.9614, 48.1266, 15))}`),
      fetch(`${server.url}/ogc/collections/fibre_premises/items?limit=10`),
      fetch(`${server.url}/ready`),
    ]);
    const during = await getJob(server, staff, id);
    expect([200, 204]).toContain(tile.status);
    expect(items.status).toBe(200);
    expect((await items.json()).features.length).toBeGreaterThan(0);
    expect(ready.status).toBe(200);
    // Answered while the job was still at work, not after it.
    expect(during.job.status).toBe('running');

    const phases = new Set<ImportPhase>(['reading']);
    let last: ImportJob | undefined;
    await pollJob(server, staff, id, (job) => {
      phases.add(job.phase);
      if (last && job.phase === last.phase) expect(job.progress.done).toBeGreaterThanOrEqual(last.progress.done);
      last = job;
      return ended(job);
    }, 'ended');
    const { status, job } = await getJob(server, staff, id);
    expect(status).toBe(200);
    expect(job).toMatchObject({ status: 'succeeded', phase: 'done', counts: { read: POINTS, loaded: POINTS, rejected: 0 } });
    expect(phases).toContain('checking');
    expect(await tableChecksum(server.db, 'fibre_premises')).toMatchObject({ n: POINTS });
    expect(await stageExists(id)).toBe(false);
    // A whole 50,000-feature import on the embedded database: the default minute guards against a
    // hang, not this run's length on a busy machine.
  }, 240_000);

  it('refuses a second import into a layer that has one running (409), and cancels the first, leaving the layer as it was', async () => {
    const before = await tableChecksum(server.db, 'fibre_premises');
    const id = await startBigImport();
    const second = await postImport(server, replacePremises(), staff);
    expect(second.status).toBe(409);
    expect((await second.json()).description).toMatch(new RegExp(`run #${id}`));

    const cancel = await fetch(`${server.url}/api/imports/${id}`, { method: 'DELETE', headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf } });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toMatchObject({ id, cancelRequested: true });
    const { status, job } = await waitForEnd(server, staff, id);
    expect(status).toBe(200);
    expect(job).toMatchObject({ status: 'cancelled', phase: 'cancelled' });
    expect(await tableChecksum(server.db, 'fibre_premises')).toEqual(before);
    expect(await stageExists(id)).toBe(false);
    await eventually(() => readdirSync(server.config.importDir).length === 0, 'removed the upload');
    const again = await fetch(`${server.url}/api/imports/${id}/cancel`, { method: 'POST', headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf } });
    expect(again.status).toBe(202);
  });

  it('runs at most IMPORT_MAX_JOBS jobs at once and queues the others, which run in their turn', async () => {
    const single = await startTestServer({ db: server.db, env: { IMPORT_MAX_JOBS: '1' } });
    try {
      const first = await startBigImport(single);
      const hotspots = writeText(join(tmp.dir, 'hotspots.csv'), 'name,kind,status,lon,lat\nKiosque,outdoor,active,-1.95,48.13\n');
      const res = await postImport(single, importForm(hotspots, { layer: 'wifi_hotspots', mode: 'append' }), staff);
      const second = await res.json();
      expect(res.status).toBe(202);
      expect(second).toMatchObject({ status: 'queued', phase: 'queued' });
      expect((await getJob(single, staff, first)).job.status).toBe('running');
      expect((await waitForEnd(single, staff, second.id)).job).toMatchObject({ status: 'succeeded', counts: { loaded: 1 } });
      expect((await getJob(single, staff, first)).job.status).toBe('succeeded');
    } finally {
      await single.close();
    }
  });

  it('reports a server fault (its staging table dropped under it) as the server’s, not the file’s, and counts it', async () => {
    const before = await tableChecksum(server.db, 'fibre_premises');
    const id = await startBigImport();
    await server.db.query(`DROP TABLE import_stage_${id}`);
    const { status, body, job } = await waitForEnd(server, staff, id);
    expect(status).toBe(500);
    expect(body).toMatchObject({ code: 'ImportServerError' });
    expect(job).toMatchObject({ status: 'failed', phase: 'failed', fault: 'server' });
    expect(job.message).toMatch(/nothing was changed/);
    // No SQL leaks into what the client sees.
    expect(JSON.stringify(body)).not.toMatch(/import_stage|relation/);
    expect(await tableChecksum(server.db, 'fibre_premises')).toEqual(before);
    const metric = /websig_import_jobs_total\{status="failed",fault="server"\} 1/;
    await eventually(async () => metric.test(await (await fetch(`${server.url}/metrics`)).text()), 'counted the server fault');
  });

  it('ends a job whose process was killed (SIGKILL) failed by the server’s fault, with the layer intact', async () => {
    const before = await tableChecksum(server.db, 'fibre_premises');
    const id = await startBigImport();
    const [pid, ...others] = jobProcesses();
    expect(others).toEqual([]);
    process.kill(pid!, 'SIGKILL');
    const { status, job } = await waitForEnd(server, staff, id);
    expect(status).toBe(500);
    expect(job).toMatchObject({ status: 'failed', fault: 'server', message: expect.stringMatching(/stopped unexpectedly \(signal SIGKILL\)/) });
    expect(await tableChecksum(server.db, 'fibre_premises')).toEqual(before);
    await eventually(async () => !(await stageExists(id)), 'dropped the staging table');
  });

  it('marks a job cut short by a restart failed, by the server’s fault, with the live layer intact and nothing left behind', async () => {
    const before = await tableChecksum(server.db, 'fibre_premises');
    const uploads = mkdtempSync(join(tmpdir(), 'websig-restart-'));
    try {
      const first = await startTestServer({ db: server.db, env: { IMPORT_DIR: uploads } });
      const id = await startBigImport(first);
      await first.close();
      const restarted = await startTestServer({ db: server.db, env: { IMPORT_DIR: uploads } });
      try {
        const { status, job } = await getJob(restarted, staff, id);
        expect(status).toBe(500);
        expect(job).toMatchObject({ status: 'failed', fault: 'server', message: expect.stringMatching(/server stopped/) });
        expect(await stageExists(id)).toBe(false);
        expect(readdirSync(uploads)).toEqual([]);
        expect(await tableChecksum(server.db, 'fibre_premises')).toEqual(before);
        // The layer is free again.
        const next = await postImport(restarted, importForm(writePremises(join(tmp.dir, 'few.csv'), 3), { layer: 'fibre_premises', mode: 'upsert' }), staff);
        expect(next.status).toBe(202);
        expect((await waitForEnd(restarted, staff, (await next.json()).id)).job).toMatchObject({ status: 'succeeded' });
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(uploads, { recursive: true, force: true });
    }
  });
});
