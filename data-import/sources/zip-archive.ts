// Zipped deliveries: lists the datasets in an archive (shapefiles, GeoJSON, CSV, GeoPackage) and
// extracts the chosen one (a shapefile with its siblings) to a private temporary directory.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { SourceError } from './source.ts';

/** Extensions of the files that make a dataset inside an archive. */
const DATASET_EXTENSIONS = ['.shp', '.geojson', '.json', '.csv', '.txt', '.gpkg'];
const SHAPEFILE_SIBLINGS = ['.shp', '.shx', '.dbf', '.prj', '.cpg'];
/** A guard against zip bombs: no archive may expand beyond this. */
export const MAX_EXTRACTED_BYTES = 8 * 1024 ** 3;

export interface ExtractedMember {
  /** The member's path inside the archive (without extension for a shapefile). */
  member: string;
  /** Path of the extracted main file (the .shp for a shapefile). */
  path: string;
  cleanup(): void;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((ok, fail) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) =>
      error ? fail(new SourceError(`not a readable zip archive: ${error.message}`)) : ok(zip!),
    ),
  );
}

async function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((ok, fail) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => ok(entries));
    zip.once('error', (error: Error) => fail(new SourceError(`broken zip archive: ${error.message}`)));
    zip.readEntry();
  });
}

const extOf = (name: string) => posix.extname(name).toLowerCase();
const stem = (name: string) => name.slice(0, name.length - posix.extname(name).length);

/** The datasets an archive holds, by member name (a shapefile is named without its extension). */
export function datasetMembers(names: readonly string[]): string[] {
  return names
    .filter((n) => !n.endsWith('/') && !n.split('/').some((part) => part.startsWith('.') || part === '__MACOSX'))
    .filter((n) => DATASET_EXTENSIONS.includes(extOf(n)))
    .map((n) => (extOf(n) === '.shp' ? stem(n) : n));
}

/** Finds the member `wanted` names (path or file name, with or without extension, any case). */
export function chooseMember(members: readonly string[], wanted: string | undefined): string {
  if (members.length === 0) throw new SourceError('the archive holds no shapefile, GeoJSON, CSV or GeoPackage');
  if (wanted === undefined) {
    if (members.length === 1) return members[0]!;
    throw new SourceError(`the archive holds several datasets (${members.join(', ')}): choose one with --member`);
  }
  const key = wanted.toLowerCase().replace(/\.shp$/, '');
  const found = members.filter((m) => {
    const lower = m.toLowerCase();
    return lower === key || posix.basename(lower) === key || posix.basename(stem(lower)) === key;
  });
  if (found.length === 1) return found[0]!;
  throw new SourceError(
    found.length === 0 ? `no member "${wanted}" in the archive (datasets: ${members.join(', ')})` : `"${wanted}" matches several members (${found.join(', ')})`,
  );
}

/** Extracts one dataset (a shapefile with its .shx/.dbf/.prj/.cpg) from a zip archive. */
export async function extractMember(zipPath: string, wanted: string | undefined): Promise<ExtractedMember> {
  const zip = await openZip(zipPath);
  const dir = mkdtempSync(join(tmpdir(), 'websig-import-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const entries = await listEntries(zip);
    const member = chooseMember(datasetMembers(entries.map((e) => e.fileName)), wanted);
    const isShapefile = !DATASET_EXTENSIONS.includes(extOf(member));
    const chosen = isShapefile
      ? entries.filter((e) => stem(e.fileName).toLowerCase() === member.toLowerCase() && SHAPEFILE_SIBLINGS.includes(extOf(e.fileName)))
      : entries.filter((e) => e.fileName === member);
    let total = 0;
    let mainPath = '';
    for (const entry of chosen) {
      total += entry.uncompressedSize;
      if (total > MAX_EXTRACTED_BYTES) throw new SourceError(`the archive expands beyond ${MAX_EXTRACTED_BYTES / 1024 ** 3} GB`);
      // Only the base name, cleaned, reaches the file system (no zip-slip); keeping it lets the
      // summary name the real files (the .prj a coordinate system came from).
      const base = posix.basename(stem(entry.fileName)).replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\./, '_') || 'data';
      const target = join(dir, `${base}${extOf(entry.fileName)}`);
      if (extOf(entry.fileName) === '.shp' || !isShapefile) mainPath = target;
      const stream = await new Promise<NodeJS.ReadableStream>((ok, fail) =>
        zip.openReadStream(entry, (error, s) => (error ? fail(new SourceError(`cannot read ${entry.fileName}: ${error.message}`)) : ok(s!))),
      );
      await pipeline(stream, createWriteStream(target));
    }
    return { member, path: mainPath, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  } finally {
    zip.close();
  }
}
