// Open-data downloads of every public layer at stable URLs, /downloads/{layer}.{geojson|csv|gpkg}:
// GeoJSON and CSV stream page by page; GeoPackage is built in a worker thread, one at a time.
import Router from '@koa/router';
import type { Context } from 'koa';
import { stringify } from 'csv-stringify/sync';
import type { Queryable, Row } from '../../core/db/database.ts';
import { notFound } from '../http/errors.ts';
import { readSummary, type CollectionSummary } from '../features/collection-summary.ts';
import { prepareLayerSql, type LayerSql } from '../features/feature-sql.ts';
import { allFeaturePages } from '../features/feature-pages.ts';
import { DEFAULT_CRS } from '../features/ogc-crs.ts';
import { requestOrigin } from '../features/request-origin.ts';
import { DOWNLOAD_TYPES, type DownloadFormat } from './download-formats.ts';
import { parseDownloadQuery, type DownloadSrid } from './download-params.ts';
import { KEY, csvColumns, quotesAsText, exportPageSql, gpkgColumns, GPKG_GEOMETRY_COLUMNS, type ExportColumn } from './export-sql.ts';
import { buildGeoPackage, type GpkgRow } from './gpkg-build.ts';
import type { GpkgLayerSpec } from './gpkg-schema.ts';
import { layerSource, openDataTerms, type OpenDataTerms } from './open-data.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { streamChunks } from '../http/body-stream.ts';

/** Rows per database round trip: each page is a short query of its own. */
export const DOWNLOAD_PAGE_SIZE = 2000;

const FILE = /^([a-z][a-z0-9_]{0,62})\.(geojson|csv|gpkg)$/;

/** The downloads router for the public layers of the registry. */
export function downloadsRoutes({ db, layers, config }: RouteDeps): Router {
  const terms = openDataTerms(config);
  const byId = new Map(layers.all.filter((l) => l.public).map((l) => [l.id, prepareLayerSql(l)]));
  const router = new Router();
  // A GeoPackage is held whole in memory while it is built: one at a time bounds the peak.
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  router.get('/downloads/:file', async (ctx) => {
    const match = FILE.exec(ctx.params.file!);
    const ls = match ? byId.get(match[1]!) : undefined;
    if (!match || !ls) throw notFound(`no download "${ctx.params.file}"; each collection at /ogc/collections lists its downloads`);
    const format = match[2] as DownloadFormat;
    const srid = parseDownloadQuery(ctx.query, format);
    const summary = await readSummary(db, ls);
    setHeaders(ctx, ls, summary, terms, format, srid);
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    if (ctx.method === 'HEAD') return;
    if (format === 'geojson') {
      ctx.body = streamChunks(geojsonChunks(db, ls, summary, terms));
    } else if (format === 'csv') {
      ctx.body = streamChunks(csvChunks(db, ls, srid));
    } else {
      const spec = await gpkgSpec(db, ls, summary, terms, srid);
      const bytes = await oneAtATime(() => buildGeoPackage(spec, gpkgBatches(db, ls, srid)));
      ctx.body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  });
  return router;
}

/** Type, file name, licence and metadata links, and validators (count + last update) for conditional requests. */
function setHeaders(ctx: Context, ls: LayerSql, summary: CollectionSummary, terms: OpenDataTerms, format: DownloadFormat, srid: DownloadSrid): void {
  const id = ls.layer.id;
  ctx.status = 200;
  ctx.attachment(`${id}${srid === 2154 ? '-lambert93' : ''}.${format}`);
  ctx.set('Content-Type', DOWNLOAD_TYPES[format]);
  ctx.set('Link', `<${terms.licence.url}>; rel="license", <${requestOrigin(ctx)}/ogc/collections/${id}?f=json>; rel="describedby"; type="application/json"`);
  ctx.set('Cache-Control', 'public, max-age=60');
  // Weak: the bytes depend on the data only, but the count and the last update are what identify it.
  ctx.set('ETag', `W/"${summary.count}-${summary.lastUpdate?.getTime() ?? 0}"`);
  if (summary.lastUpdate) ctx.lastModified = summary.lastUpdate;
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

async function* geojsonChunks(db: Queryable, ls: LayerSql, summary: CollectionSummary, terms: OpenDataTerms): AsyncGenerator<string> {
  yield `{"type":"FeatureCollection","name":${JSON.stringify(ls.layer.id)},"metadata":${JSON.stringify(fileMetadata(ls, summary, terms))},"features":[\n`;
  let first = true;
  const all = { filters: [], crs: DEFAULT_CRS, limit: Number.MAX_SAFE_INTEGER, offset: 0 };
  for await (const page of allFeaturePages(db, ls, all, DOWNLOAD_PAGE_SIZE)) {
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

async function gpkgSpec(db: Queryable, ls: LayerSql, summary: CollectionSummary, terms: OpenDataTerms, srid: DownloadSrid): Promise<GpkgLayerSpec> {
  const { rows } = await db.query<{ srtext: string }>('SELECT srtext FROM spatial_ref_sys WHERE srid = $1', [srid]);
  const definition = rows[0]!.srtext;
  const meta = fileMetadata(ls, summary, terms);
  const lastChange = meta.lastUpdate ?? new Date().toISOString();
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
