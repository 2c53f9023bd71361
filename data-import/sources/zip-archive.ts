// Zipped deliveries: lists the datasets in an archive (shapefiles, GeoJSON, CSV, GeoPackage) and
// extracts the chosen one (a shapefile with its siblings) to a private temporary directory.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { SourceError, formatCount } from './source.ts';

/** Extensions of the files that make a dataset inside an archive. */
const DATASET_EXTENSIONS = ['.shp', '.geojson', '.json', '.csv', '.txt', '.gpkg'];
const SHAPEFILE_SIBLINGS = ['.shp', '.shx', '.dbf', '.prj', '.cpg'];

/** How far an archive may make us go, against zip bombs and archives made to exhaust the disk. */
export interface ZipLimits {
  /** Entries the archive may list (all are read into memory to find the datasets). */
  maxEntries: number;
  /** Bytes the extracted dataset may take on disk, counted as they are written. */
  maxExtractedBytes: number;
  /** How many times its compressed size an entry may expand to, once past `ratioGraceBytes`. */
  maxRatio: number;
  /** Bytes an entry may expand to whatever its ratio: small, repetitive files compress very well. */
  ratioGraceBytes: number;
}

/**
 * The limits every import uses. A delivery of a few shapefiles lists dozens of entries, not
 * thousands; 2 GiB holds any layer of ours many times over. A zip bomb of zeros deflates about
 * 1,000 times; the ratio bound (Apache POI ZipSecureFile's default) stops it after 64 MiB rather
 * than at 2 GiB. The grace is that large because a dBase table of mostly empty wide fields
 * genuinely deflates 100 to 500 times.
 */
export const ZIP_LIMITS: ZipLimits = { maxEntries: 10_000, maxExtractedBytes: 2 * 1024 ** 3, maxRatio: 100, ratioGraceBytes: 64 * 1024 ** 2 };

export interface ExtractedMember {
  /** The member's path inside the archive (without extension for a shapefile). */
  member: string;
  /** Path of the extracted main file (the .shp for a shapefile). */
  path: string;
  /** The main file's path inside the archive, for messages. */
  name: string;
  cleanup(): void;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((ok, fail) =>
    // Names are decoded and checked by us (namedEntries), so a refusal can say which entry and why.
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false }, (error, zip) =>
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

/**
 * Why a member name is unsafe to extract anywhere, or undefined. Nothing here writes under the
 * archive's names, but such names mean a crafted or broken archive, which is refused whole.
 */
export function unsafeMemberName(name: string): string | undefined {
  if (name.includes('\\')) return 'it holds a backslash, which Windows tools read as a folder separator';
  if (/^[a-zA-Z]:/.test(name) || name.startsWith('/')) return 'it is an absolute path';
  if (name.split('/').includes('..')) return 'it climbs out of the archive with ".."';
  return undefined;
}

/** The entries with their decoded names, refusing the archive at the first unsafe one. */
function namedEntries(entries: readonly yauzl.Entry[]): { entry: yauzl.Entry; name: string }[] {
  return entries.map((entry, i) => {
    // Strict: backslashes kept as they are, to be refused, rather than turned into slashes.
    const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
    const why = unsafeMemberName(name);
    if (why) throw new SourceError(`entry ${formatCount(i + 1)} of the archive, "${name}", is refused: ${why}`);
    return { entry, name };
  });
}

/** A size for messages, in GiB, MiB or bytes. */
const formatSize = (n: number) =>
  n >= 1024 ** 3 ? `${+(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${+(n / 1024 ** 2).toFixed(1)} MiB` : `${formatCount(n)} bytes`;

/** Counts the bytes an entry expands to as they are written, failing past the limits. */
class ExpansionGuard extends Transform {
  private written = 0;
  constructor(
    private readonly name: string,
    private readonly compressedSize: number,
    /** Bytes the archive's earlier entries already took. */
    private readonly before: number,
    private readonly limits: ZipLimits,
  ) {
    super();
  }
  get bytes(): number {
    return this.written;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.written += chunk.length;
    done(expansionProblem(this.name, this.written, this.compressedSize, this.before, this.limits), chunk);
  }
}

/** A SourceError when `written` bytes of an entry go past the limits, else null. */
export function expansionProblem(name: string, written: number, compressedSize: number, before: number, limits: ZipLimits): SourceError | null {
  if (before + written > limits.maxExtractedBytes) {
    return new SourceError(`"${name}": the dataset expands past ${formatSize(limits.maxExtractedBytes)}, the most an import extracts`);
  }
  if (written > limits.ratioGraceBytes && written > limits.maxRatio * compressedSize) {
    return new SourceError(
      `"${name}": ${formatCount(compressedSize)} compressed bytes expand past ${formatSize(written)}, more than ${limits.maxRatio} times: refused as a zip bomb ` +
        '(a genuine file this repetitive can be imported unzipped)',
    );
  }
  return null;
}

const extOf = (name: string) => posix.extname(name).toLowerCase();
const stem = (name: string) => name.slice(0, name.length - posix.extname(name).length);

/**
 * The name an entry is extracted under: only its base name, cleaned, reaches the file system (no
 * zip-slip); keeping it lets reports name the real files (the .prj a coordinate system came from).
 */
const localName = (name: string) =>
  `${posix.basename(stem(name)).replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\./, '_') || 'data'}${extOf(name)}`;

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

/** Extracts one dataset (a shapefile with its .shx/.dbf/.prj/.cpg) from a zip archive, within `limits`. */
export async function extractMember(zipPath: string, wanted: string | undefined, limits: ZipLimits = ZIP_LIMITS): Promise<ExtractedMember> {
  const zip = await openZip(zipPath);
  const dir = mkdtempSync(join(tmpdir(), 'websig-import-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new SourceError(`the archive lists ${formatCount(zip.entryCount)} entries, more than the ${formatCount(limits.maxEntries)} an import reads`);
    }
    const entries = namedEntries(await listEntries(zip));
    const member = chooseMember(datasetMembers(entries.map((e) => e.name)), wanted);
    const isShapefile = !DATASET_EXTENSIONS.includes(extOf(member));
    const chosen = isShapefile
      ? entries.filter((e) => stem(e.name).toLowerCase() === member.toLowerCase() && SHAPEFILE_SIBLINGS.includes(extOf(e.name)))
      : entries.filter((e) => e.name === member);
    // The declared sizes refuse most oversized archives before anything is written; the guard
    // counts what is really written, whatever the archive declares.
    const declared = chosen.reduce((sum, e) => sum + e.entry.uncompressedSize, 0);
    if (declared > limits.maxExtractedBytes) {
      throw new SourceError(`"${member}" declares ${formatSize(declared)} uncompressed, more than the ${formatSize(limits.maxExtractedBytes)} an import extracts`);
    }
    let total = 0;
    for (const { entry, name } of chosen) {
      const target = join(dir, localName(name));
      const stream = await new Promise<NodeJS.ReadableStream>((ok, fail) =>
        zip.openReadStream(entry, (error, s) => (error ? fail(new SourceError(`cannot read "${name}": ${error.message}`)) : ok(s!))),
      );
      const guard = new ExpansionGuard(name, entry.compressedSize, total, limits);
      await pipeline(stream, guard, createWriteStream(target)).catch((error: Error) => {
        throw error instanceof SourceError ? error : new SourceError(`cannot read "${name}": ${error.message}`);
      });
      total += guard.bytes;
    }
    // A shapefile member comes from its .shp entry, so there is one.
    const main = isShapefile ? chosen.find((e) => extOf(e.name) === '.shp')!.name : member;
    return { member, path: join(dir, localName(main)), name: main, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  } finally {
    zip.close();
  }
}
