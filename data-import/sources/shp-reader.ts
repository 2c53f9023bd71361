// Streaming .shp reader: one record at a time into GeoJSON, checked against the file's size and its
// .shx, with ring roles taken from winding as the ESRI specification says (clockwise outer rings,
// anticlockwise holes).
import type { Geometry, Position } from 'geojson';
import { ChunkedFile, NEED_MORE } from './chunked-file.ts';
import { SourceError, formatCount } from './source.ts';

export interface ShpHeader {
  shapeType: number;
  /** [minX, minY, maxX, maxY] in source coordinates. */
  bbox: [number, number, number, number];
}

/** Shape type numbers of the specification, by name. */
const SHAPE_NAMES: Record<number, string> = {
  0: 'Null', 1: 'Point', 3: 'PolyLine', 5: 'Polygon', 8: 'MultiPoint', 11: 'PointZ', 13: 'PolyLineZ', 15: 'PolygonZ',
  18: 'MultiPointZ', 21: 'PointM', 23: 'PolyLineM', 25: 'PolygonM', 28: 'MultiPointM',
};
const POINT = new Set([1, 11, 21]);
const MULTIPOINT = new Set([8, 18, 28]);
const POLYLINE = new Set([3, 13, 23]);
const POLYGON = new Set([5, 15, 25]);
const WITH_Z = new Set([11, 13, 15, 18]);
const WITH_M = new Set([21, 23, 25, 28]);

/**
 * No record's content may exceed this (16 million points): a bound on what one record can make the
 * reader buffer, whatever its header says, far above any real feature.
 */
export const MAX_SHP_RECORD_BYTES = 256 * 1024 * 1024;

export type ShpRecord = { geometry: Geometry | null } | { error: string };

/** Where a .shp and its optional .shx are, and the names messages give them. */
export interface ShpFiles {
  shp: string;
  shx?: string;
  /** Names for messages (the archive member's, not a temporary file's). */
  shpName: string;
  shxName?: string;
}

/**
 * Reads a .shp record by record without trusting it: the header's file length must be the real
 * size; each record must carry the next number, fit in what is left of the file (checked before
 * anything is buffered for it) and hold exactly the bytes its shape type and counts need; and
 * when a .shx is there, each of its entries must point at the record actually read.
 */
export class ShpReader {
  /** Bytes the next record needs buffered (its header, then header and content). */
  private needed = 8;
  /** Records read so far. */
  private count = 0;
  /** Content length of the record whose header has been checked but whose content is not buffered yet. */
  private pending = -1;

  private constructor(
    private readonly file: ChunkedFile,
    private readonly index: ChunkedFile | undefined,
    private readonly names: ShpFiles,
    readonly header: ShpHeader,
    /** The number of records the .shx indexes, when there is one. */
    readonly indexedCount: number | undefined,
  ) {}

  static async open(files: ShpFiles): Promise<ShpReader> {
    const file = await ChunkedFile.open(files.shp);
    let index: ChunkedFile | undefined;
    try {
      const head = await file.read(100);
      const header = checkShpHeader(head, file.size, files.shpName);
      let indexedCount: number | undefined;
      if (files.shx) {
        // Small chunks: the index is read in step with the .shp, 8 bytes per record.
        index = await ChunkedFile.open(files.shx, 64 * 1024);
        indexedCount = checkShxHeader(await index.read(100), index.size, files.shxName ?? files.shx);
      }
      return new ShpReader(file, index, files, header, indexedCount);
    } catch (error) {
      await Promise.all([file.close(), index?.close()]);
      throw error;
    }
  }

  /**
   * The next record's geometry (null for a null shape) or a reason it cannot be read; NEED_MORE
   * when it is not buffered yet (await refill(), then call again); undefined at the end. Throws a
   * SourceError, naming the record and its byte offset, when the file contradicts itself.
   */
  next(): ShpRecord | undefined | typeof NEED_MORE {
    const file = this.file;
    if (this.pending < 0) {
      if (file.available < 8) {
        if (!file.atEnd) return this.want(8);
        if (file.available > 0) {
          throw this.fail(`${file.available} bytes are left at byte ${formatCount(file.position)} after record ${this.count}, too few for a record header (8 bytes)`);
        }
        if (this.indexedCount !== undefined && this.indexedCount !== this.count) {
          throw new SourceError(`${this.names.shxName}: indexes ${formatCount(this.indexedCount)} records but ${this.names.shpName} holds ${formatCount(this.count)}`);
        }
        return undefined;
      }
      if (this.index && this.index.available < 8 && this.count < this.indexedCount!) return this.want(8);
      this.pending = this.checkRecordHeader();
    }
    const content = this.pending;
    if (file.available < 8 + content) return this.want(8 + content);
    const at = file.position;
    file.take(8);
    const o = file.take(content);
    this.pending = -1;
    this.count++;
    const problem = shapeLengthProblem(file.buffer, o, content, this.header.shapeType);
    if (problem) throw new SourceError(`${this.names.shpName}: record ${formatCount(this.count)} at byte ${formatCount(at)}: ${problem}`);
    return parseShape(file.buffer, o);
  }

  /** Checks the buffered record header (and its .shx entry) and returns its content length. */
  private checkRecordHeader(): number {
    const file = this.file;
    const n = this.count + 1;
    const at = file.position;
    const number = file.buffer.readInt32BE(file.offset);
    const words = file.buffer.readInt32BE(file.offset + 4);
    // Built only for a message: toLocaleString on every record cost a 5,000-point file 0.17 s.
    const where = () => `record ${formatCount(n)} at byte ${formatCount(at)}`;
    if (number !== n) throw this.fail(`${where()} is numbered ${number}: records are numbered in sequence from 1`);
    if (words < 2) throw this.fail(`${where()} says its content is ${words * 2} bytes: expected at least 4 (the shape type)`);
    const content = words * 2;
    if (8 + content > file.remaining) {
      throw this.fail(`${where()} says its content is ${formatCount(content)} bytes but only ${formatCount(file.remaining - 8)} follow its header: the file is cut short or the length is wrong`);
    }
    if (content > MAX_SHP_RECORD_BYTES) throw this.fail(`${where()} says its content is ${formatCount(content)} bytes, more than the ${MAX_SHP_RECORD_BYTES / 2 ** 20} MiB a record may hold`);
    if (this.index) {
      if (n > this.indexedCount!) throw new SourceError(`${this.names.shxName}: indexes ${formatCount(this.indexedCount!)} records but ${this.names.shpName} holds more (${where()})`);
      const entry = this.index.take(8);
      const offset = this.index.buffer.readInt32BE(entry) * 2;
      const length = this.index.buffer.readInt32BE(entry + 4);
      if (offset !== at || length !== words) {
        throw new SourceError(
          `${this.names.shxName}: entry ${formatCount(n)} says record ${formatCount(n)} is at byte ${formatCount(offset)} with ${formatCount(length * 2)} bytes of content, ` +
            `but in ${this.names.shpName} it is at byte ${formatCount(at)} with ${formatCount(content)}`,
        );
      }
    }
    return content;
  }

  private want(n: number): typeof NEED_MORE {
    this.needed = n;
    return NEED_MORE;
  }

  private fail(message: string): SourceError {
    return new SourceError(`${this.names.shpName}: ${message}`);
  }

  /** Buffers what next() asked for. */
  async refill(): Promise<void> {
    await Promise.all([this.file.refill(this.needed), this.index?.refill(8)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.file.close(), this.index?.close()]);
  }
}

/** Reads a .shp header, checking its file code, its length against the real size and its shape type. */
export function checkShpHeader(head: Buffer, size: number, name: string): ShpHeader {
  if (head.length < 100 || head.readInt32BE(0) !== 9994) throw new SourceError(`${name}: not a shapefile (expected file code 9994 in a 100-byte header)`);
  const declared = head.readInt32BE(24) * 2;
  if (declared !== size) {
    throw new SourceError(
      `${name}: the header says the file is ${formatCount(declared)} bytes long but it holds ${formatCount(size)}` +
        (declared > size ? ': it was cut short' : ': data follows the end the header states'),
    );
  }
  const shapeType = head.readInt32LE(32);
  if (!POINT.has(shapeType) && !MULTIPOINT.has(shapeType) && !POLYLINE.has(shapeType) && !POLYGON.has(shapeType) && shapeType !== 0) {
    throw new SourceError(`${name}: shape type ${shapeType} is not supported (points, multipoints, lines and polygons are)`);
  }
  return { shapeType, bbox: [head.readDoubleLE(36), head.readDoubleLE(44), head.readDoubleLE(52), head.readDoubleLE(60)] };
}

/** Reads a .shx header and returns how many records it indexes: its size must be 100 + 8 × records, as its header says. */
export function checkShxHeader(head: Buffer, size: number, name: string): number {
  if (head.length < 100 || head.readInt32BE(0) !== 9994) throw new SourceError(`${name}: not a shapefile index (expected file code 9994 in a 100-byte header)`);
  const declared = head.readInt32BE(24) * 2;
  if (declared !== size) throw new SourceError(`${name}: the header says the file is ${formatCount(declared)} bytes long but it holds ${formatCount(size)}`);
  if ((size - 100) % 8 !== 0) throw new SourceError(`${name}: ${formatCount(size)} bytes is not 100 + 8 × a number of records (it ends ${(size - 100) % 8} bytes into an entry)`);
  return (size - 100) / 8;
}

/**
 * Why a record's content (`length` ≥ 4 bytes at `o`) disagrees with its shape, or undefined when it
 * agrees: a record holds exactly the bytes its type and its part and point counts need. The M
 * values of M and Z types may be missing: shapelib (GDAL's reader) reads them only when the
 * record is long enough.
 */
export function shapeLengthProblem(c: Buffer, o: number, length: number, fileType: number): string | undefined {
  const type = c.readInt32LE(o);
  const name = SHAPE_NAMES[type];
  if (type === 0) return length === 4 ? undefined : `a null shape holds 4 bytes of content, not ${formatCount(length)}`;
  if (type !== fileType) return `shape type ${type}${name ? ` (${name})` : ''} in a file of ${SHAPE_NAMES[fileType]} shapes`;
  let base: number;
  let points: number;
  let counts = '';
  if (POINT.has(type)) {
    base = 20;
    points = 1;
  } else if (MULTIPOINT.has(type)) {
    if (length < 40) return `a ${name} record needs at least 40 bytes of content, not ${length}`;
    points = c.readInt32LE(o + 36);
    if (points < 0) return `a ${name} record with ${points} points: expected 0 or more`;
    base = 40 + 16 * points;
    counts = ` with ${formatCount(points)} points`;
  } else {
    if (length < 44) return `a ${name} record needs at least 44 bytes of content, not ${length}`;
    const parts = c.readInt32LE(o + 36);
    points = c.readInt32LE(o + 40);
    if (parts < 0 || points < 0) return `a ${name} record with ${parts} parts and ${points} points: expected 0 or more of each`;
    base = 44 + 4 * parts + 16 * points;
    counts = ` with ${formatCount(parts)} parts and ${formatCount(points)} points`;
  }
  // Z (and M) come as a range (16 bytes) and one value per point, except for single points.
  const measure = POINT.has(type) ? 8 : 16 + 8 * points;
  const full = WITH_Z.has(type) ? base + measure : base;
  const optionalM = WITH_Z.has(type) || WITH_M.has(type);
  if (length === full || (optionalM && length === full + measure)) return undefined;
  return `a ${name} record${counts} holds ${formatCount(full)} bytes of content${optionalM ? ` (${formatCount(full + measure)} with M values)` : ''}, not ${formatCount(length)}`;
}

/** Parses one record's content (shape type first) at `o` in `c`, its length already checked. */
export function parseShape(c: Buffer, o: number): ShpRecord {
  const type = c.readInt32LE(o);
  if (type === 0) return { geometry: null };
  if (POINT.has(type)) return { geometry: { type: 'Point', coordinates: [c.readDoubleLE(o + 4), c.readDoubleLE(o + 12)] } };
  if (MULTIPOINT.has(type)) {
    const n = c.readInt32LE(o + 36);
    const coordinates: Position[] = [];
    for (let i = 0, at = o + 40; i < n; i++, at += 16) coordinates.push([c.readDoubleLE(at), c.readDoubleLE(at + 8)]);
    return { geometry: { type: 'MultiPoint', coordinates } };
  }
  const parts = c.readInt32LE(o + 36);
  const points = c.readInt32LE(o + 40);
  const first = 44 + 4 * parts;
  const rings: Position[][] = [];
  for (let p = 0; p < parts; p++) {
    const start = c.readInt32LE(o + 44 + 4 * p);
    const end = p + 1 < parts ? c.readInt32LE(o + 48 + 4 * p) : points;
    if (start < 0 || end > points || start > end) return { error: 'bad part index in shape record' };
    const ring: Position[] = new Array(end - start);
    for (let i = start, at = o + first + 16 * start; i < end; i++, at += 16) ring[i - start] = [c.readDoubleLE(at), c.readDoubleLE(at + 8)];
    rings.push(ring);
  }
  if (POLYLINE.has(type)) {
    return { geometry: rings.length === 1 ? { type: 'LineString', coordinates: rings[0]! } : { type: 'MultiLineString', coordinates: rings } };
  }
  return { geometry: assemblePolygons(rings) };
}

/** Twice the ring's area (trapezoid sum), positive when the ring turns clockwise (y up). */
function clockwiseArea2(ring: Position[]): number {
  let sum = 0;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) sum += (ring[i]![0]! - ring[j]![0]!) * (ring[i]![1]! + ring[j]![1]!);
  return sum;
}

/** Even-odd point-in-ring test. */
function ringContains(ring: Position[], [x, y]: Position): boolean {
  let inside = false;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > y! !== yj! > y! && x! < ((xj! - xi!) * (y! - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  return inside;
}

/**
 * Groups rings into polygons: clockwise rings are outers, anticlockwise ones holes, each hole
 * going to the smallest outer that contains it; a hole inside no outer is kept as an outer (the
 * repair step then decides). One outer gives a Polygon, several a MultiPolygon.
 */
export function assemblePolygons(rings: Position[][]): Geometry {
  const outers: { ring: Position[]; area: number; holes: Position[][] }[] = [];
  const holes: Position[][] = [];
  for (const ring of rings) {
    const area = clockwiseArea2(ring);
    if (area >= 0) outers.push({ ring, area, holes: [] });
    else holes.push(ring);
  }
  if (outers.length === 0 && holes.length > 0) {
    // Every ring anticlockwise: a writer that ignored the specification; read them as outers.
    for (const ring of holes.splice(0)) outers.push({ ring, area: -clockwiseArea2(ring), holes: [] });
  }
  for (const hole of holes) {
    let best: (typeof outers)[number] | undefined;
    if (outers.length === 1) best = outers[0];
    else {
      for (const outer of outers) {
        if ((!best || outer.area < best.area) && hole.some((p) => ringContains(outer.ring, p))) best = outer;
      }
    }
    if (best) best.holes.push(hole);
    else outers.push({ ring: hole, area: -clockwiseArea2(hole), holes: [] });
  }
  if (outers.length === 1) return { type: 'Polygon', coordinates: [outers[0]!.ring, ...outers[0]!.holes] };
  return { type: 'MultiPolygon', coordinates: outers.map((o) => [o.ring, ...o.holes]) };
}
