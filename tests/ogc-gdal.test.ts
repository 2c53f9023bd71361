// A real client against the real server: GDAL's OAPIF driver lists every public collection with its
// feature count, and ogr2ogr copies whole collections through paging without losing or repeating
// a feature. GDAL (gdal-bin) is installed by .ci/run; where it is missing these tests are skipped.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import initSqlJs from 'sql.js';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { describeUnless, missingGdal } from './helpers/skip.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';
import { ident } from '../core/layers/layer-sql.ts';

const run = promisify(execFile);
const PRIVATE_NAMES = ALL_LAYERS.flatMap((l) => l.properties.filter((p) => !p.public).map((p) => p.name));

// GDAL is the outside client; skipped where gdal-bin is missing (CI installs it).
describeUnless(missingGdal(), 'GDAL reading the OGC API', () => {
  let server: TestServer;
  let dir: string;
  /** Public feature ids of a layer, in order. */
  const publicIds = async (layerId: string, extra = 'TRUE') => {
    const layer = ALL_LAYERS.find((l) => l.id === layerId)!;
    const published = layer.publishedColumn ? `t.${ident(layer.publishedColumn)}` : 'TRUE';
    const { rows } = await server.db.query<{ id: number }>(
      `SELECT t.${ident(layer.featureIdColumn)} AS id FROM ${ident(layer.id)} t WHERE ${published} AND ${extra} ORDER BY 1`);
    return rows.map((r) => r.id);
  };
  /** Copies one collection into a GeoPackage with ogr2ogr; returns its fids, column names and GDAL's debug log. */
  const copy = async (layerId: string, ...options: string[]) => {
    const out = join(dir, `${layerId}-${Math.random().toString(36).slice(2)}.gpkg`);
    const { stderr } = await run('ogr2ogr', ['--debug', 'on', '-f', 'GPKG', '-preserve_fid', out, `OAPIF:${server.url}/ogc`, layerId, ...options]);
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(out));
    try {
      const fids = db.exec(`SELECT fid FROM "${layerId}" ORDER BY fid`)[0]?.values.map((r) => Number(r[0])) ?? [];
      const columns = db.exec(`PRAGMA table_info("${layerId}")`)[0]!.values.map((r) => String(r[1]));
      return { fids, columns, log: stderr };
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'websig-gdal-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every public collection with its right feature count (ogrinfo OAPIF:…/ogc)', async () => {
    const { stdout } = await run('ogrinfo', ['-ro', '-al', '-so', `OAPIF:${server.url}/ogc`]);
    const found = new Map<string, number>();
    for (const block of stdout.split(/\nLayer name: /).slice(1)) {
      found.set(block.split('\n')[0]!.trim(), Number(/Feature Count: (\d+)/.exec(block)![1]));
    }
    const expected = new Map<string, number>();
    for (const layer of ALL_LAYERS.filter((l) => l.public)) expected.set(layer.id, (await publicIds(layer.id)).length);
    expect(found).toEqual(expected);
  });

  it('copies a whole collection with ogr2ogr -preserve_fid through several pages, losing and repeating nothing', async () => {
    const { fids, columns, log } = await copy('parcels', '-oo', 'PAGE_SIZE=50');
    const expected = await publicIds('parcels');
    expect(expected.length).toBeGreaterThan(100);
    expect(fids).toEqual(expected);
    expect(columns).toContain('id');
    const pages = log.split('\n').filter((l) => /Fetch\(.*\/collections\/parcels\/items\?/.test(l));
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 50));
    // GDAL follows the keyset next links: each page starts after the last id of the one before.
    expect(pages.some((l) => new RegExp(`after=${expected[149]}\\b`).test(l))).toBe(true);
  });

  it('copies the incidents without their unpublished reports or their reporters’ columns', async () => {
    const { fids, columns } = await copy('incidents', '-oo', 'PAGE_SIZE=7');
    expect(fids).toEqual(await publicIds('incidents'));
    for (const name of PRIVATE_NAMES) expect(columns).not.toContain(name);
  });

  it('passes an attribute filter on a queryable property to the server (ogr2ogr -where)', async () => {
    const { fids, log } = await copy('fibre_phases', '-where', "status = 'deployed'");
    expect(log).toMatch(/items\?[^)]*status=deployed/);
    expect(fids).toEqual(await publicIds('fibre_phases', `t.status = 'deployed'`));
  });
});
