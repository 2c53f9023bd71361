// Open-data downloads of every public layer at stable URLs, /downloads/{layer}.{geojson|csv|gpkg}:
// validators and 304s from the change signal alone; each file built once per version of its layer
// (GeoJSON and CSV page by page, GeoPackage in a worker thread, one at a time), kept on disk and
// streamed from there.
import Router from '@koa/router';
import { hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'koa';
import { Counter } from 'prom-client';
import { stringify } from 'csv-stringify/sync';
import { lastModified, versionTag, type DataState } from '../../core/db/change-signal.ts';
import type { Queryable, Row } from '../../core/db/database.ts';
import { answerNotModified, weakEtag } from '../http/conditional.ts';
import { notFound } from '../http/errors.ts';
import { createBoundedQueue } from '../http/bounded-queue.ts';
import type { CollectionSummary } from '../features/collection-summary.ts';
import { featurePageSql, prepareLayerSql, type LayerSql } from '../features/feature-sql.ts';
import { allFeaturePages } from '../features/feature-pages.ts';
import { DEFAULT_CRS } from '../features/ogc-crs.ts';
import { requestOrigin } from '../features/request-origin.ts';
import { DOWNLOAD_TYPES, type DownloadFormat } from './download-formats.ts';
import { parseDownloadQuery, type DownloadSrid } from './download-params.ts';
import { KEY, csvColumns, quotesAsText, exportPageSql, gpkgColumns, GPKG_GEOMETRY_COLUMNS, type ExportColumn } from './export-sql.ts';
import { createDownloadCache, type CachedFile } from './download-cache.ts';
import { buildGeoPackage, type GpkgRow } from './gpkg-build.ts';
import type { GpkgLayerSpec } from './gpkg-schema.ts';
import { layerSource, openDataTerms, type OpenDataTerms } from './open-data.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import type { Lang } from '../../core/layers/layer-def.ts';
import { buildDcatCatalog, buildOpenDataHtml, buildOpenDataJson } from './open-data-page.ts';

/** Rows per database round trip: each page is a short query of its own. */
export const DOWNLOAD_PAGE_SIZE = 2000;

/** Bumped when the files change in a way that neither their SQL, the descriptions nor the terms show. */
const FILE_FORMAT = 1;

const FILE = /^([a-z][a-z0-9_]{0,62})\.(geojson|csv|gpkg)$/;

/** The downloads router for the public layers of the registry; built files go to DATA_DIR/downloads. */
export function downloadsRoutes({ db, layers, config, changes, summaries, metrics }: RouteDeps): Router {
  const terms = openDataTerms(config);
  const byId = new Map(layers.all.filter((l) => l.public).map((l) => [l.id, prepareLayerSql(l)]));
  const files = createDownloadCache(join(config.dataDir, 'downloads'), config.downloadCacheMb * 1024 * 1024);
  const builds = new Counter({
    name: 'websig_download_builds_total',
    help: 'Download files built from the database (the others are read from disk)',
    labelNames: ['format'],
    registers: [metrics],
  });
  /** Everything a file holds besides its layer's data: a change to any of it makes another file. */
  const makings = new Map<string, string>();
  const makingOf = (ls: LayerSql, format: DownloadFormat, srid: DownloadSrid): string => {
    const key = `${ls.layer.id}.${srid}.${format}`;
    let making = makings.get(key);
    if (making === undefined) {
      making = hash('sha1', JSON.stringify([FILE_FORMAT, format, srid, terms, ls.layer, fileSql(ls, format, srid)]), 'base64url');
      makings.set(key, making);
    }
    return making;
  };
  const router = new Router();
  // A GeoPackage is held whole in memory while it is built: one build at a time bounds the peak
  // (its write to disk follows, outside the queue, so two may briefly be in memory), and a bounded
  // queue behind it answers 503 + Retry-After rather than holding requests without end. Requests
  // for a file already being built wait for that build (the download cache) without a place here.
  const gpkgBuilds = createBoundedQueue({
    concurrency: 1, maxWaiting: config.downloadQueueMax, retryAfterS: 5, what: 'GeoPackage',
  });

  // The open-data page: HTML, JSON or a DCAT-AP catalogue (JSON-LD), tagged by every public layer's version.
  const pageSchema = hash('sha1', JSON.stringify([FILE_FORMAT, terms, [...byId.values()].map((ls) => ls.layer)]), 'base64url');
  router.get('/downloads', async (ctx) => {
    const f = typeof ctx.query.f === 'string' ? ctx.query.f : undefined;
    const format = f ?? (ctx.accepts('html', 'application/ld+json', 'json') || 'html');
    const kind = format === 'jsonld' || format === 'application/ld+json' ? 'jsonld' : format === 'json' ? 'json' : format === 'html' ? 'html' : undefined;
    if (!kind) return ctx.throw(400, `f must be html, json or jsonld, not "${f}"`);
    const asked = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
    const lang = (asked === 'fr' || asked === 'en' ? asked : ctx.acceptsLanguages('fr', 'en') || 'fr') as Lang;
    ctx.set('Vary', 'Accept, Accept-Language');
    ctx.set('Content-Language', lang);
    const state = await changes.current();
    const ids = [...byId.keys()];
    const written = lastModified(state, ids);
    if (written) ctx.lastModified = written;
    ctx.set('Cache-Control', 'public, max-age=60');
    const origin = requestOrigin(ctx, config.publicBaseUrl);
    if (answerNotModified(ctx, weakEtag(pageSchema, versionTag(state, ids), origin, lang, kind))) return;
    const entries = await Promise.all([...byId.values()].map(async (ls) => {
      const summary = await summaries.get(ls, state);
      return { layer: ls.layer, count: summary.count, lastUpdate: summary.lastUpdate ?? lastModified(state, [ls.layer.id]) ?? null };
    }));
    if (kind === 'html') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = buildOpenDataHtml(entries, terms, origin, lang);
    } else if (kind === 'json') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(buildOpenDataJson(entries, terms, origin, lang));
    } else {
      ctx.type = 'application/ld+json';
      ctx.body = JSON.stringify(buildDcatCatalog(entries, terms, origin));
    }
  });

  router.get('/downloads/:file', async (ctx) => {
    const match = FILE.exec(ctx.params.file!);
    const ls = match ? byId.get(match[1]!) : undefined;
    if (!match || !ls) throw notFound(`no download "${ctx.params.file}"; each collection at /ogc/collections lists its downloads`);
    const format = match[2] as DownloadFormat;
    const srid = parseDownloadQuery(ctx.query, format);
    const id = ls.layer.id;
    // A file found to hold a write made after the version it was built for is thrown away, and built
    // once more for a version read then; a layer written again meanwhile gets a 503 + Retry-After.
    let file: CachedFile | undefined;
    for (let attempt = 0; attempt < 2 && !file; attempt++) {
      const state = attempt === 0 ? await changes.current() : await changes.fresh();
      setHeaders(ctx, ls, terms, format, srid, lastModified(state, [id]), config.publicBaseUrl);
      // Decided from the versions alone, before any query of the data. Weak: koa-compress may gzip
      // the body under the same tag.
      const etag = weakEtag(makingOf(ls, format, srid), versionTag(state, [id]));
      if (answerNotModified(ctx, etag)) return;
      // The ETag's opaque part names the file on disk too.
      const slot = `${id}.${srid}.${format}`;
      const version = etag.slice(3, -1);
      if (ctx.method === 'HEAD') {
        const size = files.sizeOf(slot, version);
        if (size !== undefined) ctx.length = size;
        return;
      }
      try {
        file = await files.open(slot, version, async (path) => {
          builds.inc({ format });
          // On a replica that has not replayed this version yet, the pages would hold older data.
          if (await stampOf(db, id) !== state.layers.get(id)?.stamp) throw new WrittenDuringBuild();
          await writeFileOf(path, ls, format, srid, state);
          // Pages are short queries of their own, so that other requests go through meanwhile (the
          // embedded database has one connection); a write committed before the build ended (or
          // within the freshness window before it began) may be in the file, which must then not
          // be kept under the name of the version read before it.
          if (await stampOf(db, id) !== state.layers.get(id)?.stamp) throw new WrittenDuringBuild();
        });
      } catch (error) {
        if (!(error instanceof WrittenDuringBuild)) throw error;
      }
    }
    if (!file) {
      ctx.remove('ETag');
      ctx.remove('Last-Modified');
      ctx.set('Retry-After', '1');
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 503;
      ctx.body = { code: 'ServiceUnavailable', description: 'la couche change en ce moment, réessayez / the layer is being written: try again' };
      return;
    }
    const body = file.handle.createReadStream();
    body.once('close', file.release);
    ctx.length = file.size;
    ctx.body = body;
  });

  /** Writes the whole file of a layer at `path`, dated by the data's summary at `state`. */
  async function writeFileOf(path: string, ls: LayerSql, format: DownloadFormat, srid: DownloadSrid, state: DataState): Promise<void> {
    if (format === 'csv') return writeChunks(path, csvChunks(db, ls, srid));
    const summary = await summaries.get(ls, state);
    if (format === 'geojson') return writeChunks(path, geojsonChunks(db, ls, summary, terms));
    const spec = await gpkgSpec(db, ls, summary, terms, srid, lastModified(state, [ls.layer.id]));
    const bytes = await gpkgBuilds.run(() => buildGeoPackage(spec, gpkgBatches(db, ls, srid)));
    await writeFile(path, bytes);
  }
  return router;
}

/** The layer was written while its file was being built. */
class WrittenDuringBuild extends Error {}

/** The SQL a file's rows are read with, which the property-type mappings shape. */
function fileSql(ls: LayerSql, format: DownloadFormat, srid: DownloadSrid): string {
  if (format === 'geojson') return featurePageSql(ls, WHOLE_LAYER, { size: DOWNLOAD_PAGE_SIZE, start: { offset: 0 }, separator: ',\n' }).text;
  const columns = format === 'csv' ? csvColumns(ls, srid) : [...gpkgColumns(ls), ...GPKG_GEOMETRY_COLUMNS];
  return exportPageSql(ls, columns, srid, 0, DOWNLOAD_PAGE_SIZE).text;
}

async function writeChunks(path: string, chunks: AsyncGenerator<string>): Promise<void> {
  await pipeline(Readable.from(chunks), createWriteStream(path));
}

/** Type, file name, licence and metadata links, and the layer's last write as Last-Modified. */
function setHeaders(
  ctx: Context, ls: LayerSql, terms: OpenDataTerms, format: DownloadFormat, srid: DownloadSrid, written: Date | undefined,
  publicBaseUrl: string | undefined,
): void {
  const id = ls.layer.id;
  ctx.status = 200;
  ctx.attachment(`${id}${srid === 2154 ? '-lambert93' : ''}.${format}`);
  ctx.set('Content-Type', DOWNLOAD_TYPES[format]);
  ctx.set('Link', `<${terms.licence.url}>; rel="license", <${requestOrigin(ctx, publicBaseUrl)}/ogc/collections/${id}?f=json>; rel="describedby"; type="application/json"`);
  ctx.set('Cache-Control', 'public, max-age=60');
  if (written) ctx.lastModified = written;
}


/** What a file says about itself: title, description, licence, source, publisher, last update. */
function fileMetadata(ls: LayerSql, summary: CollectionSummary, terms: OpenDataTerms) {
  return {
    title: ls.layer.title.fr,
    description: ls.layer.description.fr,
    licence: { name: terms.licence.name, url: terms.licence.url },
    source: layerSource(ls.layer, terms),
    publisher: terms.publisher,
    lastUpdate: summary.lastUpdate?.toISOString() ?? null,
  };
}

/** The feature query of a whole layer, as the GeoJSON file reads it. */
const WHOLE_LAYER = { filters: [], crs: DEFAULT_CRS, limit: Number.MAX_SAFE_INTEGER, offset: 0 };

async function* geojsonChunks(db: Queryable, ls: LayerSql, summary: CollectionSummary, terms: OpenDataTerms): AsyncGenerator<string> {
  yield `{"type":"FeatureCollection","name":${JSON.stringify(ls.layer.id)},"metadata":${JSON.stringify(fileMetadata(ls, summary, terms))},"features":[\n`;
  let first = true;
  for await (const page of allFeaturePages(db, ls, WHOLE_LAYER, DOWNLOAD_PAGE_SIZE)) {
    yield (first ? '' : ',\n') + page.features;
    first = false;
  }
  yield '\n]}\n';
}

async function* exportPages(db: Queryable, ls: LayerSql, columns: readonly ExportColumn[], srid: DownloadSrid): AsyncGenerator<Row[]> {
  let last = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const { text, values } = exportPageSql(ls, columns, srid, last, DOWNLOAD_PAGE_SIZE);
    const { rows } = await db.query(text, values);
    if (rows.length) yield rows;
    if (rows.length < DOWNLOAD_PAGE_SIZE) return;
    last = rows[rows.length - 1]![KEY] as number;
  }
}

// A text cell starting with one of these would run as a formula in a spreadsheet (CSV injection):
// such cells are prefixed with an apostrophe, which spreadsheets hide.
const FORMULA_START = /^[=+\-@\t\r]/;
// Digits in a text column are quoted so that spreadsheets keep them as text (see quotesAsText).
const csvOptions = (columns: readonly ExportColumn[]) => ({
  record_delimiter: 'windows' as const,
  cast: {
    string: (value: string, { column }: { column?: number | string }) => (FORMULA_START.test(value) ? `'${value}`
      : { value, quoted: quotesAsText(columns[column as number], value) }),
  },
});

async function* csvChunks(db: Queryable, ls: LayerSql, srid: DownloadSrid): AsyncGenerator<string> {
  const columns = csvColumns(ls, srid);
  const options = csvOptions(columns);
  // The byte order mark makes spreadsheets read the file as UTF-8.
  yield `\uFEFF${stringify([columns.map((c) => c.name)], options)}`;
  for await (const rows of exportPages(db, ls, columns, srid)) {
    yield stringify(rows.map((r) => columns.map((c) => r[c.name])), options);
  }
}

/** `written` (the layer's last write) dates a file without features, rather than the time it is built. */
async function gpkgSpec(db: Queryable, ls: LayerSql, summary: CollectionSummary, terms: OpenDataTerms, srid: DownloadSrid,
  written: Date | undefined): Promise<GpkgLayerSpec> {
  const { rows } = await db.query<{ srtext: string }>('SELECT srtext FROM spatial_ref_sys WHERE srid = $1', [srid]);
  const definition = rows[0]!.srtext;
  const meta = fileMetadata(ls, summary, terms);
  const lastChange = meta.lastUpdate ?? (written ?? new Date()).toISOString();
  return {
    table: ls.layer.id,
    identifier: meta.title,
    description: `${meta.description} Licence : ${meta.licence.name} (${meta.licence.url}). Source : ${meta.source}. ` +
      `Dernière mise à jour : ${lastChange}.`,
    lastChange,
    geometryType: ls.layer.geometryType === 'Point' ? 'POINT' : 'MULTIPOLYGON',
    srs: { id: srid, name: /^\w+\["([^"]+)"/.exec(definition)?.[1] ?? `EPSG:${srid}`, definition },
    columns: gpkgColumns(ls).map(({ name, type }) => ({ name, type })),
    metadata: {
      TITLE: meta.title,
      DESCRIPTION: meta.description,
      LICENCE: meta.licence.name,
      LICENCE_URL: meta.licence.url,
      SOURCE: meta.source,
      PUBLISHER: meta.publisher,
      LAST_UPDATE: lastChange,
    },
  };
}

async function* gpkgBatches(db: Queryable, ls: LayerSql, srid: DownloadSrid): AsyncGenerator<GpkgRow[]> {
  const attributes = gpkgColumns(ls);
  for await (const rows of exportPages(db, ls, [...attributes, ...GPKG_GEOMETRY_COLUMNS], srid)) {
    yield rows.map((r) => ({
      fid: r[KEY] as number,
      wkb: r._wkb as Uint8Array,
      envelope: [r._min_x, r._max_x, r._min_y, r._max_y] as [number, number, number, number],
      values: attributes.map((c) => r[c.name] as string | number | null),
    }));
  }
}

/** The layer's version stamp as the database that serves the pages sees it. */
async function stampOf(db: Queryable, layer: string): Promise<string | undefined> {
  const { rows } = await db.query<{ stamp: string }>('SELECT stamp::text AS stamp FROM layer_versions WHERE layer = $1', [layer]);
  return rows[0]?.stamp;
}
