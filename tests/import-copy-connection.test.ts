// On PostGIS the import's COPY runs on a pooled connection lent to it (the one its checks warmed),
// not a connection of its own: the pool must get it back as it lent it, with the pool's own
// statement timeout, message level and name, and never get back one that died under the COPY. A
// connection cut while lent is its holder's failure, never the process's; a pool of one lends none.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport } from '../data-import/pipeline.ts';
import { openStageLoader } from '../data-import/stage-loader.ts';
import { ESRI_PRJ, project, tempDir, writeShapefile } from './helpers/import-fixtures.ts';
import { describeUnless, missingPostgis } from './helpers/skip.ts';
import { openTestDatabase } from './helpers/test-db.ts';

// PostGIS only: the embedded database has one connection, which is never lent (its imports send
// batched INSERTs, tested in import.test.ts), so there is no COPY connection to give back.
describeUnless(missingPostgis(inject('databaseUrl')), 'the COPY connection lent by the pool', () => {
  const layers = createLayerRegistry();
  let owner: Database;
  let db: Database;
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    owner = await openTestDatabase();
    // Two connections with settings of their own, so that the lent one is among those read back.
    db = await openDatabase({ url: owner.connection.connectionString!, dataDir: '', poolSize: 2, statementTimeoutMs: 4321 });
    tmp = tempDir();
  });
  afterAll(async () => {
    await db?.close();
    await owner?.close();
    tmp?.cleanup();
  });

  /** Each pooled connection's settings, read on both at once. */
  async function pooledSettings() {
    const read = () => db.query<{ pid: number; timeout: string; level: string; name: string }>(
      `SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS timeout, current_setting('client_min_messages') AS level,
              current_setting('application_name') AS name, pg_sleep(0.2)`,
    );
    const [a, b] = await Promise.all([read(), read()]);
    expect(a.rows[0]!.pid).not.toBe(b.rows[0]!.pid);
    return [a.rows[0]!, b.rows[0]!].map(({ timeout, level, name }) => ({ timeout, level, name }));
  }

  async function premises(name: string, addresses: string[]): Promise<string> {
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    return writeShapefile(
      { base: join(tmp.dir, name), kind: 'point', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154], fields: [{ name: 'premise_id', type: 'C', length: 20 }, { name: 'status', type: 'C', length: 20 }, { name: 'address', type: 'C', length: 60 }] },
      addresses.map((address, i) => ({ geometry: [x + 10 * i, y], attributes: { premise_id: `${name}-${i}`, status: 'deployed', address } })),
    );
  }

  const POOL_SETTINGS = { timeout: '4321ms', level: 'notice', name: 'websig' };

  it('gets the connection back with the pool’s settings after a COPY', async () => {
    const summary = await runImport(db, layers, { layer: 'fibre_premises', file: await premises('lent', ['1 rue A', '2 rue B']), mode: 'append' });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.method).toBe('copy');
    expect(await pooledSettings()).toEqual([POOL_SETTINGS, POOL_SETTINGS]);
  });

  it('does not give back a connection cut during its COPY: the pool’s next queries run on sound ones, with its settings', async () => {
    const file = await premises('cut', Array.from({ length: 20_000 }, (_, i) => `${i} rue de la Gare`));
    const cutting = (async () => {
      for (let i = 0; i < 1000; i++) {
        const { rows } = await owner.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'websig-import' AND query LIKE 'COPY %'`);
        if (rows.length > 0) return true;
        await new Promise((ok) => setTimeout(ok, 5));
      }
      return false;
    })();
    const summary = await runImport(db, layers, { layer: 'fibre_premises', file, mode: 'append' });
    expect(await cutting).toBe(true);
    expect(summary.status).toBe('failed');
    expect(await pooledSettings()).toEqual([POOL_SETTINGS, POOL_SETTINGS]);
  });

  const terminate = (pid: number) => owner.query('SELECT pg_terminate_backend($1::int)', [pid]);
  /** Whether the client comes to see its connection close: an unheard 'error' event, thrown out of
   *  pg's handler of the closed socket, stops it before. */
  const closes = (client: { once(event: 'end', listener: () => void): unknown }) =>
    new Promise<boolean>((ok) => {
      client.once('end', () => ok(true));
      setTimeout(() => ok(false), 3000);
    });

  it('tells the holder of a lent connection that it was cut, not the process, and pools a sound one after', async () => {
    const client = await db.lendConnection!();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const ended = closes(client);
    await terminate(pid);
    expect(await ended).toBe(true);
    const failure = await client.query('SELECT 1').then(() => undefined, (error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    client.release(failure);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('fails a transaction whose connection is cut between its statements, not the process', async () => {
    const cut = db.transaction(async (tx) => {
      const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await terminate(pid);
      await new Promise((ok) => setTimeout(ok, 300));
      await tx.query('SELECT 1');
    });
    await expect(cut).rejects.toThrow();
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('lends no connection from a pool of one: the import’s other queries still get it while rows load', async () => {
    const one = await openDatabase({ url: owner.connection.connectionString!, dataDir: '', poolSize: 1, poolWaitMs: 1000 });
    try {
      await one.query('CREATE TEMP TABLE IF NOT EXISTS lend_probe (n integer)');
      const loader = await openStageLoader(one, 'lend_probe', [{ name: 'n', type: 'integer' }]);
      try {
        await loader.push([1]);
        expect((await one.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        await loader.finish();
      } catch (error) {
        await loader.abort();
        throw error;
      }
      expect((await one.query<{ n: number }>('SELECT n FROM lend_probe')).rows).toEqual([{ n: 1 }]);
    } finally {
      await one.close();
    }
  });
});
