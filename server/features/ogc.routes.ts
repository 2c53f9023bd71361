// OGC API – Features under /ogc: handlers parse → look up → query → respond; documents, SQL and
// pages come from the pure builders next to this file.
import Router from '@koa/router';
import { hash } from 'node:crypto';
import type { Context } from 'koa';
import { versionTag, type DataState } from '../../core/db/change-signal.ts';
import { answerNotModified, matchingEtag, weakEtag } from '../http/conditional.ts';
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
import { escapeHtml, featureTableStart, htmlPage, htmlPageStart, linksHtml, recordHtml } from './ogc-html.ts';
import {
  featureCollectionEnd, featureCollectionHtml, featureCollectionJson, featureCollectionStart, join, type PageEnd,
} from './feature-collection-text.ts';
import { parseCrs, parseFormat, parsePropertyList, type OutputFormat } from './ogc-params.ts';
import { rejectUnknownParameters, single, type RawQuery } from '../http/params.ts';
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

/** An items request as its path, query and headers state it. */
export interface ItemsRequest {
  collectionId: string;
  query: RawQuery;
  /** The query string as sent: the page links keep its parameters. */
  querystring: string;
  /** Path and query as sent: the ETag covers them. */
  url: string;
  /** The type the client prefers among `types` (Koa's ctx.accepts), asked when `f` is absent. */
  prefers: (...types: string[]) => string | false;
  lang: () => Lang;
  /** Scheme and host the links start with. */
  origin: () => string;
  ifNoneMatch: string | undefined;
}

/** The answer to an items request: its status, the headers the route sets (in that order) and its body. */
export interface ItemsAnswer {
  status: 200 | 304;
  headers: [name: string, value: string][];
  /** Whole, or page by page when it spans several database pages. */
  body?: string | AsyncGenerator<string>;
}

export interface ItemsEndpoint {
  /** The answer to an items request; throws the 400/404 (and database errors) the route would. */
  answer(request: ItemsRequest): Promise<ItemsAnswer>;
  /** The language the routes negotiated for this Accept-Language value ('' when none), if they met it. */
  languageChoice(header: string): Lang | undefined;
  /** The type the routes found preferred for this Accept value ('' when none), if they met it. */
  preferredType(header: string): string | false | undefined;
  /** Has the route throw `error` for `req` (which then goes through Koa), so that it is answered as any route error. */
  handOver(req: object, error: unknown): void;
}

/** The OGC API routes for the public layers of the registry, and their items answer for the app's lean path (server/http/lean-items.ts). */
export function ogcEndpoint({ db, layers, config, changes, summaries }: RouteDeps): { router: Router; items: ItemsEndpoint } {
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
  // The language by Accept-Language value, and the format by Accept value: negotiating them anew
  // cost every request more than the lookup, and the lean path answers only values met here. The
  // values come from clients, hence the bound, which empties a map rather than closing it: else 256
  // made-up values would keep browsers off the lean path.
  const languages = new Map<string, Lang>();
  const languageOf = (ctx: Context): Lang => {
    const header = ctx.get('Accept-Language');
    let lang = languages.get(header);
    if (!lang) {
      lang = (ctx.acceptsLanguages('fr', 'en') || 'fr') as Lang;
      remember(languages, header, lang);
    }
    return lang;
  };
  /** ctx.accepts by Accept value, for parseFormat's list of types (the one list it asks about). */
  const preferred = new Map<string, string | false>();
  const prefersOf = (ctx: Context) => (...types: string[]): string | false => {
    const header = ctx.get('Accept');
    const known = preferred.get(header);
    if (known !== undefined) return known;
    const choice = ctx.accepts(types) as string | false;
    remember(preferred, header, choice);
    return choice;
  };
  const contextOf = (ctx: Context): DocContext => {
    const lang = languageOf(ctx);
    ctx.set('Content-Language', lang);
    varyByLanguage(ctx);
    return { origin: requestOrigin(ctx, config.publicBaseUrl), lang, terms };
  };
  const negotiate = (ctx: Context): OutputFormat => parseFormat(single(ctx.query, 'f'), prefersOf(ctx));
  const formatOf = (ctx: Context, known: ReadonlySet<string>): OutputFormat => {
    rejectUnknownParameters(ctx.query, known);
    return negotiate(ctx);
  };
  /** The ETag of `url` in this language and format, made from these versions of `ids`. */
  const etagOf = (state: DataState, c: DocContext, format: OutputFormat, ids: readonly string[], url: string) =>
    weakEtag(schema, versionTag(state, ids), c.origin, c.lang, format, url);
  /**
   * Reads the data state and answers 304 if the client's copy of this URL, in this language and
   * format, was made from the same versions of `ids`: decided before any query of the data.
   */
  const revalidate = async (ctx: Context, c: DocContext, format: OutputFormat, ids: readonly string[]) => {
    const state: DataState = await changes.current();
    return { state, fresh: answerNotModified(ctx, etagOf(state, c, format, ids, ctx.url)) };
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

  // The items answer of both the route and the lean path, so that the two cannot drift apart.
  const items = async (r: ItemsRequest): Promise<ItemsAnswer> => {
    const ls = lookup(r.collectionId);
    const q = parseFeatureQuery(r.query, ls);
    const format = parseFormat(single(r.query, 'f'), r.prefers);
    const c: DocContext = { origin: r.origin(), lang: r.lang(), terms };
    const state: DataState = await changes.current();
    const etag = etagOf(state, c, format, [ls.layer.id], r.url);
    const headers: ItemsAnswer['headers'] = [['Content-Language', c.lang], ['ETag', etag]];
    if (matchingEtag(r.ifNoneMatch, [etag]) !== undefined) return { status: 304, headers };
    const plan = planNumberMatched(q, (await summaries.get(ls, state)).count, config.ogcCountMaxFeatures);
    const result = await queryFeaturePages(db, ls, q, { count: plan === 'count' });
    const start = pageStart(q);
    const matchedNow = numberMatched(plan, result.matched, start, result.tally);
    const collectionUrl = `${c.origin}/ogc/collections/${ls.layer.id}`;
    const ending = (): PageEnd => ({
      returned: result.tally.returned,
      matched: numberMatched(plan, result.matched, start, result.tally),
      links: pageLinks({
        url: `${collectionUrl}/items`, params: new URLSearchParams(r.querystring), format, limit: q.limit, start, tally: result.tally,
      }, c, collectionUrl),
    });
    headers.push(['Content-Crs', contentCrsHeader(q.crs)]);
    if (format === 'json') {
      headers.push(['Content-Type', GEOJSON_TYPE]);
      // A single page is one string already: no generator to pull it through.
      const body = result.single
        ? `${featureCollectionStart()}${result.first.features}${featureCollectionEnd(ending())}`
        : featureCollectionJson(result.pages, ending);
      return { status: 200, headers, body };
    }
    const names = q.properties ?? ls.propertyNames;
    const title = ls.layer.title[c.lang];
    // The count shows above the table only when it is known before the features are read.
    const countText = plan !== 'none' && matchedNow !== undefined
      ? `<p>${matchedNow} ${c.lang === 'fr' ? 'objets correspondent' : 'matching features'}.</p>` : '';
    headers.push(['Content-Type', 'text/html; charset=utf-8']);
    const html = featureCollectionHtml(result.pages, {
      start: htmlPageStart(c.lang, title, crumbs(c, collectionCrumb(c, ls)), `${countText}${featureTableStart(names)}`),
      names,
      itemsUrl: `${collectionUrl}/items`,
      ending,
    });
    // One page (the usual case) goes out whole, with a Content-Length; more are streamed page by page.
    return { status: 200, headers, body: result.single ? await join(html) : html };
  };
  const handedOver = new WeakMap<object, unknown>();

  router.get('/collections/:collectionId/items', async (ctx) => {
    varyByLanguage(ctx);
    // The lean path's failure (a bad parameter, the database): answered here, without asking again.
    if (handedOver.has(ctx.req)) throw handedOver.get(ctx.req);
    const { status, headers, body } = await items({
      collectionId: ctx.params.collectionId!, query: ctx.query, querystring: ctx.querystring, url: ctx.url,
      prefers: prefersOf(ctx), lang: () => languageOf(ctx), origin: () => requestOrigin(ctx, config.publicBaseUrl),
      ifNoneMatch: ctx.get('If-None-Match'),
    });
    for (const [name, value] of headers) ctx.set(name, value);
    if (body === undefined) ctx.status = status;
    else ctx.body = typeof body === 'string' ? body : streamChunks(body);
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

  return {
    router,
    items: {
      answer: items,
      languageChoice: (header) => languages.get(header),
      preferredType: (header) => preferred.get(header),
      handOver: (req, error) => void handedOver.set(req, error),
    },
  };
}

/** Adds to Vary (koa-compress has put Accept-Encoding there): documents depend on format and language. */
function varyByLanguage(ctx: Context): void {
  ctx.vary('Accept');
  ctx.vary('Accept-Language');
}

/** Sets `key` in a map bounded at 256 entries, emptied when full. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= 256) map.clear();
  map.set(key, value);
}
