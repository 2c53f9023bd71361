// Readers during an import job, on the embedded database (whose single connection the job's
// statements share with every request) and on PostGIS: a 50,000-row upsert that changes one
// feature in fifty runs while tiles and OGC items of the same layer are asked for one after another, and the
// job is polled; none is refused (503) or fails, whatever phase the job is in. The app's pool waits at most 5 s for the
// connection, so that a statement or transaction holding it for seconds (a merge reading 50,000
// rows in one transaction took 5-8 s on the embedded database, however few of them changed) shows
// as a 503 here, where the default 10 s would need a file twice as large. The live layer is filled by SQL; the upsert is
// a CSV written here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../core/db/database.ts';
import type { ImportJob } from '../data-import/import-summary.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { tempDir, writeText } from './helpers/import-fixtures.ts';
import { ended, getJob, importForm, postImport } from './helpers/import-jobs.ts';
import { tileAt, tilePath } from './helpers/tile-golden.ts';

const FEATURES = 50_000;
/** The premises' grid: 250 per row of 0.0002°, from (-1.99, 48.11). */
const lon = (n: number) => -1.99 + (n % 250) * 0.0002;
const lat = (n: number) => 48.11 + Math.floor(n / 250) * 0.0002;
const premiseId = (n: number) => `IMB/35188/R/${String(n).padStart(6, '0')}`;
/** The upsert deploys one premise in fifty: few writes, but every delivered row read. */
const CHANGED = FEATURES / 50;
const status = (n: number) => (n % 50 === 0 ? 'deployed' : 'target');

let db: Database;
let server: TestServer;
let staff: StaffSession;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  db = await openTestDatabase({ pool: { poolWaitMs: 5000 } });
  server = await startTestServer({ db, env: { TILE_CACHE_MB: '0' } });
  staff = await createStaffSession(server);
  tmp = tempDir();
  await db.query(
    `INSERT INTO fibre_premises (premise_id, status, address, geom)
     SELECT 'IMB/35188/R/' || lpad(n::text, 6, '0'), 'target', (1 + n % 90) || ' rue de Montfort',
            ST_SetSRID(ST_MakePoint(-1.99 + (n % 250) * 0.0002, 48.11 + (n / 250) * 0.0002), 4326)
       FROM generate_series(0, $1::int - 1) n`,
    [FEATURES],
  );
});
afterAll(async () => {
  await server?.close();
  await db?.close();
  tmp?.cleanup();
});

describe('readers during an import job', () => {
  it('answers every tile and OGC request of the layer while an upsert goes through all of it, none refused with 503', async () => {
    const lines = ['premise_id,status,address,lon,lat'];
    for (let n = 0; n < FEATURES; n++) lines.push(`${premiseId(n)},${status(n)},${1 + (n % 90)} rue de Montfort,${lon(n).toFixed(6)},${lat(n).toFixed(6)}`);
    const csv = writeText(join(tmp.dir, 'premises.csv'), lines.join('\n') + '\n');
    const res = await postImport(server, importForm(csv, { layer: 'fibre_premises', mode: 'upsert' }), staff);
    const { id } = await res.json();
    expect(res.status).toBe(202);

    const tile = `${server.url}${tilePath('fibre_premises', tileAt(lon(1000), lat(1000), 15))}`;
    const items = `${server.url}/ogc/collections/fibre_premises/items?limit=10`;
    const answers: { path: string; status: number }[] = [];
    let reading = true;
    // Readers one request after another for as long as the job runs, beside the job's polling.
    const readers = (async () => {
      while (reading) {
        for (const url of [tile, items]) {
          const answer = await fetch(url);
          await answer.arrayBuffer();
          answers.push({ path: new URL(url).pathname, status: answer.status });
        }
      }
    })();
    let job: ImportJob | undefined;
    try {
      while (!job) {
        const answer = await getJob(server, staff, id);
        answers.push({ path: 'GET /api/imports/{id}', status: answer.status });
        if (answer.status === 200 && ended(answer.job)) job = answer.job;
        else await sleep(100);
      }
    } finally {
      reading = false;
      await readers;
    }
    expect(answers.filter((a) => a.path.startsWith('/tiles')).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(job, job.message).toMatchObject({ status: 'succeeded', counts: { loaded: FEATURES } });
    expect(job.written).toEqual({ inserted: 0, updated: CHANGED, deleted: 0 });
    // Written beside the live layer and swapped in where readers share the connection.
    if (db.kind === 'embedded') expect(job.swap).toBe('rebuild');
    const { rows } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM fibre_premises WHERE premise_id LIKE 'IMB/35188/R/%' GROUP BY status ORDER BY status`);
    expect(rows).toEqual([{ status: 'deployed', n: CHANGED }, { status: 'target', n: FEATURES - CHANGED }]);
  }, 600_000);
});
