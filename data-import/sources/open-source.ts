// Opens any supported delivery as a feature source, by extension or, failing that, by content.
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { CsvGeometryColumns } from './csv-source.ts';
import { SourceError, type FeatureSource } from './source.ts';

export interface OpenSourceOptions {
  /** `--encoding` (shapefiles without .cpg/LDID, CSV). */
  encoding?: string;
  /** `--member`: dataset inside a zip, or feature table inside a GeoPackage. */
  member?: string;
  /** CSV delimiter and geometry columns (from the mapping profile). */
  delimiter?: string;
  csvGeometry?: CsvGeometryColumns;
}

export interface OpenedSource {
  source: FeatureSource;
  /** The archive member read, for zips. */
  member?: string;
  /** Closes the source and removes extracted files. */
  close(): Promise<void>;
}

type Kind = 'shp' | 'zip' | 'geojson' | 'csv' | 'gpkg';

const BY_EXTENSION: Record<string, Kind> = {
  '.shp': 'shp', '.zip': 'zip', '.geojson': 'geojson', '.json': 'geojson', '.csv': 'csv', '.txt': 'csv', '.tsv': 'csv', '.gpkg': 'gpkg',
};

/** Tells the format from the name, else from the first bytes (uploads may have lost their name). */
async function detectKind(path: string, name: string): Promise<Kind> {
  const byName = BY_EXTENSION[extname(name).toLowerCase()];
  if (byName) return byName;
  const handle = await open(path, 'r');
  const head = Buffer.alloc(16);
  await handle.read(head, 0, 16, 0);
  await handle.close();
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'zip';
  if (head.toString('latin1', 0, 15) === 'SQLite format 3') return 'gpkg';
  if (head.readInt32BE(0) === 9994) throw new SourceError('a lone .shp cannot be read: send the .shp, .dbf, .shx and .prj together in a .zip');
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{')) return 'geojson';
  throw new SourceError(`cannot tell the format of "${name}": expected .shp, .zip, .geojson, .csv or .gpkg`);
}

/** Opens `path`, named `name` for format detection and in messages (e.g. an upload's original file name). */
export async function openSource(path: string, options: OpenSourceOptions = {}, name = path): Promise<OpenedSource> {
  const kind = await detectKind(path, name);
  // Readers are loaded when their format turns up: the CLI starts faster without the others.
  if (kind === 'zip') {
    const { extractMember } = await import('./zip-archive.ts');
    const extracted = await extractMember(path, options.member);
    try {
      // Messages inside name the archive member, not the temporary file it was extracted to.
      const inner = await openSource(extracted.path, { ...options, member: undefined }, extracted.name);
      return {
        source: inner.source,
        member: extracted.member,
        async close() {
          await inner.close();
          extracted.cleanup();
        },
      };
    } catch (error) {
      extracted.cleanup();
      throw error;
    }
  }
  let source: FeatureSource;
  if (kind === 'shp') source = await (await import('./shapefile-source.ts')).openShapefile(path, { encoding: options.encoding, name });
  else if (kind === 'geojson') source = await (await import('./geojson-source.ts')).openGeoJson(path);
  else if (kind === 'gpkg') source = await (await import('./geopackage-source.ts')).openGeoPackage(path, { table: options.member });
  else {
    const { openCsv } = await import('./csv-source.ts');
    source = await openCsv(path, { encoding: options.encoding, delimiter: options.delimiter, geometry: options.csvGeometry, name });
  }
  return { source, member: kind === 'gpkg' ? source.details.table : undefined, close: () => source.close() };
}
