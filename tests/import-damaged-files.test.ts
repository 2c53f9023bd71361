// Damaged and hostile deliveries against the database the suite runs on: each is refused with a
// message naming the file, the record or byte and what was expected, and the live layer keeps
// every row. Fixtures are made by code: a good hotspot shapefile, then cut, patched or zipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport, type ImportOptions } from '../data-import/pipeline.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { ESRI_PRJ, project, tableChecksum, tempDir, writeShapefile, writeText, zipBuffers } from './helpers/import-fixtures.ts';

const layers = createLayerRegistry();
let db: Database;
let tmp: ReturnType<typeof tempDir>;
/** A sound delivery of 1,000 hotspots in Lambert-93; each test damages a copy of it. */
let good: string;

beforeAll(async () => {
  db = await openTestDatabase();
  tmp = tempDir();
  const [x, y] = await project(db, 2154, -1.9614, 48.1266);
  good = writeShapefile(
    {
      base: join(tmp.dir, 'good'), kind: 'point', encoding: 'utf-8', cpg: 'UTF-8', prj: ESRI_PRJ[2154],
      fields: [{ name: 'name', type: 'C', length: 40 }, { name: 'kind', type: 'C', length: 10 }, { name: 'status', type: 'C', length: 20 }],
    },
    Array.from({ length: 1000 }, (_, i) => ({ geometry: [x + (i % 40) * 25, y + Math.floor(i / 40) * 25], attributes: { name: `Borne ${i + 1}`, kind: 'outdoor', status: 'active' } })),
  );
});
afterAll(async () => {
  await db?.close();
  tmp?.cleanup();
});

const importFile = (file: string, options: Partial<ImportOptions> = {}) => runImport(db, layers, { layer: 'wifi_hotspots', file, mode: 'replace', ...options });

/** A copy of the good delivery named `hotspots` in its own folder; returns the path without extension. */
function copyGood(name: string): string {
  mkdirSync(join(tmp.dir, name));
  const base = join(tmp.dir, name, 'hotspots');
  for (const ext of ['shp', 'shx', 'dbf', 'prj', 'cpg']) copyFileSync(good.replace(/shp$/, ext), `${base}.${ext}`);
  return base;
}

/** Imports `file` in replace mode and expects a refusal matching `message`, the live hotspots untouched. */
async function expectRefused(file: string, message: RegExp): Promise<void> {
  const before = await tableChecksum(db, 'wifi_hotspots');
  expect(before.n).toBeGreaterThan(0);
  const summary = await importFile(file);
  expect(summary.status).toBe('failed');
  expect(summary.message).toMatch(message);
  expect(summary.counts.loaded).toBe(0);
  expect(await tableChecksum(db, 'wifi_hotspots')).toEqual(before);
}

describe('damaged shapefiles', () => {
  it('accepts the undamaged delivery (in a dry run), so each refusal below is the damage’s doing', async () => {
    const summary = await importFile(good, { dryRun: true });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.counts).toMatchObject({ read: 1000, loaded: 1000, rejected: 0 });
  });

  it('refuses a .shp cut to half its size instead of replacing 1,000 hotspots with the 498 it still holds', async () => {
    const base = copyGood('half');
    const shp = readFileSync(`${base}.shp`);
    writeFileSync(`${base}.shp`, shp.subarray(0, shp.length / 2));
    await expectRefused(`${base}.shp`, /^hotspots\.shp: the header says the file is 28,100 bytes long but it holds 14,050: it was cut short$/);
  });

  it('refuses a .shp cut between records with its header patched to match, once reading shows the .dbf holds more', async () => {
    const base = copyGood('cut-clean');
    rmSync(`${base}.shx`);
    const shp = readFileSync(`${base}.shp`);
    const cut = Buffer.from(shp.subarray(0, 100 + 498 * 28));
    cut.writeInt32BE(cut.length / 2, 24);
    writeFileSync(`${base}.shp`, cut);
    await expectRefused(`${base}.shp`, /^hotspots\.shp ends after record 498 but hotspots\.dbf holds 1,000 records$/);
  });

  it('refuses a .shx whose entry points somewhere else than the record it indexes', async () => {
    const base = copyGood('lying-shx');
    const shx = readFileSync(`${base}.shx`);
    shx.writeInt32BE(shx.readInt32BE(100 + 8 * 2) + 14, 100 + 8 * 2); // entry 3, 28 bytes further
    writeFileSync(`${base}.shx`, shx);
    await expectRefused(`${base}.shp`, /^hotspots\.shx: entry 3 says record 3 is at byte 184 with 20 bytes of content, but in hotspots\.shp it is at byte 156 with 20$/);
  });

  it('refuses a .dbf whose header counts more records than the file holds', async () => {
    const base = copyGood('dbf-count');
    const dbf = readFileSync(`${base}.dbf`);
    dbf.writeUInt32LE(1005, 4);
    writeFileSync(`${base}.dbf`, dbf);
    await expectRefused(`${base}.shp`, /^hotspots\.dbf: the header counts 1,005 records of 71 bytes after a 129-byte header, .* but the file holds 71,130: room for 1,000 whole records, then the end-of-file byte$/);
  });
});

describe('hostile archives and text', () => {
  it('refuses a zip bomb (80 MiB of zeros in 80 kB) before extracting it all', async () => {
    const bomb = await zipBuffers(join(tmp.dir, 'bomb.zip'), [{ name: 'hotspots.csv', data: Buffer.alloc(80 * 1024 ** 2) }]);
    expect(readFileSync(bomb).length).toBeLessThan(200 * 1024);
    await expectRefused(bomb, /^"hotspots\.csv": [\d,]+ compressed bytes expand past 64(\.\d)? MiB, more than 100 times: refused as a zip bomb/);
  });

  it.each([
    ['../hotspots.csv', 'it climbs out of the archive with ".."'],
    ['/tmp/hotspots.csv', 'it is an absolute path'],
    ['C:/hotspots.csv', 'it is an absolute path'],
    ['data\\..\\hotspots.csv', 'it holds a backslash, which Windows tools read as a folder separator'],
  ])('refuses an archive with a member named %s, saying which entry and why', async (name, why) => {
    const csv = Buffer.from('name,kind,status,lon,lat\nKiosque,outdoor,active,-1.95,48.13\n');
    const zip = await zipBuffers(join(tmp.dir, 'traversal.zip'), [{ name: 'readme.csv', data: csv }, { name, data: csv }]);
    await expectRefused(zip, new RegExp(`^entry 2 of the archive, "${name.replace(/[.\\]/g, '\\$&')}", is refused: ${why}$`));
  });

  it('refuses a CSV whose quote is never closed, naming the line where the record started', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `Borne ${i + 1},outdoor,active,-1.95,48.13`);
    rows[6] = '"Borne 7,outdoor,active,-1.95,48.13';
    const csv = writeText(join(tmp.dir, 'runaway.csv'), `name,kind,status,lon,lat\n${rows.join('\n')}\n`);
    await expectRefused(csv, /^runaway\.csv: row 7 \(from line 8\) opens a quoted value that is never closed: expected a closing quote before the end of the file/);
  });

  it('refuses a CSV whose stray quote would have merged the rows up to the next quote into one value', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `Borne ${i + 1},outdoor,active,-1.95,48.13`);
    rows[6] = '"Borne 7,outdoor,active,-1.95,48.13';
    rows[20] = '"Borne 21",outdoor,active,-1.95,48.13';
    const csv = writeText(join(tmp.dir, 'merged.csv'), `name,kind,status,lon,lat\n${rows.join('\n')}\n`);
    await expectRefused(csv, /^merged\.csv: row 7 \(from line 8\), field 1: the quote that closes the value at line 22 is followed by more text: expected the delimiter or a line end/);
  });
});
