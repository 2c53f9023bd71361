// A large replace rebuilt beside the live layer and swapped in (data-import/rebuild-swap.ts), on the
// embedded database or PostGIS: the swapped-in table keeps the live one's indexes, constraints,
// sequences and triggers under the same names, features keep their ids, and the layer's version
// moves; where readers share the connection (an import job on the embedded database), an upsert
// or append is rebuilt too, keeping the live rows it leaves; a layer with dependants (a view), or
// written during the build, is merged in place instead;
// a failing build leaves the live layer and nothing else. Small CSV fixtures written here, with the
// rebuild threshold lowered to one row.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport, type ImportOptions } from '../data-import/pipeline.ts';
import { LEFTOVER_IMPORT_TABLES_SQL } from '../data-import/import-sql.ts';
import { tableChecksum, writeText } from './helpers/import-fixtures.ts';
import { startTestServer } from './helpers/test-server.ts';
import { decodeTile, tileAt, tilePath } from './helpers/tile-golden.ts';
import { useImportTestBed } from './helpers/import-test-bed.ts';

const layers = createLayerRegistry();
let db: Database;
let dir: string;
useImportTestBed((bed) => ({ db, dir } = bed));

const replace = (layer: string, file: string, options: Partial<ImportOptions> = {}) =>
  runImport(db, layers, { layer, file, mode: 'replace', confirmed: true, rebuildMinRows: 1, ...options });

type Premise = [id: string, status: string, lon: number];
const premisesCsv = (name: string, rows: readonly Premise[]) =>
  writeText(join(dir, `${name}.csv`), ['premise_id,status,address,lon,lat', ...rows.map(([id, status, lon]) => `${id},${status},1 rue de Bédée,${lon},48.13`)].join('\n') + '\n');

/** The table's indexes, constraints, triggers and identity sequences, by name and definition. */
async function catalogOf(table: string) {
  const q = async (sql: string) => (await db.query<{ d: string }>(sql, [table])).rows.map((r) => r.d);
  return {
    indexes: await q(`SELECT indexname || ': ' || indexdef AS d FROM pg_indexes WHERE tablename = $1 AND schemaname = current_schema() ORDER BY 1`),
    constraints: await q(`SELECT conname || ': ' || pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY 1`),
    triggers: await q(`SELECT pg_get_triggerdef(oid) AS d FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal ORDER BY tgname`),
    sequences: await q(`SELECT a.attname || ': ' || pg_get_serial_sequence($1, a.attname) AS d FROM pg_attribute a
                         WHERE a.attrelid = $1::regclass AND a.attidentity <> '' ORDER BY 1`),
  };
}

const version = async (layer: string) => (await db.query<{ v: number }>('SELECT version AS v FROM layer_versions WHERE layer = $1', [layer])).rows[0]!.v;
const premiseRows = async () =>
  (await db.query<{ id: number; premise_id: string; status: string; updated_at: Date }>('SELECT id, premise_id, status, updated_at FROM fibre_premises ORDER BY id')).rows;
const leftovers = async () => (await db.query<{ name: string }>(LEFTOVER_IMPORT_TABLES_SQL)).rows.map((r) => r.name);

describe('a replace rebuilt beside the live layer', () => {
  it('swaps in a table with the live one’s indexes, constraints, triggers and sequences, keeping ids and untouched rows', async () => {
    const first = await replace('fibre_premises', premisesCsv('first', [['R-1', 'deployed', -1.95], ['R-2', 'target', -1.951], ['R-3', 'signed', -1.952]]));
    expect(first.status, first.message).toBe('succeeded');
    const catalog = await catalogOf('fibre_premises');
    const before = await premiseRows();
    const versionBefore = await version('fibre_premises');

    const second = await replace('fibre_premises', premisesCsv('second', [['R-1', 'deployed', -1.95], ['R-2', 'deployed', -1.951], ['R-4', 'target', -1.953]]));
    expect(second.status, second.message).toBe('succeeded');
    expect(second.swap).toBe('rebuild');
    expect(second.written).toEqual({ inserted: 1, updated: 1, deleted: 1 });
    expect(await catalogOf('fibre_premises')).toEqual(catalog);
    expect(await version('fibre_premises')).toBeGreaterThan(versionBefore);

    const after = await premiseRows();
    const byKey = (rows: typeof before, key: string) => rows.find((r) => r.premise_id === key)!;
    // Unchanged: the very row; changed: same id, new status, moved updated_at; new: numbered after every live id.
    expect(byKey(after, 'R-1')).toEqual(byKey(before, 'R-1'));
    expect(byKey(after, 'R-2')).toMatchObject({ id: byKey(before, 'R-2').id, status: 'deployed' });
    expect(byKey(after, 'R-2').updated_at.getTime()).toBeGreaterThan(byKey(before, 'R-2').updated_at.getTime());
    expect(byKey(after, 'R-4').id).toBeGreaterThan(Math.max(...before.map((r) => r.id)));
    expect(after.map((r) => r.premise_id).sort()).toEqual(['R-1', 'R-2', 'R-4']);
    // The swapped-in table numbers, touches and versions later writes as the old one did.
    const inserted = await db.query<{ id: number }>(
      `INSERT INTO fibre_premises (premise_id, status, geom) VALUES ('R-5', 'target', ST_SetSRID(ST_MakePoint(-1.95, 48.14), 4326)) RETURNING id`);
    expect(inserted.rows[0]!.id).toBeGreaterThan(byKey(after, 'R-4').id);
    expect(await leftovers()).toEqual([]);
  });

  it('keeps serving the layer’s tiles and OGC items after the swap, from statements the app prepared before it', async () => {
    const server = await startTestServer({ db, env: { TILE_CACHE_MB: '0' } });
    try {
      const tile = `${server.url}${tilePath('fibre_premises', tileAt(-1.95, 48.13, 16))}`;
      const idsInTile = async () => {
        const res = await fetch(tile);
        expect(res.status).toBe(200);
        return (decodeTile(new Uint8Array(await res.arrayBuffer())).fibre_premises?.features ?? []).map((f) => f.properties.premise_id).sort();
      };
      expect(await idsInTile()).not.toContain('T-2');
      const summary = await replace('fibre_premises', premisesCsv('tiles', [['T-1', 'deployed', -1.95], ['T-2', 'target', -1.9501]]));
      expect(summary.swap).toBe('rebuild');
      expect(await idsInTile()).toEqual(['T-1', 'T-2']);
      const items = await fetch(`${server.url}/ogc/collections/fibre_premises/items?limit=10`);
      expect(items.status).toBe(200);
      expect((await items.json()).features.map((f: { properties: { premise_id: string } }) => f.properties.premise_id).sort()).toEqual(['T-1', 'T-2']);
    } finally {
      await server.close();
    }
  });

  it('rebuilds a layer without natural key wholesale, new ids following the live ones', async () => {
    const csv = (name: string, names: string[]) =>
      writeText(join(dir, `${name}.csv`), ['name,kind,status,lon,lat', ...names.map((n, i) => `${n},outdoor,active,${-1.95 - i / 1000},48.13`)].join('\n') + '\n');
    const liveMax = (await db.query<{ n: number }>('SELECT coalesce(max(id), 0) AS n FROM wifi_hotspots')).rows[0]!.n;
    const summary = await replace('wifi_hotspots', csv('hotspots', ['Mairie', 'Médiathèque']));
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.swap).toBe('rebuild');
    const { rows } = await db.query<{ id: number; name: string }>('SELECT id, name FROM wifi_hotspots ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(['Mairie', 'Médiathèque']);
    expect(rows[0]!.id).toBeGreaterThan(liveMax);
  });

  it('merges in place when a view depends on the layer, and the view still reads it', async () => {
    await db.query('CREATE VIEW premises_watch AS SELECT premise_id, status FROM fibre_premises');
    try {
      const summary = await replace('fibre_premises', premisesCsv('viewed', [['V-1', 'deployed', -1.95], ['V-2', 'target', -1.951]]));
      expect(summary.status, summary.message).toBe('succeeded');
      expect(summary.swap).toBe('merge');
      const { rows } = await db.query<{ premise_id: string }>('SELECT premise_id FROM premises_watch ORDER BY 1');
      expect(rows.map((r) => r.premise_id)).toEqual(['V-1', 'V-2']);
    } finally {
      await db.query('DROP VIEW premises_watch');
    }
  });

  it('merges instead of swapping when the layer is written while its next table is built, the delivery winning', async () => {
    let edit: Promise<unknown> | undefined;
    const summary = await replace('fibre_premises', premisesCsv('edited', [['E-1', 'deployed', -1.95], ['E-2', 'target', -1.951]]), {
      onProgress: (p) => {
        edit ??= p.phase === 'writing' ? db.query(`UPDATE fibre_premises SET address = 'edited meanwhile'`) : undefined;
      },
    });
    await edit;
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.swap).toBe('merge');
    expect((await premiseRows()).map((r) => r.premise_id)).toEqual(['E-1', 'E-2']);
    expect(await leftovers()).toEqual([]);
  });

  it('leaves the live layer exactly as it was, and no table behind, when the rows break a constraint while the next table fills', async () => {
    const before = await tableChecksum(db, 'fibre_premises');
    // Every check passes on staging; the premise status code list is the live table's CHECK.
    await db.query(`ALTER TABLE fibre_premises ADD CONSTRAINT premise_id_short CHECK (length(premise_id) < 6)`);
    try {
      const summary = await replace('fibre_premises', premisesCsv('too-long', [['F-1', 'deployed', -1.95], ['F-LONG-2', 'target', -1.951]]));
      expect(summary.status).toBe('failed');
      expect(summary.message).toMatch(/premise_id_short/);
      expect(await tableChecksum(db, 'fibre_premises')).toEqual(before);
      expect(await leftovers()).toEqual([]);
      const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('import_build_${summary.id}') AS t`);
      expect(rows[0]!.t).toBeNull();
    } finally {
      await db.query('ALTER TABLE fibre_premises DROP CONSTRAINT premise_id_short');
    }
  });

  it('where readers share the connection, rebuilds an upsert beside the layer, every live row it leaves kept whole with its id', async () => {
    const shared = { ...db, sharedWithReaders: true };
    const first = await replace('fibre_premises', premisesCsv('kept', [['U-1', 'deployed', -1.95], ['U-2', 'target', -1.951], ['U-3', 'signed', -1.952]]));
    expect(first.status, first.message).toBe('succeeded');
    const before = await premiseRows();
    const summary = await runImport(shared, layers, {
      layer: 'fibre_premises', file: premisesCsv('upsert', [['U-2', 'deployed', -1.951], ['U-4', 'target', -1.953]]), mode: 'upsert', rebuildMinRows: 1,
    });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.swap).toBe('rebuild');
    expect(summary.written).toEqual({ inserted: 1, updated: 1, deleted: 0 });
    const after = await premiseRows();
    const byKey = (rows: typeof before, key: string) => rows.find((r) => r.premise_id === key)!;
    expect(byKey(after, 'U-1')).toEqual(byKey(before, 'U-1'));
    expect(byKey(after, 'U-3')).toEqual(byKey(before, 'U-3'));
    expect(byKey(after, 'U-2')).toMatchObject({ id: byKey(before, 'U-2').id, status: 'deployed' });
    expect(byKey(after, 'U-4').id).toBeGreaterThan(Math.max(...before.map((r) => r.id)));
    expect(after.map((r) => r.premise_id).sort()).toEqual(['U-1', 'U-2', 'U-3', 'U-4']);
    expect(await leftovers()).toEqual([]);
  });

  it('where readers share the connection, rebuilds an append to a layer without key beside it, the live rows kept and the new ones after them', async () => {
    const shared = { ...db, sharedWithReaders: true };
    const csv = (name: string, names: string[]) =>
      writeText(join(dir, `${name}.csv`), ['name,kind,status,lon,lat', ...names.map((n, i) => `${n},outdoor,active,${-1.96 - i / 1000},48.13`)].join('\n') + '\n');
    const hotspots = async () => (await db.query<{ id: number; name: string }>('SELECT id, name FROM wifi_hotspots ORDER BY id')).rows;
    const before = await hotspots();
    const summary = await runImport(shared, layers, { layer: 'wifi_hotspots', file: csv('appended', ['Halle', 'Gare']), mode: 'append', rebuildMinRows: 1 });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.swap).toBe('rebuild');
    expect(summary.written).toEqual({ inserted: 2, updated: 0, deleted: 0 });
    const after = await hotspots();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((r) => r.name)).toEqual(['Halle', 'Gare']);
    expect(await leftovers()).toEqual([]);
  });

  it('lists a next table left by a run that no longer runs among the leftovers a server start drops', async () => {
    await db.query('CREATE TABLE import_build_999999 (x integer)');
    try {
      expect(await leftovers()).toEqual(['import_build_999999']);
    } finally {
      await db.query('DROP TABLE import_build_999999');
    }
  });
});
