// OGC API – Features under /ogc: handlers parse → look up → query → respond; documents, SQL and
// pages come from the pure builders next to this file.
import Router from '@koa/router';
import { hash } from 'node:crypto';
import type { Context } from 'koa';
import { versionTag, type DataState } from '../../core/db/change-signal.ts';
import { answerNotModified, weakEtag } from '../http/conditional.ts';
import { notFound } from '../http/errors.ts';
import type { Lang } from '../../core/layers/layer-def.ts';
import { openDataTerms } from '../downloads/open-data.ts';
import { itemSql, prepareLayerSql, type LayerSql } from './feature-sql.ts';
import { pageStart, queryFeaturePages } from './feature-pages.ts';
import { numberMatched, planNumberMatched } from './number-matched.ts';
import { contentCrsHeader } from './ogc-crs.ts';
import {
  GEOJSON_TYPE, JSON_TYPE, OPENAPI_TYPE, SCHEMA_TYPE, collectionDoc, collectionsDoc, conformanceDoc, itemLinks,
  landingPage, pageLinks, queryablesDoc, type DocContext, type Link,
} from './ogc-documents.ts';
import {
  FEATURE_TABLE_END, HTML_PAGE_END, escapeHtml, featureRowsHtml, featureTableStart, htmlPage, htmlPageStart, linksHtml, recordHtml,
} from './ogc-html.ts';
import { parseCrs, parseFormat, parsePropertyList, type OutputFormat } from './ogc-params.ts';
import { rejectUnknownParameters, single } from '../http/params.ts';
import { ITEM_PARAMETERS, METADATA_PARAMETERS, checkQueryableNames, parseFeatureQuery } from './ogc-query.ts';
import { buildOpenApi } from './openapi.ts';
import { requestOrigin } from './request-origin.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { streamChunks } from '../http/body-stream.ts';

const METADATA = new Set<string>(METADATA_PARAMETERS);
const ITEM = new Set<string>(ITEM_PARAMETERS);
const NO_PARAMETERS = new Set<string>();
/** Feature ids are PostgreSQL integers: anything else cannot name a feature. */
const FEATURE_ID = /^[0-9]{1,15}$/;
/** Bumped when the documents change in a way that neither the layer descriptions nor the terms show. */
const OGC_FORMAT = 1;

/** The OGC API router for the public layers of the registry. */
export function ogcRoutes({ db, layers, config, changes, summaries }: RouteDeps): Router {
  const terms = openDataTerms(config);
  const collections = layers.all.filter((l) => l.public).map(prepareLayerSql);
  collections.forEach(checkQueryableNames);
  const byId = new Map(collections.map((ls) => [ls.layer.id, ls]));
  const allIds = collections.map((ls) => ls.layer.id);
  // What the documents hold depends on the descriptions and terms too: a deploy that changes them
  // must change every ETag even if no data moved.
  const schema = hash('sha1', JSON.stringify({ OGC_FORMAT, terms, layers: collections.map((ls) => ls.layer) }), 'base64url');
  const router = new Router({ prefix: '/ogc' });

  const lookup = (id: string): LayerSql => {
    const ls = byId.get(id);
    if (!ls) throw notFound(`no collection "${id}"; the collections are listed at /ogc/collections`);
    return ls;
  };
  // The language by Accept-Language value: negotiating it anew cost every request more than the
  // lookup; the values come from clients, hence the bound.
  const languages = new Map<string, Lang>();
  const languageOf = (ctx: Context): Lang => {
    const header = ctx.get('Accept-Language');
    let lang = languages.get(header);
    if (!lang) {
      lang = (ctx.acceptsLanguages('fr', 'en') || 'fr') as Lang;
      if (languages.size < 256) languages.set(header, lang);
    }
    return lang;
  };
  const contextOf = (ctx: Context): DocContext => {
    const lang = languageOf(ctx);
    ctx.set('Content-Language', lang);
    ctx.set('Vary', 'Accept, Accept-Language');
    return { origin: requestOrigin(ctx, config.publicBaseUrl), lang, terms };
  };
  const negotiate = (ctx: Context): OutputFormat =>
    parseFormat(single(ctx.query, 'f'), (...types) => ctx.accepts(types) as string | false);
  const formatOf = (ctx: Context, known: ReadonlySet<string>): OutputFormat => {
    rejectUnknownParameters(ctx.query, known);
    return negotiate(ctx);
  };
  /**
   * Reads the data state and answers 304 if the client's copy of this URL, in this language and
   * format, was made from the same versions of `ids`: decided before any query of the data.
   */
  const revalidate = async (ctx: Context, c: DocContext, format: OutputFormat, ids: readonly string[]) => {
    const state: DataState = await changes.current();
    const etag = weakEtag(schema, versionTag(state, ids), c.origin, c.lang, format, ctx.url);
    return { state, fresh: answerNotModified(ctx, etag) };
  };
  const crumbs = (c: DocContext, ...more: Link[]): Link[] =>
    [{ href: `${c.origin}/ogc?f=html`, rel: 'start', title: c.lang === 'fr' ? 'Accueil' : 'Home' }, ...more];
  const collectionCrumb = (c: DocContext, ls: LayerSql): Link =>
    ({ href: `${c.origin}/ogc/collections/${ls.layer.id}?f=html`, rel: 'collection', title: ls.layer.title[c.lang] });

  /** Sends a document as JSON, or as the HTML page `html` renders. */
  const respond = (ctx: Context, format: OutputFormat, json: object, html: () => string, jsonType = JSON_TYPE) => {
    if (format === 'html') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = html();
    } else {
      ctx.set('Content-Type', jsonType);
      ctx.body = JSON.stringify(json);
    }
  };

  router.get('/', (ctx) => {
    const format = formatOf(ctx, METADATA);
    const c = contextOf(ctx);
    const doc = landingPage(c, format);
    ctx.set('Cache-Control', 'public, max-age=60');
    respond(ctx, format, doc, () => htmlPage(c.lang, doc.title, crumbs(c), `<p>${escapeHtml(doc.description)}</p>${linksHtml(doc.links)}`));
  });

  router.get('/api', (ctx) => {
    rejectUnknownParameters(ctx.query, NO_PARAMETERS);
    const c = contextOf(ctx);
    ctx.set('Content-Type', OPENAPI_TYPE);
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = JSON.stringify(buildOpenApi(collections, c.origin, c.lang, landingPage(c, 'json').title));
  });

  router.get('/conformance', (ctx) => {
    const format = formatOf(ctx, METADATA);
    const c = contextOf(ctx);
    const doc = conformanceDoc();
    ctx.set('Cache-Control', 'public, max-age=60');
    respond(ctx, format, doc, () => htmlPage(c.lang, c.lang === 'fr' ? 'Classes de conformité' : 'Conformance classes', crumbs(c),
      `<ul>${doc.conformsTo.map((u) => `<li><code>${escapeHtml(u)}</code></li>`).join('')}</ul>`));
  });

  router.get('/collections', async (ctx) => {
    const format = formatOf(ctx, METADATA);
    const c = contextOf(ctx);
    const { state, fresh } = await revalidate(ctx, c, format, allIds);
    if (fresh) return;
    const docs = await Promise.all(collections.map(async (ls) => collectionDoc(c, ls, await summaries.get(ls, state), format)));
    const doc = collectionsDoc(c, docs, format);
    respond(ctx, format, doc, () => htmlPage(c.lang, c.lang === 'fr' ? 'Couches' : 'Collections', crumbs(c),
      `<ul>${docs.map((d) => `<li><a href="${escapeHtml(`${c.origin}/ogc/collections/${d.id}?f=html`)}">${escapeHtml(d.title)}</a>` +
        ` — ${escapeHtml(d.description)}</li>`).join('')}</ul>`));
  });

  router.get('/collections/:collectionId', async (ctx) => {
    const ls = lookup(ctx.params.collectionId!);
    const format = formatOf(ctx, METADATA);
    const c = contextOf(ctx);
    const { state, fresh } = await revalidate(ctx, c, format, [ls.layer.id]);
    if (fresh) return;
    const doc = collectionDoc(c, ls, await summaries.get(ls, state), format);
    respond(ctx, format, doc, () => {
      const { links, title, description, ...rest } = doc;
      return htmlPage(c.lang, title, crumbs(c), `<p>${escapeHtml(description)}</p>${recordHtml(rest)}${linksHtml(links)}`);
    });
  });

  router.get('/collections/:collectionId/queryables', (ctx) => {
    const ls = lookup(ctx.params.collectionId!);
    const format = formatOf(ctx, METADATA);
    const c = contextOf(ctx);
    const doc = queryablesDoc(c, ls);
    respond(ctx, format, doc, () => htmlPage(c.lang, `${doc.title} — ${c.lang === 'fr' ? 'propriétés filtrables' : 'queryables'}`,
      crumbs(c, collectionCrumb(c, ls)), recordHtml(doc.properties)), SCHEMA_TYPE);
  });

  router.get('/collections/:collectionId/items', async (ctx) => {
    const ls = lookup(ctx.params.collectionId!);
    const q = parseFeatureQuery(ctx.query, ls);
    const format = negotiate(ctx);
    const c = contextOf(ctx);
    const { state, fresh } = await revalidate(ctx, c, format, [ls.layer.id]);
    if (fresh) return;
    const plan = planNumberMatched(q, (await summaries.get(ls, state)).count, config.ogcCountMaxFeatures);
    const result = await queryFeaturePages(db, ls, q, { count: plan === 'count' });
    const start = pageStart(q);
    const matchedNow = numberMatched(plan, result.matched, start, result.tally);
    // One page (the usual case) goes out whole, with a Content-Length; more are streamed page by page.
    const body = async (chunks: AsyncGenerator<string>) => (result.single ? join(chunks) : streamChunks(chunks));
    const collectionUrl = `${c.origin}/ogc/collections/${ls.layer.id}`;
    const ending = (): PageEnd => ({
      returned: result.tally.returned,
      matched: numberMatched(plan, result.matched, start, result.tally),
      links: pageLinks({
        url: `${collectionUrl}/items`, params: new URLSearchParams(ctx.querystring), format, limit: q.limit, start, tally: result.tally,
      }, c, collectionUrl),
    });
    ctx.set('Content-Crs', contentCrsHeader(q.crs));
    if (format === 'json') {
      ctx.type = GEOJSON_TYPE;
      // A single page is one string already: no generator to pull it through.
      ctx.body = result.single
        ? `${featureCollectionStart()}${result.first.features}${featureCollectionEnd(ending())}`
        : streamChunks(featureCollectionJson(result.pages, ending));
      return;
    }
    const names = q.properties ?? ls.propertyNames;
    const title = ls.layer.title[c.lang];
    // The count shows above the table only when it is known before the features are read.
    const countText = plan !== 'none' && matchedNow !== undefined
      ? `<p>${matchedNow} ${c.lang === 'fr' ? 'objets correspondent' : 'matching features'}.</p>` : '';
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await body(featureCollectionHtml(result.pages, {
      start: htmlPageStart(c.lang, title, crumbs(c, collectionCrumb(c, ls)), `${countText}${featureTableStart(names)}`),
      names,
      itemsUrl: `${collectionUrl}/items`,
      ending,
    }));
  });

  router.get('/collections/:collectionId/items/:featureId', async (ctx) => {
    const ls = lookup(ctx.params.collectionId!);
    const format = formatOf(ctx, ITEM);
    const crs = parseCrs(single(ctx.query, 'crs'), 'crs');
    const propertiesRaw = single(ctx.query, 'properties');
    const names = propertiesRaw === undefined ? undefined : parsePropertyList(propertiesRaw, ls.propertyNames);
    const c = contextOf(ctx);
    const id = ctx.params.featureId!;
    const missing = () => notFound(`no feature "${id}" in collection "${ls.layer.id}"`);
    if (!FEATURE_ID.test(id)) throw missing();
    if ((await revalidate(ctx, c, format, [ls.layer.id])).fresh) return;
    const { rows } = await db.query<{ feature: string }>(itemSql(ls, crs, names), [id]);
    if (!rows[0]) throw missing();
    const links = itemLinks(c, ls.layer.id, id, format, new URLSearchParams(ctx.querystring));
    ctx.set('Content-Crs', contentCrsHeader(crs));
    const feature = rows[0].feature;
    if (format === 'html') {
      const { properties } = JSON.parse(feature) as { properties: Record<string, unknown> };
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = htmlPage(c.lang, `${ls.layer.title[c.lang]} ${id}`, crumbs(c, collectionCrumb(c, ls)),
        `${recordHtml(properties)}${linksHtml(links)}`);
      return;
    }
    ctx.set('Content-Type', GEOJSON_TYPE);
    // The feature text ends with its closing brace: the links go just before it.
    ctx.body = `${feature.slice(0, -1)},"links":${JSON.stringify(links)}}`;
  });

  return router;
}

async function join(chunks: AsyncGenerator<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}


/** What follows the features: known only once they are all sent. */
interface PageEnd {
  returned: number;
  matched: number | undefined;
  links: Link[];
}

function featureCollectionStart(): string {
  return `{"type":"FeatureCollection","timeStamp":"${new Date().toISOString()}","features":[`;
}

/** numberReturned, numberMatched and the links follow the features: they count what was actually sent. */
function featureCollectionEnd(end: PageEnd): string {
  const matched = end.matched === undefined ? '' : `,"numberMatched":${end.matched}`;
  return `],"numberReturned":${end.returned}${matched},"links":${JSON.stringify(end.links)}}`;
}

async function* featureCollectionJson(pages: AsyncGenerator<{ n: number; features: string }>, ending: () => PageEnd): AsyncGenerator<string> {
  yield featureCollectionStart();
  let separator = '';
  for await (const page of pages) {
    if (page.n === 0) continue;
    yield separator + page.features;
    separator = ',';
  }
  yield featureCollectionEnd(ending());
}

interface HtmlItems {
  start: string;
  names: readonly string[];
  itemsUrl: string;
  ending: () => PageEnd;
}

async function* featureCollectionHtml(pages: AsyncGenerator<{ n: number; features: string }>, h: HtmlItems): AsyncGenerator<string> {
  yield h.start;
  for await (const page of pages) {
    if (page.n === 0) continue;
    yield featureRowsHtml(JSON.parse(`[${page.features}]`), h.names, h.itemsUrl);
  }
  yield `${FEATURE_TABLE_END}${linksHtml(h.ending().links.filter((l) => l.rel !== 'self'))}${HTML_PAGE_END}`;
}
