// The OGC API – Features JSON documents (landing page, conformance, collections, queryables, paging
// links), built from the layer descriptions by pure functions.
import type { Lang, PropertyDef } from '../../core/layers/layer-def.ts';
import { PROPERTY_TYPES } from '../../core/layers/property-types.ts';
import { downloadLinks } from '../downloads/download-formats.ts';
import { layerSource, type OpenDataTerms } from '../downloads/open-data.ts';
import type { CollectionSummary } from './collection-summary.ts';
import type { PageTally } from './feature-pages.ts';
import type { LayerSql, PageStart } from './feature-sql.ts';
import { CRS84, SUPPORTED_CRS } from './ogc-crs.ts';
import type { OutputFormat } from './ogc-params.ts';

export const JSON_TYPE = 'application/json';
export const GEOJSON_TYPE = 'application/geo+json';
export const HTML_TYPE = 'text/html';
export const OPENAPI_TYPE = 'application/vnd.oai.openapi+json;version=3.0';
export const SCHEMA_TYPE = 'application/schema+json';

export const REL_CONFORMANCE = 'http://www.opengis.net/def/rel/ogc/1.0/conformance';
export const REL_DATA = 'http://www.opengis.net/def/rel/ogc/1.0/data';
export const REL_QUERYABLES = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';

/** What the server conforms to: Part 1 core, GeoJSON, HTML and OpenAPI 3.0, Part 2 CRS, Part 3 queryables. */
export const CONFORMANCE_CLASSES = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters',
] as const;

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** Where a document is served and for whom. */
export interface DocContext {
  /** Scheme and host the client used (behind a trusted proxy: the forwarded ones). */
  readonly origin: string;
  readonly lang: Lang;
  readonly terms: OpenDataTerms;
}

const base = (c: DocContext) => `${c.origin}/ogc`;
const withF = (url: string, f: OutputFormat) => `${url}${url.includes('?') ? '&' : '?'}f=${f}`;
const tr = (c: DocContext, fr: string, en: string) => (c.lang === 'fr' ? fr : en);

/** `self` in the format served and `alternate` in the other one. */
export function selfLinks(url: string, format: OutputFormat, jsonType = JSON_TYPE): Link[] {
  const json = { href: withF(url, 'json'), type: jsonType };
  const html = { href: withF(url, 'html'), type: HTML_TYPE };
  return format === 'json'
    ? [{ ...json, rel: 'self' }, { ...html, rel: 'alternate' }]
    : [{ ...html, rel: 'self' }, { ...json, rel: 'alternate' }];
}

function licenceLink(c: DocContext): Link {
  return { href: c.terms.licence.url, rel: 'license', type: HTML_TYPE, title: c.terms.licence.name };
}

export function landingPage(c: DocContext, format: OutputFormat) {
  const b = base(c);
  return {
    title: tr(c, `Données ouvertes de ${c.terms.publisher}`, `${c.terms.publisher} open data`),
    description: tr(c,
      `Les couches publiques du WebSIG en OGC API – Features (GeoJSON, HTML), sous ${c.terms.licence.name}.`,
      `The WebSIG's public layers as OGC API – Features (GeoJSON, HTML), under ${c.terms.licence.name}.`),
    links: [
      ...selfLinks(b, format),
      { href: `${b}/api`, rel: 'service-desc', type: OPENAPI_TYPE, title: tr(c, 'Définition OpenAPI 3.0', 'OpenAPI 3.0 definition') },
      { href: withF(`${b}/conformance`, 'json'), rel: 'conformance', type: JSON_TYPE, title: tr(c, 'Classes de conformité', 'Conformance classes') },
      { href: withF(`${b}/conformance`, 'json'), rel: REL_CONFORMANCE, type: JSON_TYPE, title: tr(c, 'Classes de conformité', 'Conformance classes') },
      { href: withF(`${b}/collections`, 'json'), rel: 'data', type: JSON_TYPE, title: tr(c, 'Couches', 'Collections') },
      { href: withF(`${b}/collections`, 'json'), rel: REL_DATA, type: JSON_TYPE, title: tr(c, 'Couches', 'Collections') },
      licenceLink(c),
    ],
  };
}

export function conformanceDoc() {
  return { conformsTo: [...CONFORMANCE_CLASSES] };
}

/** One collection: identity, extent, CRSs, and links to its items, queryables, licence and downloads. */
export function collectionDoc(c: DocContext, ls: LayerSql, summary: CollectionSummary, format: OutputFormat) {
  const { layer } = ls;
  const url = `${base(c)}/collections/${layer.id}`;
  const extent = {
    ...(summary.bbox ? { spatial: { bbox: [[...summary.bbox]], crs: CRS84 } } : {}),
    ...(summary.temporal ? { temporal: { interval: [[...summary.temporal]], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } } : {}),
  };
  return {
    id: layer.id,
    title: layer.title[c.lang],
    description: layer.description[c.lang],
    itemType: 'feature',
    ...(Object.keys(extent).length ? { extent } : {}),
    crs: SUPPORTED_CRS.map((crs) => crs.uri),
    storageCrs: CRS84,
    license: c.terms.licence.name,
    attribution: layerSource(layer, c.terms),
    ...(summary.lastUpdate ? { updated: summary.lastUpdate.toISOString() } : {}),
    links: [
      ...selfLinks(url, format),
      { href: withF(`${url}/items`, 'json'), rel: 'items', type: GEOJSON_TYPE, title: tr(c, 'Objets (GeoJSON)', 'Features (GeoJSON)') },
      { href: withF(`${url}/items`, 'html'), rel: 'items', type: HTML_TYPE, title: tr(c, 'Objets (HTML)', 'Features (HTML)') },
      { href: `${url}/queryables`, rel: REL_QUERYABLES, type: SCHEMA_TYPE, title: tr(c, 'Propriétés filtrables', 'Queryable properties') },
      licenceLink(c),
      ...downloadLinks(c.origin, layer.id, c.lang),
    ],
  };
}

export function collectionsDoc(c: DocContext, collections: readonly ReturnType<typeof collectionDoc>[], format: OutputFormat) {
  return {
    links: selfLinks(`${base(c)}/collections`, format),
    crs: SUPPORTED_CRS.map((crs) => crs.uri),
    collections,
  };
}

/** JSON Schema of one property, with its code list as an enum. */
export function propertySchema(p: PropertyDef, lang: Lang): Record<string, unknown> {
  return {
    title: p.label[lang],
    ...PROPERTY_TYPES[p.type].jsonSchema,
    ...(p.values ? { enum: p.values.map((v) => v.value) } : {}),
  };
}

/** The queryable properties (OGC API – Features Part 3) as a JSON Schema. */
export function queryablesDoc(c: DocContext, ls: LayerSql) {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base(c)}/collections/${ls.layer.id}/queryables`,
    type: 'object',
    title: ls.layer.title[c.lang],
    properties: Object.fromEntries(ls.queryables.map((p) => [p.name, propertySchema(p, c.lang)])),
    additionalProperties: false,
  };
}

export interface PageState {
  /** The items URL without query string. */
  readonly url: string;
  /** The request's query parameters, kept in every link. */
  readonly params: URLSearchParams;
  readonly format: OutputFormat;
  readonly limit: number;
  /** Where the page started: an offset, or after / before a feature id. */
  readonly start: PageStart;
  /** What the page holds: its first and last ids, and whether more lie beyond it. */
  readonly tally: PageTally;
}

/**
 * Where the next and previous pages start, if they exist. Next starts after the last id sent
 * (keyset: no growing OFFSET to skip), prev ends before the first one; an offset page keeps an
 * offset prev link. Ids are integers, so "after id - 1" starts at that id.
 */
export function neighbourPages(s: Pick<PageState, 'start' | 'tally' | 'limit'>): { next?: PageStart; prev?: PageStart } {
  const { start, tally } = s;
  if ('before' in start) {
    return {
      next: tally.last !== null ? { after: tally.last } : { after: start.before - 1 },
      ...(tally.more && tally.first !== null ? { prev: { before: tally.first } } : {}),
    };
  }
  const next = tally.more && tally.last !== null ? { next: { after: tally.last } } : {};
  if ('after' in start) return { ...next, prev: { before: tally.first ?? start.after + 1 } };
  return { ...next, ...(start.offset > 0 ? { prev: { offset: Math.max(0, start.offset - s.limit) } } : {}) };
}

/** Links of one page of items: self, alternate, next while features remain, prev after the first page. */
export function pageLinks(s: PageState, c: DocContext, collectionUrl: string): Link[] {
  const at = (start: PageStart, f: OutputFormat) => {
    const params = new URLSearchParams(s.params);
    for (const name of ['offset', 'after', 'before']) params.delete(name);
    params.set('limit', String(s.limit));
    if ('after' in start) params.set('after', String(start.after));
    else if ('before' in start) params.set('before', String(start.before));
    else params.set('offset', String(start.offset));
    params.set('f', f);
    return `${s.url}?${params}`;
  };
  const type = s.format === 'json' ? GEOJSON_TYPE : HTML_TYPE;
  const links: Link[] = [
    { href: at(s.start, s.format), rel: 'self', type },
    { href: at(s.start, s.format === 'json' ? 'html' : 'json'), rel: 'alternate', type: s.format === 'json' ? HTML_TYPE : GEOJSON_TYPE },
  ];
  const { next, prev } = neighbourPages(s);
  if (next) links.push({ href: at(next, s.format), rel: 'next', type, title: tr(c, 'Page suivante', 'Next page') });
  if (prev) links.push({ href: at(prev, s.format), rel: 'prev', type, title: tr(c, 'Page précédente', 'Previous page') });
  links.push({ href: withF(collectionUrl, 'json'), rel: 'collection', type: JSON_TYPE, title: tr(c, 'La couche', 'The collection') });
  return links;
}

/** Links of a single feature; self and alternate keep the request's other parameters (crs, properties). */
export function itemLinks(c: DocContext, layerId: string, featureId: string, format: OutputFormat, params = new URLSearchParams()): Link[] {
  const collection = `${base(c)}/collections/${layerId}`;
  const kept = new URLSearchParams(params);
  kept.delete('f');
  const query = kept.size ? `?${kept}` : '';
  return [
    ...selfLinks(`${collection}/items/${featureId}${query}`, format, GEOJSON_TYPE),
    { href: withF(collection, 'json'), rel: 'collection', type: JSON_TYPE, title: tr(c, 'La couche', 'The collection') },
  ];
}
