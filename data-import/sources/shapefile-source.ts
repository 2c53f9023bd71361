// A shapefile as a feature source: .shp geometries and .dbf attributes read in step (and checked
// against each other and the .shx), the .cpg / language-driver byte deciding the text encoding,
// the .prj the coordinate system.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { DbfReader, READABLE_DBF_TYPES, isDeleted, readDbfValue } from './dbf-reader.ts';
import { EncodingError, createTextDecoder, resolveDbfEncoding } from './encoding.ts';
import { ShpReader } from './shp-reader.ts';
import { NEED_MORE } from './chunked-file.ts';
import { SourceError, formatCount, type FeatureSource, type SourceRecord } from './source.ts';

/** Finds `<base>.<ext>` next to the .shp whatever the case of its extension (`.DBF`, `.Prj`…). */
function sibling(shpPath: string, ext: string): string | undefined {
  const dir = dirname(shpPath);
  const base = basename(shpPath, extname(shpPath)).toLowerCase();
  const name = readdirSync(dir).find((f) => f.toLowerCase() === `${base}.${ext}`);
  return name ? join(dir, name) : undefined;
}

export interface ShapefileOptions {
  /** `--encoding`: used when neither a .cpg nor the DBF header says. */
  encoding?: string;
  /** The .shp's name in messages (an archive member's rather than a temporary file's); its base name by default. */
  name?: string;
}

export async function openShapefile(shpPath: string, options: ShapefileOptions = {}): Promise<FeatureSource> {
  // Messages name each file as the operator knows it: the delivered name with the sibling's extension.
  const shown = options.name ?? basename(shpPath);
  const nameOf = (path: string) => shown.slice(0, shown.length - extname(shown).length) + extname(path);
  const dbfPath = sibling(shpPath, 'dbf');
  if (!dbfPath) throw new SourceError(`${shown}: the .dbf (attributes) is missing next to the .shp`);
  const shxPath = sibling(shpPath, 'shx');
  const prjPath = sibling(shpPath, 'prj');
  const cpgPath = sibling(shpPath, 'cpg');
  const cpg = cpgPath ? readFileSync(cpgPath, 'latin1') : undefined;
  const dbfName = nameOf(dbfPath);
  const shxName = shxPath && nameOf(shxPath);
  const shp = await ShpReader.open({ shp: shpPath, shx: shxPath, shpName: shown, shxName });
  const dbf = await DbfReader.open(dbfPath, dbfName).catch(async (error: unknown) => {
    await shp.close();
    throw error;
  });
  const count = dbf.header.recordCount;
  // The index counts the .shp's records up front: a disagreement is found before reading any.
  if (shp.indexedCount !== undefined && shp.indexedCount !== count) {
    await Promise.all([shp.close(), dbf.close()]);
    throw new SourceError(`${shxName} indexes ${formatCount(shp.indexedCount)} records but ${dbfName} holds ${formatCount(count)}: the files do not belong together or one is damaged`);
  }
  const warnings: string[] = [];
  let encoding;
  try {
    encoding = resolveDbfEncoding(cpg, dbf.header.ldid, options.encoding);
  } catch (error) {
    await Promise.all([shp.close(), dbf.close()]);
    throw error;
  }
  if (options.encoding && encoding.origin !== 'option') {
    warnings.push(`--encoding ${options.encoding} not used: the ${encoding.origin === 'cpg' ? '.cpg' : 'DBF header'} says ${encoding.encoding}`);
  }
  const skipped = dbf.header.fields.filter((f) => !READABLE_DBF_TYPES.has(f.type));
  if (skipped.length > 0) warnings.push(`fields not read (unsupported dBase types): ${skipped.map((f) => `${f.name} (${f.type})`).join(', ')}`);
  const [minX, minY, maxX, maxY] = shp.header.bbox;
  const decode = createTextDecoder(encoding.encoding);
  let row = 0;

  return {
    format: 'shapefile',
    fields: dbf.header.fields.map((f) => f.name),
    geometryFields: [],
    crs: prjPath ? { kind: 'wkt', wkt: readFileSync(prjPath, 'latin1'), origin: basename(prjPath) } : { kind: 'none', origin: 'no .prj next to the .shp' },
    encoding,
    samplePositions: Number.isFinite(minX + minY + maxX + maxY) && maxX >= minX ? [[(minX + maxX) / 2, (minY + maxY) / 2]] : [],
    details: {},
    warnings,
    progress: () => ({ done: row, total: dbf.header.recordCount, unit: 'features' }),
    async *records(wanted?: ReadonlySet<string>): AsyncGenerator<SourceRecord> {
      // Decoding text is most of the reading time: fields nobody maps are not decoded.
      const fields = dbf.header.fields.filter((f) => READABLE_DBF_TYPES.has(f.type) && (!wanted || wanted.has(f.name)));
      for (;;) {
        // Records are read from the buffers without an await; only a refill waits for the disk.
        let shape = shp.next();
        while (shape === NEED_MORE) {
          await shp.refill();
          shape = shp.next();
        }
        let at = dbf.next();
        while (at === NEED_MORE) {
          await dbf.refill();
          at = dbf.next();
        }
        // A .shp and .dbf of different lengths are a damaged delivery: loading the records they
        // share would quietly shrink the layer.
        if (shape === undefined) {
          if (at === undefined) return;
          throw new SourceError(`${shown} ends after record ${formatCount(row)} but ${dbfName} holds ${formatCount(count)} records`);
        }
        if (at === undefined) throw new SourceError(`${shown} holds more records than the ${formatCount(count)} of ${dbfName}`);
        row++;
        const buf = dbf.buffer;
        if (isDeleted(buf, at)) continue;
        const properties: Record<string, unknown> = {};
        for (const field of fields) {
          try {
            properties[field.name] = readDbfValue(buf, at, field, decode);
          } catch {
            throw new EncodingError(
              `row ${row}, field ${field.name}: the text is not valid ${encoding.encoding} (encoding from ${encoding.origin === 'cpg' ? 'the .cpg' : encoding.origin === 'option' ? '--encoding' : 'the default'}); ` +
                (encoding.origin === 'cpg' ? 'the .cpg is wrong: correct or delete it' : 'pass --encoding windows-1252 (or the right one)'),
            );
          }
        }
        yield 'error' in shape ? { row, properties, geometry: null, error: shape.error } : { row, properties, geometry: shape.geometry };
      }
    },
    async close() {
      await Promise.all([shp.close(), dbf.close()]);
    },
  };
}
