// GeoJSON geometries to hex EWKB for the staging table (2D, shaped for the layer), and WKB back
// to GeoJSON for sources that store WKB (GeoPackage).
import type { Geometry, Position } from 'geojson';
import type { GeometryType } from '../core/layers/layer-def.ts';

export type EncodedGeometry =
  | { ok: true; hex: string; /** rings closed or degenerate rings dropped */ repaired: boolean }
  | { ok: false; reason: string };

const WKB_POINT = 1;
const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;
const EWKB_SRID_FLAG = 0x20000000;

/** One buffer reused for every encoding: only the hex string of each geometry is allocated. */
let scratchBuffer = Buffer.allocUnsafe(64 * 1024);
function scratch(size: number): Buffer {
  if (size > scratchBuffer.length) scratchBuffer = Buffer.allocUnsafe(Math.max(size, 2 * scratchBuffer.length));
  return scratchBuffer;
}

/** Polygon rings after clean-up; `repaired` says whether anything had to change. */
interface CleanRings {
  rings: Position[][];
  repaired: boolean;
}

function finite(p: Position): boolean {
  return Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

/** Closes open rings and drops rings with fewer than 4 positions (a polygon needs 3 distinct corners). */
function cleanPolygon(rings: Position[][]): CleanRings | string {
  const out: Position[][] = [];
  let repaired = false;
  for (let i = 0; i < rings.length; i++) {
    let ring = rings[i]!;
    for (const p of ring) if (!finite(p)) return 'a coordinate is not a finite number';
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (first && last && (first[0] !== last[0] || first[1] !== last[1])) {
      ring = [...ring, first];
      repaired = true;
    }
    if (ring.length < 4) {
      if (i === 0) return 'its outer ring has fewer than 3 distinct corners';
      repaired = true;
      continue;
    }
    out.push(ring);
  }
  return { rings: out, repaired };
}

/** The polygons of a geometry for a MultiPolygon layer, or why it cannot be one. */
function polygonsOf(geometry: Geometry): Position[][][] | string {
  switch (geometry.type) {
    case 'Polygon':
      return [geometry.coordinates];
    case 'MultiPolygon':
      return geometry.coordinates;
    default:
      return `geometry type ${geometry.type} does not fit a polygon layer`;
  }
}

/**
 * Encodes a geometry as hex EWKB (with `srid`) shaped for the layer: a Point for Point layers
 * (a one-point MultiPoint is accepted), always a MultiPolygon for MultiPolygon layers; Z and M
 * are dropped. Structural problems that PostGIS would refuse to parse are caught here, per row.
 */
export function encodeGeometry(geometry: Geometry | null | undefined, target: GeometryType, srid: number): EncodedGeometry {
  if (!geometry) return { ok: false, reason: 'no geometry' };
  if (target === 'Point') {
    let point: Position | undefined;
    if (geometry.type === 'Point') point = geometry.coordinates;
    else if (geometry.type === 'MultiPoint' && geometry.coordinates.length === 1) point = geometry.coordinates[0];
    else if (geometry.type === 'MultiPoint') return { ok: false, reason: `a MultiPoint of ${geometry.coordinates.length} points does not fit a point layer` };
    else return { ok: false, reason: `geometry type ${geometry.type} does not fit a point layer` };
    if (!point || point.length < 2) return { ok: false, reason: 'empty point' };
    if (!finite(point)) return { ok: false, reason: 'a coordinate is not a finite number' };
    const buf = scratch(25);
    buf[0] = 1;
    buf.writeUInt32LE(WKB_POINT | EWKB_SRID_FLAG, 1);
    buf.writeUInt32LE(srid, 5);
    buf.writeDoubleLE(point[0]!, 9);
    buf.writeDoubleLE(point[1]!, 17);
    return { ok: true, hex: buf.toString('hex', 0, 25), repaired: false };
  }
  const polygons = polygonsOf(geometry);
  if (typeof polygons === 'string') return { ok: false, reason: polygons };
  const cleaned: Position[][][] = [];
  let repaired = false;
  for (const polygon of polygons) {
    if (polygon.length === 0) continue;
    const clean = cleanPolygon(polygon);
    if (typeof clean === 'string') return { ok: false, reason: `polygon ${cleaned.length + 1}: ${clean}` };
    repaired ||= clean.repaired;
    cleaned.push(clean.rings);
  }
  if (cleaned.length === 0) return { ok: false, reason: 'empty geometry' };
  let size = 1 + 4 + 4 + 4;
  for (const polygon of cleaned) {
    size += 1 + 4 + 4;
    for (const ring of polygon) size += 4 + 16 * ring.length;
  }
  const buf = scratch(size);
  buf[0] = 1;
  buf.writeUInt32LE(WKB_MULTIPOLYGON | EWKB_SRID_FLAG, 1);
  buf.writeUInt32LE(srid, 5);
  buf.writeUInt32LE(cleaned.length, 9);
  let at = 13;
  for (const polygon of cleaned) {
    buf[at] = 1;
    buf.writeUInt32LE(WKB_POLYGON, at + 1);
    buf.writeUInt32LE(polygon.length, at + 5);
    at += 9;
    for (const ring of polygon) {
      buf.writeUInt32LE(ring.length, at);
      at += 4;
      for (const p of ring) {
        buf.writeDoubleLE(p[0]!, at);
        buf.writeDoubleLE(p[1]!, at + 8);
        at += 16;
      }
    }
  }
  return { ok: true, hex: buf.toString('hex', 0, size), repaired };
}

/** Reads ISO WKB or EWKB (any byte order; Z/M dropped) into a GeoJSON geometry. */
export function decodeWkb(bytes: Uint8Array): Geometry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  function read(): Geometry {
    const little = view.getUint8(at) === 1;
    const raw = view.getUint32(at + 1, little);
    at += 5;
    let type = raw & 0xffff;
    let dims = 2;
    if (raw & 0x80000000) dims++; // EWKB Z
    if (raw & 0x40000000) dims++; // EWKB M
    if (raw & EWKB_SRID_FLAG) at += 4;
    if (type > 1000) {
      // ISO WKB: 1000s add Z, 2000s add M, 3000s add both.
      const iso = Math.floor(type / 1000);
      dims = iso === 3 ? 4 : 3;
      type %= 1000;
    }
    const position = (): Position => {
      const p = [view.getFloat64(at, little), view.getFloat64(at + 8, little)];
      at += 8 * dims;
      return p;
    };
    const count = () => {
      const n = view.getUint32(at, little);
      at += 4;
      return n;
    };
    const positions = () => Array.from({ length: count() }, position);
    switch (type) {
      case 1:
        return { type: 'Point', coordinates: position() };
      case 2:
        return { type: 'LineString', coordinates: positions() };
      case 3:
        return { type: 'Polygon', coordinates: Array.from({ length: count() }, positions) };
      case 4:
        return { type: 'MultiPoint', coordinates: Array.from({ length: count() }, () => (read() as { coordinates: Position }).coordinates) };
      case 5:
        return { type: 'MultiLineString', coordinates: Array.from({ length: count() }, () => (read() as { coordinates: Position[] }).coordinates) };
      case 6:
        return { type: 'MultiPolygon', coordinates: Array.from({ length: count() }, () => (read() as { coordinates: Position[][] }).coordinates) };
      case 7:
        return { type: 'GeometryCollection', geometries: Array.from({ length: count() }, read) };
      default:
        throw new Error(`unsupported WKB geometry type ${type}`);
    }
  }
  return read();
}
