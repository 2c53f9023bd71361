// The readers' checks on damaged and hostile files, without a database: .shp/.shx/.dbf structure,
// CSV quotes and encoding, zip names and expansion. Fixtures are small shapefiles, CSV text and
// zips written here, then cut or patched byte by byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkShpHeader, checkShxHeader, shapeLengthProblem } from '../data-import/sources/shp-reader.ts';
import { dbfSizeProblem, parseDbfHeader } from '../data-import/sources/dbf-reader.ts';
import { openShapefile } from '../data-import/sources/shapefile-source.ts';
import { MAX_CSV_RECORD_CHARS, openCsv } from '../data-import/sources/csv-source.ts';
import { ZIP_LIMITS, expansionProblem, extractMember, unsafeMemberName } from '../data-import/sources/zip-archive.ts';
import { SourceError, type FeatureSource } from '../data-import/sources/source.ts';
import { tempDir, writeShapefile, writeText, zipBuffers } from './helpers/import-fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp?.cleanup());

/** Reads a source to its end, then closes it; returns how many records it gave. */
async function countRecords(source: FeatureSource): Promise<number> {
  let n = 0;
  try {
    for await (const _ of source.records()) n++;
  } finally {
    await source.close();
  }
  return n;
}

/** A record's content: shape type then 32-bit little-endian integers at the given offsets. */
function content(length: number, type: number, ints: Record<number, number> = {}): Buffer {
  const c = Buffer.alloc(length);
  c.writeInt32LE(type, 0);
  for (const [at, value] of Object.entries(ints)) c.writeInt32LE(value, Number(at));
  return c;
}
const problem = (c: Buffer, fileType: number) => shapeLengthProblem(c, 0, c.length, fileType);

describe('.shp record lengths', () => {
  it('accepts exactly the bytes each shape type and its counts need, M values optional', () => {
    expect(problem(content(4, 0), 1)).toBeUndefined();
    expect(problem(content(20, 1), 1)).toBeUndefined();
    expect(problem(content(28, 11), 11)).toBeUndefined();
    expect(problem(content(36, 11), 11)).toBeUndefined();
    expect(problem(content(20, 21), 21)).toBeUndefined();
    expect(problem(content(28, 21), 21)).toBeUndefined();
    expect(problem(content(40 + 16 * 3, 8, { 36: 3 }), 8)).toBeUndefined();
    // Two rings of five points: 44 + 2 × 4 + 10 × 16, then Z and M ranges and values.
    expect(problem(content(212, 5, { 36: 2, 40: 10 }), 5)).toBeUndefined();
    expect(problem(content(212 + 96, 15, { 36: 2, 40: 10 }), 15)).toBeUndefined();
    expect(problem(content(212 + 2 * 96, 15, { 36: 2, 40: 10 }), 15)).toBeUndefined();
  });

  it('refuses a record whose length disagrees with its shape, saying what it should hold', () => {
    expect(problem(content(28, 1), 1)).toBe('a Point record holds 20 bytes of content, not 28');
    expect(problem(content(8, 0), 1)).toBe('a null shape holds 4 bytes of content, not 8');
    expect(problem(content(20, 11), 11)).toBe('a PointZ record holds 28 bytes of content (36 with M values), not 20');
    expect(problem(content(212, 5, { 36: 2, 40: 11 }), 5)).toBe('a Polygon record with 2 parts and 11 points holds 228 bytes of content, not 212');
    expect(problem(content(212, 5, { 36: 2, 40: 1e9 }), 5)).toMatch(/with 2 parts and 1,000,000,000 points holds 16,000,000,052 bytes of content, not 212$/);
    expect(problem(content(212, 5, { 36: -1, 40: 10 }), 5)).toBe('a Polygon record with -1 parts and 10 points: expected 0 or more of each');
    expect(problem(content(40, 5), 5)).toBe('a Polygon record needs at least 44 bytes of content, not 40');
    expect(problem(content(20, 8), 8)).toBe('a MultiPoint record needs at least 40 bytes of content, not 20');
    expect(problem(content(20, 1), 5)).toBe('shape type 1 (Point) in a file of Polygon shapes');
    expect(problem(content(20, 99), 1)).toBe('shape type 99 in a file of Point shapes');
  });

  it('checks the file length a .shp or .shx header states against the real size', () => {
    const head = Buffer.alloc(100);
    head.writeInt32BE(9994, 0);
    head.writeInt32BE(1000, 24);
    head.writeInt32LE(1, 32);
    expect(checkShpHeader(head, 2000, 'a.shp').shapeType).toBe(1);
    expect(() => checkShpHeader(head, 1000, 'a.shp')).toThrow('a.shp: the header says the file is 2,000 bytes long but it holds 1,000: it was cut short');
    expect(() => checkShpHeader(head, 2400, 'a.shp')).toThrow('a.shp: the header says the file is 2,000 bytes long but it holds 2,400: data follows the end the header states');
    expect(() => checkShpHeader(head.subarray(0, 60), 60, 'a.shp')).toThrow(/a\.shp: not a shapefile/);
    head.writeInt32BE(54, 24);
    expect(checkShxHeader(head, 108, 'a.shx')).toBe(1);
    head.writeInt32BE(55, 24);
    expect(() => checkShxHeader(head, 110, 'a.shx')).toThrow('a.shx: 110 bytes is not 100 + 8 × a number of records (it ends 2 bytes into an entry)');
  });
});

describe('damaged shapefiles, read', () => {
  const write = (name: string, n: number) =>
    writeShapefile(
      { base: join(tmp.dir, name), kind: 'point', encoding: 'utf-8', cpg: 'UTF-8', fields: [{ name: 'name', type: 'C', length: 20 }] },
      Array.from({ length: n }, (_, i) => ({ geometry: [i, i], attributes: { name: `P${i + 1}` } })),
    );
  /** Rewrites a file through `change`. */
  const patch = (path: string, change: (bytes: Buffer) => Buffer | void) => {
    const bytes = readFileSync(path);
    writeFileSync(path, change(bytes) ?? bytes);
  };
  const readAll = async (shp: string) => countRecords(await openShapefile(shp));
  // Point records are 28 bytes: record n starts at byte 100 + 28 × (n − 1).
  const record = (n: number) => 100 + 28 * (n - 1);

  it('refuses a .shp cut in the middle of a record before reading any', async () => {
    const shp = write('cut', 3);
    patch(shp, (b) => b.subarray(0, b.length - 5));
    await expect(readAll(shp)).rejects.toThrow('cut.shp: the header says the file is 184 bytes long but it holds 179: it was cut short');
  });

  it('refuses a record numbered out of sequence', async () => {
    const shp = write('numbered', 3);
    patch(shp, (b) => void b.writeInt32BE(5, record(2)));
    await expect(readAll(shp)).rejects.toThrow('numbered.shp: record 2 at byte 128 is numbered 5: records are numbered in sequence from 1');
  });

  it('refuses a record longer than what follows it, before buffering anything for it', async () => {
    const shp = write('long', 3);
    patch(shp, (b) => void b.writeInt32BE(0x7fffffff, record(2) + 4));
    await expect(readAll(shp)).rejects.toThrow('long.shp: record 2 at byte 128 says its content is 4,294,967,294 bytes but only 48 follow its header');
  });

  it('refuses a point record whose length is not that of a point', async () => {
    const shp = write('point-length', 3);
    rmSync(shp.replace(/shp$/, 'shx'));
    patch(shp, (b) => void b.writeInt32BE(12, record(2) + 4));
    await expect(readAll(shp)).rejects.toThrow('point-length.shp: record 2 at byte 128: a Point record holds 20 bytes of content, not 24');
  });

  it('refuses a .shx that indexes fewer records than the .dbf holds, before reading any', async () => {
    const shp = write('short-index', 3);
    patch(shp.replace(/shp$/, 'shx'), (b) => {
      const cut = Buffer.from(b.subarray(0, 116));
      cut.writeInt32BE(58, 24);
      return cut;
    });
    await expect(openShapefile(shp)).rejects.toThrow('short-index.shx indexes 2 records but short-index.dbf holds 3: the files do not belong together or one is damaged');
  });

  it('refuses a .shx entry that disagrees with the record’s length', async () => {
    const shp = write('shx-length', 3);
    patch(shp.replace(/shp$/, 'shx'), (b) => void b.writeInt32BE(12, 100 + 8 + 4));
    await expect(readAll(shp)).rejects.toThrow('shx-length.shx: entry 2 says record 2 is at byte 128 with 24 bytes of content, but in shx-length.shp it is at byte 128 with 20');
  });

  it('refuses a .shp with more records than its .dbf, at the first extra one', async () => {
    const shp = write('more', 3);
    rmSync(shp.replace(/shp$/, 'shx'));
    patch(shp.replace(/shp$/, 'dbf'), (b) => {
      const cut = Buffer.from(b.subarray(0, b.length - 22)); // the last record and the end-of-file byte
      cut.writeUInt32LE(2, 4);
      return cut;
    });
    await expect(readAll(shp)).rejects.toThrow('more.shp holds more records than the 2 of more.dbf');
  });
});

describe('.dbf structure', () => {
  it('accepts a file of exactly its header and records, with or without the end-of-file byte', () => {
    expect(dbfSizeProblem(10, 97, 21, 97 + 210, 0x20)).toBeUndefined();
    expect(dbfSizeProblem(10, 97, 21, 97 + 211, 0x1a)).toBeUndefined();
  });

  it('says precisely how the size differs from what the header counts', () => {
    const says = 'the header counts 10 records of 21 bytes after a 97-byte header, 307 bytes (308 with the end-of-file byte 0x1A), but the file holds';
    expect(dbfSizeProblem(10, 97, 21, 308, 0x00)).toBe(`${says} 308: its last byte is 0x00, not the end-of-file byte 0x1A`);
    expect(dbfSizeProblem(10, 97, 21, 97 + 4 * 21 + 5, 0x20)).toBe(`${says} 186: room for 4 whole records and 5 bytes of another`);
    expect(dbfSizeProblem(10, 97, 21, 97 + 4 * 21 + 1, 0x1a)).toBe(`${says} 182: room for 4 whole records, then the end-of-file byte`);
    expect(dbfSizeProblem(10, 97, 21, 97 + 12 * 21 + 1, 0x1a)).toBe(`${says} 350: 42 bytes more than the records counted, then the end-of-file byte`);
  });

  it('refuses a header without its terminator, with empty records or with fields wider than its records', () => {
    const head = Buffer.alloc(32);
    head.writeUInt32LE(3, 4);
    head.writeUInt16LE(11, 10);
    const field = Buffer.alloc(32);
    field.write('name', 0, 'latin1');
    field[11] = 'C'.charCodeAt(0);
    field[16] = 10;
    const descriptors = Buffer.concat([field, Buffer.from([0x0d])]);
    expect(parseDbfHeader(head, descriptors, 'a.dbf').fields).toMatchObject([{ name: 'name', type: 'C', length: 10, offset: 1 }]);
    expect(() => parseDbfHeader(head, Buffer.concat([field, Buffer.from([0x20])]), 'a.dbf')).toThrow(
      'a.dbf: no 0x0D terminator after the 1 field descriptors at byte 64, inside the 65-byte header',
    );
    field[16] = 20;
    expect(() => parseDbfHeader(head, Buffer.concat([field, Buffer.from([0x0d])]), 'a.dbf')).toThrow('a.dbf: field lengths (21 bytes with the deletion flag) exceed the record length (11)');
    head.writeUInt16LE(0, 10);
    expect(() => parseDbfHeader(head, descriptors, 'a.dbf')).toThrow('a.dbf: the header says records are 0 bytes long: expected at least 1 (the deletion flag)');
  });

  it('refuses a header length that cannot hold the header or goes past the file, before reading it', async () => {
    const shp = writeShapefile(
      { base: join(tmp.dir, 'header-length'), kind: 'point', encoding: 'utf-8', fields: [{ name: 'name', type: 'C', length: 20 }] },
      [{ geometry: [1, 1], attributes: { name: 'P1' } }],
    );
    const dbf = shp.replace(/shp$/, 'dbf');
    const bytes = readFileSync(dbf);
    bytes.writeUInt16LE(60_000, 8);
    writeFileSync(dbf, bytes);
    await expect(openShapefile(shp)).rejects.toThrow("header-length.dbf: the header says it is 60,000 bytes long: expected at least 33 and at most the file's 87");
  });
});

describe('CSV quotes and encoding', () => {
  const readCsv = async (name: string, text: string | Buffer) => countRecords(await openCsv(writeText(join(tmp.dir, name), text), { name }));
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `P${i + 1},-1.95,48.13`);

  it('reads quoted values with doubled quotes and line breaks', async () => {
    expect(await readCsv('good.csv', 'name,lon,lat\n"12 rue ""Les Pins""",-1.95,48.13\n"two\nlines",-1.95,48.13\n')).toBe(2);
  });

  it('names the line a runaway record started on, past quoted line breaks and empty lines', async () => {
    const text = `name,lon,lat\n"two\nlines",-1.95,48.13\n\n\n${rows(3).join('\n')}\n\n"P5,-1.95,48.13\n${rows(10).join('\n')}\n`;
    await expect(readCsv('runaway.csv', text)).rejects.toThrow(
      'runaway.csv: row 5 (from line 10) opens a quoted value that is never closed: expected a closing quote before the end of the file (a quote inside a quoted value is written twice: "")',
    );
  });

  it('refuses a runaway quote past the record size bound, before reading the rest of the file', async () => {
    const line = 'P,-1.95,48.13,' + 'x'.repeat(1000);
    const body = Array.from({ length: Math.ceil(MAX_CSV_RECORD_CHARS / line.length) + 10 }, () => line).join('\n');
    await expect(readCsv('huge.csv', `name,lon,lat,note\n"P1,-1.95,48.13\n${body}\n`)).rejects.toThrow(
      /^huge\.csv: row 1 \(from line 2\) is still inside a quoted value at line [\d,]+, past 16,777,216 characters: expected a closing quote/,
    );
  });

  it('refuses a quote inside an unquoted value instead of guessing where the value ends', async () => {
    await expect(readCsv('stray.csv', 'name,lon,lat\nP1,-1.95,48.13\n12 rue "Les Pins",-1.95,48.13\n')).rejects.toThrow(
      'stray.csv: row 2 (from line 3), field 1: a quote inside an unquoted value: expected the whole value quoted and its quotes doubled ("12 rue ""Les Pins""")',
    );
  });

  it('refuses a CSV that is not UTF-8 through the reader, where it once crashed the process with an unhandled stream error', async () => {
    await expect(readCsv('latin1.csv', Buffer.from('name,lon,lat\nB\xe9d\xe9e,-1.95,48.13\n', 'latin1'))).rejects.toThrow(
      'latin1.csv: not valid utf-8: pass --encoding windows-1252 (or the right one)',
    );
  });

  it('refuses a damaged header with the same care', async () => {
    await expect(openCsv(writeText(join(tmp.dir, 'header.csv'), 'name,"lon,lat\nP1,-1.95,48.13\n'), { name: 'header.csv' })).rejects.toThrow(
      /^header\.csv: the header \(line 1\) opens a quoted value that is never closed/,
    );
  });
});

describe('zip archives', () => {
  it('names the unsafe member names and says why', () => {
    expect(unsafeMemberName('livraison/zones.shp')).toBeUndefined();
    expect(unsafeMemberName('livraison/../../etc/passwd')).toBe('it climbs out of the archive with ".."');
    expect(unsafeMemberName('/etc/passwd')).toBe('it is an absolute path');
    expect(unsafeMemberName('c:/windows/zones.shp')).toBe('it is an absolute path');
    expect(unsafeMemberName('livraison\\zones.shp')).toBe('it holds a backslash, which Windows tools read as a folder separator');
  });

  it('bounds the bytes written, across entries, and the ratio only past the grace', () => {
    const limits = { ...ZIP_LIMITS, maxExtractedBytes: 1000, maxRatio: 10, ratioGraceBytes: 100 };
    expect(expansionProblem('a.dbf', 400, 1000, 500, limits)).toBeNull();
    expect(expansionProblem('a.dbf', 600, 1000, 500, limits)?.message).toBe('"a.dbf": the dataset expands past 1,000 bytes, the most an import extracts');
    expect(expansionProblem('a.dbf', 90, 1, 0, limits)).toBeNull();
    expect(expansionProblem('a.dbf', 101, 10, 0, limits)).toBeInstanceOf(SourceError);
    expect(expansionProblem('a.dbf', 101, 11, 0, limits)).toBeNull();
    expect(ZIP_LIMITS.maxExtractedBytes).toBe(2 * 1024 ** 3);
  });

  it('refuses archives past the limits it is given: entries, declared sizes, and bytes really written', async () => {
    const csv = Buffer.from('name,lon,lat\n' + 'P,-1.95,48.13\n'.repeat(100));
    const zip = await zipBuffers(join(tmp.dir, 'limits.zip'), [
      { name: 'a.csv', data: csv },
      { name: 'b.txt', data: Buffer.alloc(20_000) },
    ]);
    await expect(extractMember(zip, 'a.csv', { ...ZIP_LIMITS, maxEntries: 1 })).rejects.toThrow('the archive lists 2 entries, more than the 1 an import reads');
    await expect(extractMember(zip, 'a.csv', { ...ZIP_LIMITS, maxExtractedBytes: 1000 })).rejects.toThrow(/^"a\.csv" declares 1,413 bytes uncompressed, more than the 1,000 bytes an import extracts$/);
    await expect(extractMember(zip, 'b.txt', { ...ZIP_LIMITS, maxRatio: 10, ratioGraceBytes: 1000 })).rejects.toThrow(
      /^"b\.txt": \d+ compressed bytes expand past [\d,]+ bytes, more than 10 times: refused as a zip bomb/,
    );
    const extracted = await extractMember(zip, 'a.csv');
    expect(readFileSync(extracted.path)).toEqual(csv);
    expect(extracted.name).toBe('a.csv');
    extracted.cleanup();
  });
});
