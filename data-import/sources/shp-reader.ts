// Streaming .shp reader: one record at a time into GeoJSON, with ring roles taken from winding as
// the ESRI specification says (clockwise outer rings, anticlockwise holes).
import type { Geometry, Position } from 'geojson';
import { ChunkedFile, NEED_MORE } from './chunked-file.ts';
import { SourceError } from './source.ts';

export interface ShpHeader {
  shapeType: number;
  /** [minX, minY, maxX, maxY] in source coordinates. */
  bbox: [number, number, number, number];
}

/** Shape type numbers of the specification, by family. */
const POINT = new Set([1, 11, 21]);
const MULTIPOINT = new Set([8, 18, 28]);
const POLYLINE = new Set([3, 13, 23]);
const POLYGON = new Set([5, 15, 25]);

export type ShpRecord = { geometry: Geometry | null } | { error: string };

export class ShpReader {
  /** Bytes the next record needs buffered (its header, then header and content). */
  private needed = 8;

  private constructor(
    private readonly file: ChunkedFile,
    readonly header: ShpHeader,
  ) {}

  static async open(path: string): Promise<ShpReader> {
    const file = await ChunkedFile.open(path);
    const head = await file.read(100);
    if (head.length < 100 || head.readInt32BE(0) !== 9994) throw new SourceError(`${path}: not a shapefile (bad header)`);
    const shapeType = head.readInt32LE(32);
    if (!POINT.has(shapeType) && !MULTIPOINT.has(shapeType) && !POLYLINE.has(shapeType) && !POLYGON.has(shapeType) && shapeType !== 0) {
      throw new SourceError(`${path}: shape type ${shapeType} is not supported (points, multipoints, lines and polygons are)`);
    }
    const bbox: ShpHeader['bbox'] = [head.readDoubleLE(36), head.readDoubleLE(44), head.readDoubleLE(52), head.readDoubleLE(60)];
    return new ShpReader(file, { shapeType, bbox });
  }

  /**
   * The next record's geometry (null for a null shape) or a reason it cannot be read; NEED_MORE
   * when it is not buffered yet (await refill(), then call again); undefined at the end.
   */
  next(): ShpRecord | undefined | typeof NEED_MORE {
    const file = this.file;
    if (file.available < 8) {
      if (!file.atEnd) {
        this.needed = 8;
        return NEED_MORE;
      }
      return undefined;
    }
    const buf = file.buffer;
    const bytes = buf.readInt32BE(file.offset + 4) * 2;
    if (file.available < 8 + bytes) {
      if (file.atEnd) throw new SourceError('the .shp ends in the middle of a record');
      this.needed = 8 + bytes;
      return NEED_MORE;
    }
    file.take(8);
    return parseShape(buf, file.take(bytes), bytes);
  }

  /** Buffers what next() asked for. */
  refill(): Promise<void> {
    return this.file.refill(this.needed);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Parses one record's content (shape type first) at `o` in `c`. */
export function parseShape(c: Buffer, o: number, length: number): ShpRecord {
  if (length < 4) return { error: 'truncated shape record' };
  const type = c.readInt32LE(o);
  if (type === 0) return { geometry: null };
  if (POINT.has(type)) {
    if (length < 20) return { error: 'truncated point record' };
    return { geometry: { type: 'Point', coordinates: [c.readDoubleLE(o + 4), c.readDoubleLE(o + 12)] } };
  }
  if (length < 44) return { error: 'truncated shape record' };
  if (MULTIPOINT.has(type)) {
    const n = c.readInt32LE(o + 36);
    if (n < 0 || 40 + 16 * n > length) return { error: 'truncated multipoint record' };
    const coordinates: Position[] = [];
    for (let i = 0, at = o + 40; i < n; i++, at += 16) coordinates.push([c.readDoubleLE(at), c.readDoubleLE(at + 8)]);
    return { geometry: { type: 'MultiPoint', coordinates } };
  }
  const parts = c.readInt32LE(o + 36);
  const points = c.readInt32LE(o + 40);
  const first = 44 + 4 * parts;
  if (parts < 0 || points < 0 || first + 16 * points > length) return { error: 'truncated shape record' };
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
