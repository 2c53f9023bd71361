// GeoJSON as a feature source: the `features` array streamed one feature at a time (stream-json),
// never the whole document in memory.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import type { Feature, Geometry, Position } from 'geojson';
import { isGeometryObject } from 'geojson-validation';
import { SourceError, type CrsHint, type FeatureSource, type SourceRecord } from './source.ts';

/**
 * The coordinate system named by a legacy `crs` member (GeoJSON 2008), read from the head of the
 * file; RFC 7946 GeoJSON has none and is longitude/latitude.
 */
export function crsFromHead(head: string): CrsHint {
  const match = /"crs"\s*:\s*\{[^{}]*"properties"\s*:\s*\{[^{}]*"name"\s*:\s*"([^"]+)"/.exec(head);
  if (!match) return { kind: 'lonlat', origin: 'GeoJSON (RFC 7946: WGS84 longitude/latitude)' };
  const name = match[1]!;
  if (/CRS84$/i.test(name)) return { kind: 'lonlat', origin: `crs member ${name}` };
  const epsg = /EPSG:{1,2}(?:[\d.]*:)?(\d+)$/i.exec(name);
  if (epsg) return { kind: 'epsg', srid: Number(epsg[1]), origin: `crs member ${name}` };
  throw new SourceError(`the GeoJSON crs member "${name}" is not an EPSG code: pass --srs`);
}

// What the encoder repairs for every format (closing a ring) or judges itself (a ring too short to
// close a polygon), so the GeoJSON check leaves it to the encoder.
const REPAIRABLE = ['The first and last positions must be equivalent', 'coordinates must have at least four positions'];

/**
 * Why a feature's geometry is not an RFC 7946 geometry (wrong nesting, non-numeric coordinates,
 * unknown type…), or undefined when it is one or is null; checked before the geometry is encoded.
 * About 0.2 µs a position: under 2% of what parsing the file with stream-json takes.
 */
export function geometryProblem(geometry: unknown): string | undefined {
  if (geometry === null) return undefined;
  let problems: string[];
  try {
    problems = isGeometryObject(geometry, true);
  } catch {
    // geojson-validation 1.0.2 reads a ring's first and last positions without checking that they exist.
    return 'a polygon ring is empty or starts or ends with a null position';
  }
  const left = problems.filter((p) => !REPAIRABLE.some((r) => p.endsWith(r)));
  return left.length ? left.join('; ') : undefined;
}

function firstPosition(geometry: Geometry | null): Position | undefined {
  if (!geometry || geometry.type === 'GeometryCollection') return undefined;
  let c: unknown = geometry.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && c.length >= 2 ? (c as Position) : undefined;
}

export async function openGeoJson(path: string): Promise<FeatureSource> {
  const { size } = await stat(path);
  const handle = await open(path, 'r');
  const headBuf = Buffer.alloc(Math.min(size, 64 * 1024));
  await handle.read(headBuf, 0, headBuf.length, 0);
  await handle.close();
  const crs = crsFromHead(headBuf.toString('utf8'));

  const input = createReadStream(path);
  const features = pipeline(input, parser.asStream(), pick.asStream({ filter: 'features' }), streamArray.asStream(), () => undefined);
  const iterator = features[Symbol.asyncIterator]() as AsyncIterator<{ key: number; value: Feature }>;
  let row = 0;

  const toRecord = (feature: Feature): SourceRecord => {
    row++;
    const properties = feature && typeof feature.properties === 'object' && feature.properties ? feature.properties : {};
    if (!feature || feature.type !== 'Feature') return { row, properties: {}, geometry: null, error: 'not a GeoJSON Feature' };
    const problem = geometryProblem(feature.geometry ?? null);
    if (problem) return { row, properties, geometry: null, error: `features[${row - 1}].geometry is not valid GeoJSON: ${problem}` };
    return { row, properties, geometry: feature.geometry ?? null };
  };

  let first: SourceRecord | undefined;
  try {
    const next = await iterator.next();
    if (!next.done) first = toRecord(next.value.value);
  } catch (error) {
    input.destroy();
    throw new SourceError(`not a readable GeoJSON FeatureCollection: ${(error as Error).message}`);
  }
  const start = firstPosition(first?.geometry ?? null);

  return {
    format: 'geojson',
    fields: first ? Object.keys(first.properties) : [],
    geometryFields: [],
    crs,
    samplePositions: start ? [[start[0]!, start[1]!]] : [],
    details: {},
    warnings: first ? [] : ['no features found (expected a FeatureCollection with a "features" array)'],
    progress: () => ({ done: input.bytesRead, total: size, unit: 'bytes' }),
    async *records(): AsyncGenerator<SourceRecord> {
      if (!first) return;
      yield first;
      for (;;) {
        let next;
        try {
          next = await iterator.next();
        } catch (error) {
          throw new SourceError(`GeoJSON syntax error after feature ${row}: ${(error as Error).message}`);
        }
        if (next.done) return;
        yield toRecord(next.value.value);
      }
    },
    async close() {
      input.destroy();
      features.destroy();
    },
  };
}
