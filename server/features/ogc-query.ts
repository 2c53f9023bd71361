// The parameters each OGC endpoint accepts, per layer, and the validated FeatureQuery of a request.
import type { LayerSql } from './feature-sql.ts';
import {
  parseBboxParam, parseCrs, parseFeatureKey, parseDatetime, parseLimit, parseOffset, parsePropertyFilters, parsePropertyList,
  type FeatureQuery,
} from './ogc-params.ts';
import { badRequest } from '../http/errors.ts';
import { rejectUnknownParameters, single, type RawQuery } from '../http/params.ts';

/** Parameters every `/items` request may carry; `datetime` and property filters depend on the layer. */
export const ITEMS_PARAMETERS = ['f', 'bbox', 'bbox-crs', 'limit', 'offset', 'after', 'before', 'crs', 'properties'] as const;
/** Parameters of `/items/{featureId}`. */
export const ITEM_PARAMETERS = ['f', 'crs', 'properties'] as const;
/** Parameters of the metadata endpoints (landing page, conformance, collections, queryables). */
export const METADATA_PARAMETERS = ['f'] as const;

/** Names a property may not take, or its filter would shadow a standard parameter. */
const RESERVED = new Set<string>([...ITEMS_PARAMETERS, 'datetime', 'filter', 'filter-lang', 'sortby']);

/** Throws at start-up if a queryable property's name collides with a standard parameter. */
export function checkQueryableNames(ls: LayerSql): void {
  for (const p of ls.queryables) {
    if (RESERVED.has(p.name)) throw new Error(`layer "${ls.layer.id}": queryable property "${p.name}" shadows an OGC API parameter`);
  }
}

/** Every parameter `/items` accepts on this layer, in the order the OpenAPI document lists them. */
export function itemsParameterNames(ls: LayerSql): string[] {
  return [...ITEMS_PARAMETERS, ...(ls.temporal ? ['datetime'] : []), ...ls.queryables.map((p) => p.name)];
}

/** Each layer's `/items` parameters as a set, made on its first request rather than on every one. */
const itemsParameterSets = new WeakMap<LayerSql, ReadonlySet<string>>();
function itemsParameterSet(ls: LayerSql): ReadonlySet<string> {
  let names = itemsParameterSets.get(ls);
  if (!names) itemsParameterSets.set(ls, (names = new Set(itemsParameterNames(ls))));
  return names;
}

/** Validates a request to `/items` into a FeatureQuery; any problem is a 400 naming the parameter. */
export function parseFeatureQuery(query: RawQuery, ls: LayerSql): FeatureQuery {
  rejectUnknownParameters(query, itemsParameterSet(ls));
  const bboxRaw = single(query, 'bbox');
  const bboxCrs = parseCrs(single(query, 'bbox-crs'), 'bbox-crs');
  const bbox = bboxRaw === undefined ? undefined : parseBboxParam(bboxRaw, bboxCrs);
  const datetimeRaw = single(query, 'datetime');
  const propertiesRaw = single(query, 'properties');
  const offset = parseOffset(single(query, 'offset'));
  const after = parseFeatureKey(single(query, 'after'), 'after');
  const before = parseFeatureKey(single(query, 'before'), 'before');
  if ([offset > 0, after !== undefined, before !== undefined].filter(Boolean).length > 1) {
    throw badRequest('give at most one of offset, after and before: each says where the page starts');
  }
  return {
    ...(bbox === 'nothing' ? { nothing: true } : bbox ? { bbox } : {}),
    ...(datetimeRaw !== undefined ? { datetime: parseDatetime(datetimeRaw) } : {}),
    filters: parsePropertyFilters(query, ls.queryables),
    ...(propertiesRaw !== undefined ? { properties: parsePropertyList(propertiesRaw, ls.propertyNames) } : {}),
    crs: parseCrs(single(query, 'crs'), 'crs'),
    limit: parseLimit(single(query, 'limit')),
    offset,
    ...(after !== undefined ? { after } : {}),
    ...(before !== undefined ? { before } : {}),
  };
}
