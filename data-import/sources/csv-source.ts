// CSV as a feature source: `;`, `,` or tab sniffed from the header, geometry from lon/lat, x/y or
// WKT columns, text decoded strictly (UTF-8 by default), quotes parsed strictly, read as a stream.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { countAsFileError } from '../import-fault.ts';
import { createTextDecoder, requireEncoding, type ResolvedEncoding, type TextEncodingName } from './encoding.ts';
import { nulProblem } from '../../core/layers/property-values.ts';
import { SourceError, formatCount, type CrsHint, type FeatureSource, type SourceRecord } from './source.ts';

// A csv-parse error that escapes describeCsvError is still about the file.
countAsFileError(CsvError);

/** Which columns hold the geometry. */
export type CsvGeometryColumns = { lon: string; lat: string } | { x: string; y: string } | { wkt: string };

export interface CsvOptions {
  encoding?: string;
  /** Field delimiter; sniffed from the header line when absent. */
  delimiter?: string;
  /** Geometry columns; found by their usual names when absent. */
  geometry?: CsvGeometryColumns;
  /** The file's name in messages (an archive member's rather than a temporary file's); its path by default. */
  name?: string;
}

/**
 * The most characters one record may hold, far above any real row (a WKT polygon of 400,000
 * points fits): a quote never closed is refused here instead of reading the rest of the file
 * into one value.
 */
export const MAX_CSV_RECORD_CHARS = 16 * 1024 * 1024;

/** Where the last record parsed ended, to tell where a failing one started. */
export interface CsvPosition {
  /** Line on which the last record ended (0 before the header). */
  lines: number;
  /** Empty lines skipped until then. */
  emptyLines: number;
}

/**
 * Turns a csv-parse error into a SourceError naming the file, the line where the failing record
 * started (`after` says where the previous one ended) and what was expected there.
 */
export function describeCsvError(error: unknown, after: CsvPosition, name: string): unknown {
  if (!(error instanceof CsvError)) return error;
  const e = error as CsvError & { lines: number; empty_lines: number; records: number; column: number | string };
  // Empty lines skipped since the last record come before the failing one.
  const start = after.lines + 1 + (e.empty_lines - after.emptyLines);
  const record = e.records === 0 ? `the header (line ${formatCount(start)})` : `row ${formatCount(e.records)} (from line ${formatCount(start)})`;
  const field = typeof e.column === 'number' ? `field ${e.column + 1}` : `field ${e.column}`;
  const doubled = 'a quote inside a quoted value is written twice: ""';
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new SourceError(`${name}: ${record} opens a quoted value that is never closed: expected a closing quote before the end of the file (${doubled})`);
    case 'CSV_MAX_RECORD_SIZE':
      // Only a quoted value holds line breaks: a record over several lines is inside one.
      return new SourceError(
        e.lines > start
          ? `${name}: ${record} is still inside a quoted value at line ${formatCount(e.lines)}, past ${formatCount(MAX_CSV_RECORD_CHARS)} characters: expected a closing quote (${doubled})`
          : `${name}: ${record} is longer than ${formatCount(MAX_CSV_RECORD_CHARS)} characters: expected a line end`,
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new SourceError(
        `${name}: ${record}, ${field}: the quote that closes the value at line ${formatCount(e.lines)} is followed by more text: expected the delimiter or a line end (${doubled})`,
      );
    case 'INVALID_OPENING_QUOTE':
      return new SourceError(`${name}: ${record}, ${field}: a quote inside an unquoted value: expected the whole value quoted and its quotes doubled ("12 rue ""Les Pins""")`);
    default:
      return new SourceError(`${name}: ${record}: ${e.message}`);
  }
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
  constructor(
    private readonly encoding: TextEncodingName,
    private readonly name: string,
  ) {
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
      done(new SourceError(`${this.name}: not valid ${this.encoding}: pass --encoding windows-1252 (or the right one)`));
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      done(null, this.flushDecoder());
    } catch {
      done(new SourceError(`${this.name}: not valid ${this.encoding}: pass --encoding windows-1252 (or the right one)`));
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
  const name = options.name ?? path;
  const input = createReadStream(path);
  const after: CsvPosition = { lines: 0, emptyLines: 0 };
  // Strict quotes: a lenient parser reads a quote left open up to the next quote, silently
  // merging the rows in between into one value.
  const parser = parse({
    delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_CSV_RECORD_CHARS,
    on_record: (record: string[], context) => {
      after.lines = context.lines;
      after.emptyLines = context.empty_lines;
      return record;
    },
  });
  // pipeline() hands the parser any error of the file or the decoder, so reading fails with it.
  pipeline(input, new DecodeStream(encoding.encoding, name), parser, () => undefined);
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const iterator = {
    next: () => records.next().catch((error: unknown) => Promise.reject(describeCsvError(error, after, name))),
  };
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
      if (!wkt) return { row, properties, geometry: null, error: 'empty WKT' };
      // Staged as text, which cannot hold a NUL: refused for its row here, not by the COPY for the file.
      const problem = nulProblem(wkt);
      if (problem) return { row, properties, geometry: null, error: `the WKT ${problem}` };
      return { row, properties, geometry: null, wkt };
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
