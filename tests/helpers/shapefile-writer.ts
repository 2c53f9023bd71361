// A small streaming ESRI shapefile writer (.shp/.shx/.dbf, optional .prj/.cpg) for test and bench
// fixtures: records go straight to disk through a buffer, so a million features cost no memory.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';

export type ShapeKind = 'point' | 'pointz' | 'polygon' | 'polygonz';

export interface DbfField {
  /** At most 10 ASCII characters. */
  name: string;
  /** C text, N number, D date (YYYYMMDD), L logical. */
  type: 'C' | 'N' | 'D' | 'L';
  length: number;
  decimals?: number;
}

export interface ShapefileSpec {
  /** Path without extension: `<base>.shp`, `.shx`, `.dbf` (and `.prj`, `.cpg`) are written. */
  base: string;
  kind: ShapeKind;
  fields: readonly DbfField[];
  /** How text attributes are encoded in the .dbf. */
  encoding: 'utf-8' | 'windows-1252';
  /** Content of the .cpg file; omitted when undefined. */
  cpg?: string;
  /** DBF language-driver byte (offset 29): 0x57 / 0x03 mean Windows ANSI; 0 says nothing. */
  ldid?: number;
  /** Content of the .prj file (WKT); omitted when undefined. */
  prj?: string;
}

/** A point `[x, y]` (`[x, y, z]` for pointz), polygon rings (outer clockwise, holes anticlockwise), or null. */
export type ShapeGeometry = number[] | number[][][] | null;

const SHAPE_TYPE: Record<ShapeKind, number> = { point: 1, pointz: 11, polygon: 5, polygonz: 15 };

/** Windows-1252 bytes 0x80–0x9F that differ from Latin-1; every other character ≤ U+00FF is its own byte. */
const CP1252_HIGH: Record<string, number> = {
  '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a,
  '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
  '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
};

/** Encodes text as Windows-1252 (characters it lacks become `?`). */
export function encodeCp1252(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out[n++] = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : (CP1252_HIGH[ch] ?? 0x3f);
  }
  return out.subarray(0, n);
}

/** Buffered sequential writer on a file descriptor, able to patch the header at the end. */
class FileSink {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(1 << 20);
  private used = 0;
  written = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Records larger than the buffer get their own, written through by commit(). */
  private large: Buffer | undefined;

  /** A slice of `bytes` to fill, then commit(). */
  reserve(bytes: number): Buffer {
    if (this.used + bytes > this.buf.length) this.flush();
    if (bytes > this.buf.length) return (this.large = Buffer.alloc(bytes));
    return this.buf.subarray(this.used, this.used + bytes);
  }

  commit(bytes: number): void {
    if (this.large) {
      writeSync(this.fd, this.large);
      this.large = undefined;
    } else {
      this.used += bytes;
    }
    this.written += bytes;
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  close(header?: Buffer): void {
    this.flush();
    if (header) writeSync(this.fd, header, 0, header.length, 0);
    closeSync(this.fd);
  }
}

export interface ShapefileWriter {
  /** Appends one record; attributes are keyed by field name (missing ones are blank). */
  write(geometry: ShapeGeometry, attributes: Record<string, string | number | boolean | null | undefined>): void;
  /** Writes the headers (lengths, bbox, record count) and closes the files. */
  close(): void;
}

/** Opens a shapefile for writing; records are streamed to disk as they come. */
export function createShapefileWriter(spec: ShapefileSpec): ShapefileWriter {
  const shp = new FileSink(`${spec.base}.shp`);
  const shx = new FileSink(`${spec.base}.shx`);
  const dbf = new FileSink(`${spec.base}.dbf`);
  const type = SHAPE_TYPE[spec.kind];
  const hasZ = spec.kind === 'pointz' || spec.kind === 'polygonz';
  const bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const recordLength = 1 + spec.fields.reduce((sum, f) => sum + f.length, 0);
  const dbfHeaderLength = 32 + 32 * spec.fields.length + 1;
  const encode = spec.encoding === 'utf-8' ? (s: string) => Buffer.from(s, 'utf8') : encodeCp1252;
  let count = 0;

  shp.reserve(100).fill(0);
  shp.commit(100);
  shx.reserve(100).fill(0);
  shx.commit(100);
  dbf.reserve(dbfHeaderLength).fill(0);
  dbf.commit(dbfHeaderLength);

  const extend = (x: number, y: number) => {
    if (x < bbox[0]!) bbox[0] = x;
    if (y < bbox[1]!) bbox[1] = y;
    if (x > bbox[2]!) bbox[2] = x;
    if (y > bbox[3]!) bbox[3] = y;
  };

  function shapeBytes(geometry: ShapeGeometry): number {
    if (geometry === null) return 4;
    if (spec.kind === 'point') return 20;
    if (spec.kind === 'pointz') return 36;
    const rings = geometry as number[][][];
    const points = rings.reduce((n, r) => n + r.length, 0);
    return 44 + 4 * rings.length + 16 * points + (hasZ ? 16 + 8 * points + 16 + 8 * points : 0);
  }

  function writeShape(out: Buffer, geometry: ShapeGeometry): void {
    if (geometry === null) {
      out.writeInt32LE(0, 0);
      return;
    }
    out.writeInt32LE(type, 0);
    if (spec.kind === 'point' || spec.kind === 'pointz') {
      const [x, y, z = 0] = geometry as number[];
      out.writeDoubleLE(x!, 4);
      out.writeDoubleLE(y!, 12);
      if (hasZ) {
        out.writeDoubleLE(z, 20);
        out.writeDoubleLE(0, 28);
      }
      extend(x!, y!);
      return;
    }
    const rings = geometry as number[][][];
    const points = rings.reduce((n, r) => n + r.length, 0);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const ring of rings) for (const [x, y] of ring) {
      if (x! < minX) minX = x!;
      if (y! < minY) minY = y!;
      if (x! > maxX) maxX = x!;
      if (y! > maxY) maxY = y!;
    }
    extend(minX, minY);
    extend(maxX, maxY);
    out.writeDoubleLE(minX, 4);
    out.writeDoubleLE(minY, 12);
    out.writeDoubleLE(maxX, 20);
    out.writeDoubleLE(maxY, 28);
    out.writeInt32LE(rings.length, 36);
    out.writeInt32LE(points, 40);
    let offset = 44;
    let start = 0;
    for (const ring of rings) {
      out.writeInt32LE(start, offset);
      offset += 4;
      start += ring.length;
    }
    for (const ring of rings) for (const [x, y] of ring) {
      out.writeDoubleLE(x!, offset);
      out.writeDoubleLE(y!, offset + 8);
      offset += 16;
    }
    if (hasZ) {
      // Z range and values, then M range and values: all zero is enough to exercise "drop Z/M".
      out.fill(0, offset, offset + 2 * (16 + 8 * points));
    }
  }

  function writeRecord(attributes: Record<string, string | number | boolean | null | undefined>): void {
    const out = dbf.reserve(recordLength);
    out.fill(0x20);
    let offset = 1;
    for (const field of spec.fields) {
      const value = attributes[field.name];
      if (value !== null && value !== undefined) {
        let bytes: Buffer;
        if (field.type === 'N') {
          const text = typeof value === 'number' ? value.toFixed(field.decimals ?? 0) : String(value);
          bytes = Buffer.from(text.padStart(field.length, ' ').slice(-field.length), 'latin1');
        } else if (field.type === 'L') {
          bytes = Buffer.from(value ? 'T' : 'F', 'latin1');
        } else {
          bytes = encode(String(value)).subarray(0, field.length);
        }
        bytes.copy(out, offset);
      }
      offset += field.length;
    }
    dbf.commit(recordLength);
  }

  return {
    write(geometry, attributes) {
      const contentBytes = shapeBytes(geometry);
      const offsetWords = shp.written / 2;
      const record = shp.reserve(8 + contentBytes);
      record.writeInt32BE(count + 1, 0);
      record.writeInt32BE(contentBytes / 2, 4);
      writeShape(record.subarray(8), geometry);
      shp.commit(8 + contentBytes);
      const index = shx.reserve(8);
      index.writeInt32BE(offsetWords, 0);
      index.writeInt32BE(contentBytes / 2, 4);
      shx.commit(8);
      writeRecord(attributes);
      count++;
    },
    close() {
      const header = (fileBytes: number) => {
        const h = Buffer.alloc(100);
        h.writeInt32BE(9994, 0);
        h.writeInt32BE(fileBytes / 2, 24);
        h.writeInt32LE(1000, 28);
        h.writeInt32LE(type, 32);
        const [minX, minY, maxX, maxY] = count > 0 && Number.isFinite(bbox[0]) ? bbox : [0, 0, 0, 0];
        h.writeDoubleLE(minX!, 36);
        h.writeDoubleLE(minY!, 44);
        h.writeDoubleLE(maxX!, 52);
        h.writeDoubleLE(maxY!, 60);
        return h;
      };
      shp.close(header(shp.written));
      shx.close(header(shx.written));
      const end = dbf.reserve(1);
      end[0] = 0x1a;
      dbf.commit(1);
      const h = Buffer.alloc(dbfHeaderLength);
      const now = new Date();
      h[0] = 0x03;
      h[1] = now.getUTCFullYear() - 1900;
      h[2] = now.getUTCMonth() + 1;
      h[3] = now.getUTCDate();
      h.writeUInt32LE(count, 4);
      h.writeUInt16LE(dbfHeaderLength, 8);
      h.writeUInt16LE(recordLength, 10);
      h[29] = spec.ldid ?? 0;
      spec.fields.forEach((field, i) => {
        const at = 32 + 32 * i;
        h.write(field.name.slice(0, 10), at, 'latin1');
        h[at + 11] = field.type.charCodeAt(0);
        h[at + 16] = field.length;
        h[at + 17] = field.decimals ?? 0;
      });
      h[dbfHeaderLength - 1] = 0x0d;
      dbf.close(h);
      if (spec.prj !== undefined) writeFileSync(`${spec.base}.prj`, spec.prj);
      if (spec.cpg !== undefined) writeFileSync(`${spec.base}.cpg`, spec.cpg);
    },
  };
}
