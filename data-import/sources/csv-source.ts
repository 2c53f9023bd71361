// CSV as a feature source: `;`, `,` or tab sniffed from the header, geometry from lon/lat, x/y or
// WKT columns, text decoded strictly (UTF-8 by default), read as a stream.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { createTextDecoder, requireEncoding, type ResolvedEncoding, type TextEncodingName } from './encoding.ts';
import { SourceError, type CrsHint, type FeatureSource, type SourceRecord } from './source.ts';

/** Which columns hold the geometry. */
export type CsvGeometryColumns = { lon: string; lat: string } | { x: string; y: string } | { wkt: string };

export interface CsvOptions {
  encoding?: string;
  /** Field delimiter; sniffed from the header line when absent. */
  delimiter?: string;
  /** Geometry columns; found by their usual names when absent. */
  geometry?: CsvGeometryColumns;
}

const LONLAT_NAMES: [string, string][] = [['lon', 'lat'], ['longitude', 'latitude'], ['lng', 'lat'], ['long', 'lat']];
const XY_NAMES: [string, string][] = [['x', 'y'], ['coord_x', 'coord_y'], ['x_l93', 'y_l93']];
const WKT_NAMES = ['wkt', 'geom', 'geometry', 'the_geom', 'geometrie', 'wkt_geom'];

/** Picks the delimiter that splits the header line into the most fields (quotes respected). */
export function sniffDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of [';', ',', '\t', '|']) {
    let count = 0;
    let quoted = false;
    for (const ch of headerLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === candidate && !quoted) count++;
    }
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Finds the geometry columns among the header's names (case-insensitive). */
export function findGeometryColumns(fields: readonly string[]): CsvGeometryColumns | undefined {
  const byLower = new Map(fields.map((f) => [f.toLowerCase(), f]));
  for (const [a, b] of LONLAT_NAMES) if (byLower.has(a) && byLower.has(b)) return { lon: byLower.get(a)!, lat: byLower.get(b)! };
  for (const [a, b] of XY_NAMES) if (byLower.has(a) && byLower.has(b)) return { x: byLower.get(a)!, y: byLower.get(b)! };
  for (const name of WKT_NAMES) if (byLower.has(name)) return { wkt: byLower.get(name)! };
  return undefined;
}

/** Decodes a byte stream into text, strictly for UTF-8 so that a wrong encoding fails loudly. */
class DecodeStream extends Transform {
  private readonly decode: (chunk: Buffer) => string;
  private readonly flushDecoder: () => string;
  constructor(private readonly encoding: TextEncodingName) {
    super({ decodeStrings: true, readableObjectMode: false });
    if (encoding === 'utf-8') {
      // A character may straddle two chunks: the streaming decoder keeps the partial bytes.
      const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
      this.decode = (chunk) => decoder.decode(chunk, { stream: true });
      this.flushDecoder = () => decoder.decode();
    } else {
      this.decode = createTextDecoder(encoding);
      this.flushDecoder = () => '';
    }
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      done(null, this.decode(chunk));
    } catch {
      done(new SourceError(`the file is not valid ${this.encoding}: pass --encoding windows-1252 (or the right one)`));
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      done(null, this.flushDecoder());
    } catch {
      done(new SourceError(`the file is not valid ${this.encoding}: pass --encoding windows-1252 (or the right one)`));
    }
  }
}

/** Parses a coordinate written with a decimal point or a French decimal comma. */
export function parseCoordinate(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const value = Number(raw.trim().replace(',', '.'));
  return Number.isFinite(value) ? value : undefined;
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function openCsv(path: string, options: CsvOptions = {}): Promise<FeatureSource> {
  const encoding: ResolvedEncoding = options.encoding
    ? { encoding: requireEncoding(options.encoding), origin: 'option' }
    : { encoding: 'utf-8', origin: 'default' };
  const head = new TextDecoder(encoding.encoding === 'utf-8' ? 'utf-8' : 'latin1').decode(await readHead(path, 64 * 1024)).replace(/^\uFEFF/, '');
  const headerLine = head.split(/\r?\n/, 1)[0] ?? '';
  if (headerLine.trim() === '') throw new SourceError('the CSV file is empty or has no header line');
  const delimiter = options.delimiter ?? sniffDelimiter(headerLine);

  const { size } = await stat(path);
  const input = createReadStream(path);
  const parser = input
    .pipe(new DecodeStream(encoding.encoding))
    .pipe(parse({ delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }));
  input.on('error', (error) => parser.destroy(error));
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await iterator.next();
  if (first.done) throw new SourceError('the CSV file has no header line');
  const fields = first.value.map((f) => f.trim());
  const geometry = options.geometry ?? findGeometryColumns(fields);
  if (!geometry) {
    input.destroy();
    throw new SourceError(`no geometry columns found among ${fields.join(', ')}: expected lon/lat, x/y or a WKT column (or say which in the mapping)`);
  }
  for (const column of Object.values(geometry)) {
    if (!fields.includes(column)) {
      input.destroy();
      throw new SourceError(`geometry column "${column}" is not in the file (columns: ${fields.join(', ')})`);
    }
  }
  const index = new Map(fields.map((f, i) => [f, i]));
  let row = 0;

  function toRecord(values: string[]): SourceRecord {
    row++;
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) properties[fields[i]!] = values[i] ?? null;
    if ('wkt' in geometry!) {
      const wkt = values[index.get(geometry.wkt)!]?.trim();
      return wkt ? { row, properties, geometry: null, wkt } : { row, properties, geometry: null, error: 'empty WKT' };
    }
    const [xName, yName] = 'lon' in geometry! ? [geometry.lon, geometry.lat] : [geometry!.x, geometry!.y];
    const x = parseCoordinate(values[index.get(xName)!]);
    const y = parseCoordinate(values[index.get(yName)!]);
    if (x === undefined || y === undefined) return { row, properties, geometry: null, error: `no valid coordinates in ${xName}/${yName}` };
    return { row, properties, geometry: { type: 'Point', coordinates: [x, y] } };
  }

  // x/y columns say nothing about their coordinate system: the CRS step looks at a sample.
  const crs: CrsHint =
    'lon' in geometry
      ? { kind: 'lonlat', origin: `columns ${geometry.lon}/${geometry.lat}` }
      : { kind: 'none', origin: 'wkt' in geometry ? `WKT column ${geometry.wkt}` : `columns ${geometry.x}/${geometry.y}` };
  const sample: SourceRecord[] = [];
  for (let i = 0; i < 1000; i++) {
    const next = await iterator.next();
    if (next.done) break;
    sample.push(toRecord(next.value));
  }
  const samplePoints = sample.flatMap((r) => (r.geometry?.type === 'Point' ? [r.geometry.coordinates as [number, number]] : []));

  return {
    format: 'csv',
    fields,
    geometryFields: Object.values(geometry),
    crs,
    encoding,
    samplePositions: samplePoints,
    details: { delimiter: delimiter === '\t' ? 'tab' : delimiter, geometry: Object.values(geometry).join('/') },
    warnings: [],
    progress: () => ({ done: input.bytesRead, total: size, unit: 'bytes' }),
    async *records(): AsyncGenerator<SourceRecord> {
      yield* sample.splice(0);
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield toRecord(next.value);
      }
    },
    async close() {
      input.destroy();
      parser.destroy();
    },
  };
}
