// The OpenAPI 3.0 definition served at /ogc/api, built from the same parameter lists the handlers
// enforce, so that it describes exactly what the server accepts.
import type { Lang } from '../../core/layers/layer-def.ts';
import { DOWNLOAD_TYPES, downloadPath, type DownloadFormat } from '../downloads/download-formats.ts';
import type { LayerSql } from './feature-sql.ts';
import { CRS84, SUPPORTED_CRS } from './ogc-crs.ts';
import { GEOJSON_TYPE, HTML_TYPE, JSON_TYPE, OPENAPI_TYPE, SCHEMA_TYPE, propertySchema } from './ogc-documents.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './ogc-params.ts';
import { ITEM_PARAMETERS, METADATA_PARAMETERS, itemsParameterNames } from './ogc-query.ts';
import { DOWNLOAD_PARAMETERS } from '../downloads/download-params.ts';

type Json = Record<string, unknown>;

const ref = (kind: 'parameters' | 'responses' | 'schemas', name: string) => ({ $ref: `#/components/${kind}/${name}` });

const query = (name: string, description: string, schema: Json, extra: Json = {}): Json =>
  ({ name, in: 'query', required: false, description, schema, ...extra });

const CRS_URIS = SUPPORTED_CRS.map((c) => c.uri);

/** Parameters shared by every collection, described once under components. */
const SHARED_PARAMETERS: Record<string, Json> = {
  f: query('f', 'Response format; without it the Accept header decides (JSON unless HTML is preferred).',
    { type: 'string', enum: ['json', 'html'] }),
  bbox: query('bbox', 'Only features whose geometry intersects this box: minX,minY,maxX,maxY (or 6 numbers with heights, ignored) in the axis order of bbox-crs.',
    { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } }, { style: 'form', explode: false }),
  'bbox-crs': query('bbox-crs', 'CRS of bbox (EPSG:4326 is lat,lon order).', { type: 'string', format: 'uri', enum: CRS_URIS, default: CRS84 }),
  limit: query('limit', `Features per page; larger values are clamped to ${MAX_LIMIT}.`,
    { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }, { style: 'form', explode: false }),
  offset: query('offset', 'Number of matching features to skip (not with after or before).', { type: 'integer', minimum: 0, default: 0 }),
  after: query('after', 'Keyset paging: the page starts just after this feature id (the next link carries it).', { type: 'integer' }),
  before: query('before', 'Keyset paging: the page ends just before this feature id (the prev link of a keyset page carries it).', { type: 'integer' }),
  crs: query('crs', 'CRS of the returned geometries (EPSG:4326 is lat,lon order); the Content-Crs header repeats it.',
    { type: 'string', format: 'uri', enum: CRS_URIS, default: CRS84 }),
  datetime: query('datetime', 'RFC 3339 date or date-time, or interval start/end with ".." for an open end, matched against the layer\'s date property.',
    { type: 'string' }),
  featureId: { name: 'featureId', in: 'path', required: true, description: 'Integer feature id.', schema: { type: 'integer', minimum: 0 } },
  'download-crs': query('crs', 'Coordinates in WGS84 (4326, default) or Lambert-93 (2154).', { type: 'string', enum: ['4326', '2154'], default: '4326' }),
};

const errorResponses = { 400: ref('responses', 'BadRequest'), 404: ref('responses', 'NotFound'), 500: ref('responses', 'ServerError') };

const ok = (description: string, types: Record<string, Json>, headers?: Json): Json => ({
  description,
  ...(headers ? { headers } : {}),
  content: Object.fromEntries(Object.entries(types).map(([type, schema]) => [type, { schema }])),
});

const contentCrs = { 'Content-Crs': { description: 'CRS of the geometries, as <URI>.', schema: { type: 'string' } } };

function itemsOperation(ls: LayerSql, lang: Lang): Json {
  const parameters = itemsParameterNames(ls).map((name) => {
    if (name === 'properties') {
      return query('properties', 'Comma-separated properties to return (empty: none).',
        { type: 'array', items: { type: 'string', enum: ls.propertyNames } }, { style: 'form', explode: false });
    }
    const queryable = ls.queryables.find((p) => p.name === name);
    if (queryable) return query(name, `Equality filter: ${queryable.label[lang]}.`, propertySchema(queryable, lang));
    return ref('parameters', name);
  });
  return {
    tags: [ls.layer.id],
    summary: `${ls.layer.title[lang]}: features`,
    operationId: `getFeatures_${ls.layer.id}`,
    parameters,
    responses: {
      200: ok('A page of features, with numberReturned, next/prev links, and numberMatched where it is cheap to know (no filter, a small layer, or the last page of offset paging).',
        { [GEOJSON_TYPE]: ref('schemas', 'featureCollectionGeoJSON'), [HTML_TYPE]: { type: 'string' } }, contentCrs),
      ...errorResponses,
    },
  };
}

function itemOperation(ls: LayerSql, lang: Lang): Json {
  const parameters = [ref('parameters', 'featureId'), ...ITEM_PARAMETERS.map((name) => name === 'properties'
    ? query('properties', 'Comma-separated properties to return (empty: none).',
      { type: 'array', items: { type: 'string', enum: ls.propertyNames } }, { style: 'form', explode: false })
    : ref('parameters', name))];
  return {
    tags: [ls.layer.id],
    summary: `${ls.layer.title[lang]}: one feature`,
    operationId: `getFeature_${ls.layer.id}`,
    parameters,
    responses: {
      200: ok('The feature.', { [GEOJSON_TYPE]: ref('schemas', 'featureGeoJSON'), [HTML_TYPE]: { type: 'string' } }, contentCrs),
      ...errorResponses,
    },
  };
}

const metadataOperation = (id: string, summary: string, tag: string, json: Json, jsonType = JSON_TYPE): Json => ({
  tags: [tag],
  summary,
  operationId: id,
  parameters: METADATA_PARAMETERS.map((name) => ref('parameters', name)),
  responses: { 200: ok(summary, { [jsonType]: json, [HTML_TYPE]: { type: 'string' } }), ...errorResponses },
});

function downloadOperation(ls: LayerSql, format: DownloadFormat, lang: Lang, origin: string): Json {
  return {
    servers: [{ url: origin }],
    get: {
      tags: [ls.layer.id],
      summary: `${ls.layer.title[lang]}: ${format.toUpperCase()} download of the whole layer (open data)`,
      operationId: `download_${ls.layer.id}_${format}`,
      parameters: DOWNLOAD_PARAMETERS[format].map((name) => ref('parameters', name === 'crs' ? 'download-crs' : name)),
      responses: {
        200: ok('The whole public layer, with its licence, source and last update.', { [DOWNLOAD_TYPES[format].split(';')[0]!]: { type: 'string', format: 'binary' } }),
        304: { description: 'Not modified since the ETag or date the client holds.' },
        ...errorResponses,
      },
    },
  };
}

/** The whole definition for the public layers, with the server URL the client reached us by. */
export function buildOpenApi(layers: readonly LayerSql[], origin: string, lang: Lang, title: string): Json {
  const paths: Record<string, Json> = {
    '/': { get: metadataOperation('getLandingPage', 'Landing page', 'Capabilities', ref('schemas', 'landingPage')) },
    '/api': {
      get: {
        tags: ['Capabilities'], summary: 'This OpenAPI definition', operationId: 'getApi',
        responses: { 200: ok('The OpenAPI 3.0 definition.', { [OPENAPI_TYPE]: { type: 'object' } }), ...errorResponses },
      },
    },
    '/conformance': { get: metadataOperation('getConformance', 'Conformance classes', 'Capabilities', ref('schemas', 'confClasses')) },
    '/collections': { get: metadataOperation('getCollections', 'Collections', 'Capabilities', ref('schemas', 'collections')) },
  };
  for (const ls of layers) {
    const id = ls.layer.id;
    paths[`/collections/${id}`] = { get: metadataOperation(`describeCollection_${id}`, `${ls.layer.title[lang]}: description`, id, ref('schemas', 'collection')) };
    paths[`/collections/${id}/items`] = { get: itemsOperation(ls, lang) };
    paths[`/collections/${id}/items/{featureId}`] = { get: itemOperation(ls, lang) };
    paths[`/collections/${id}/queryables`] = { get: metadataOperation(`getQueryables_${id}`, `${ls.layer.title[lang]}: queryables`, id, { type: 'object' }, SCHEMA_TYPE) };
    for (const format of ['geojson', 'csv', 'gpkg'] as const) {
      // Downloads live outside /ogc: their path item names its own server, the origin.
      paths[downloadPath(id, format)] = downloadOperation(ls, format, lang, origin);
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title,
      version: '1.0.0',
      description: 'OGC API – Features (Part 1 core, GeoJSON, HTML; Part 2 CRS by reference; Part 3 queryables) and open-data downloads.',
    },
    servers: [{ url: `${origin}/ogc` }],
    tags: [{ name: 'Capabilities' }, ...layers.map((ls) => ({ name: ls.layer.id, description: ls.layer.title[lang] }))],
    paths,
    components: {
      parameters: SHARED_PARAMETERS,
      responses: {
        BadRequest: ok('A parameter is unknown or invalid.', { [JSON_TYPE]: ref('schemas', 'exception') }),
        NotFound: ok('No such collection or feature.', { [JSON_TYPE]: ref('schemas', 'exception') }),
        ServerError: ok('A server error (nothing about it is disclosed).', { [JSON_TYPE]: ref('schemas', 'exception') }),
      },
      schemas: SCHEMAS,
    },
  };
}

const link = {
  type: 'object',
  required: ['href', 'rel'],
  properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' }, title: { type: 'string' } },
};
const links = { type: 'array', items: ref('schemas', 'link') };
const geometry = {
  type: 'object', required: ['type', 'coordinates'],
  properties: { type: { type: 'string', enum: ['Point', 'MultiPolygon'] }, coordinates: { type: 'array', items: {} } },
};

const SCHEMAS: Record<string, Json> = {
  exception: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, description: { type: 'string' } } },
  link,
  landingPage: { type: 'object', required: ['links'], properties: { title: { type: 'string' }, description: { type: 'string' }, links } },
  confClasses: { type: 'object', required: ['conformsTo'], properties: { conformsTo: { type: 'array', items: { type: 'string' } } } },
  collection: {
    type: 'object', required: ['id', 'links'],
    properties: {
      id: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, links,
      extent: { type: 'object' }, itemType: { type: 'string' },
      crs: { type: 'array', items: { type: 'string' } }, storageCrs: { type: 'string' },
    },
  },
  collections: {
    type: 'object', required: ['links', 'collections'],
    properties: { links, crs: { type: 'array', items: { type: 'string' } }, collections: { type: 'array', items: ref('schemas', 'collection') } },
  },
  featureGeoJSON: {
    type: 'object', required: ['type', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] }, id: { type: 'integer' }, geometry,
      properties: { type: 'object', nullable: true }, links,
    },
  },
  featureCollectionGeoJSON: {
    type: 'object', required: ['type', 'features'],
    properties: {
      type: { type: 'string', enum: ['FeatureCollection'] },
      features: { type: 'array', items: ref('schemas', 'featureGeoJSON') },
      links, timeStamp: { type: 'string', format: 'date-time' },
      numberMatched: { type: 'integer', minimum: 0 }, numberReturned: { type: 'integer', minimum: 0 },
    },
  },
};
