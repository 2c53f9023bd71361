// Bounded parsers for the OGC API query parameters; each throws a 400 saying what was expected.
import { badRequest } from '../http/errors.ts';
import { single, type RawQuery } from '../http/params.ts';
import type { PropertyDef } from '../../core/layers/layer-def.ts';
import { PROPERTY_TYPES } from '../../core/layers/property-types.ts';
import { isIsoDate, readIsoDateTime } from '../../core/layers/property-values.ts';
import { DEFAULT_CRS, SUPPORTED_CRS, findCrs, type CrsDef } from './ogc-crs.ts';

export const DEFAULT_LIMIT = 100;
/** OGC API – Features 1.0.1: a larger `limit` is clamped to this maximum, not refused. */
export const MAX_LIMIT = 10_000;
/** Longest value accepted for a property filter; longer ones cannot match any stored value anyway. */
const MAX_FILTER_LENGTH = 500;

/** A bbox in CRS84 order (lon/lat) or in the Lambert-93 metres it was given in. */
export interface BboxFilter {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly srid: 4326 | 2154;
}

export type TimeBound = { readonly kind: 'date'; readonly value: string } | { readonly kind: 'datetime'; readonly value: string };

/** A `datetime` instant (start = end) or interval; an absent bound is open. */
export interface DatetimeFilter {
  readonly start?: TimeBound;
  readonly end?: TimeBound;
}

export interface PropertyFilter {
  readonly property: PropertyDef;
  readonly value: string;
}

/** Everything a request to `/items` asks for, validated. */
export interface FeatureQuery {
  readonly bbox?: BboxFilter;
  /** The bbox lies wholly outside the area where its CRS is valid: nothing can match. */
  readonly nothing?: boolean;
  readonly datetime?: DatetimeFilter;
  readonly filters: readonly PropertyFilter[];
  /** Chosen output properties, in the requested order; undefined means all public ones. */
  readonly properties?: readonly string[];
  readonly crs: CrsDef;
  readonly limit: number;
  readonly offset: number;
  /** Keyset paging: the page starts just after this feature id (the `next` links carry it). */
  readonly after?: number;
  /** Keyset paging: the page ends just before this feature id (the `prev` links of keyset pages). */
  readonly before?: number;
}

export type OutputFormat = 'json' | 'html';

/** `limit`: a positive integer, default 100, clamped to 10,000. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^[0-9]{1,20}$/.test(raw) || Number(raw) < 1) {
    throw badRequest(`limit must be a positive integer (at most ${MAX_LIMIT} are returned), got "${raw}"`);
  }
  return Math.min(Number(raw), MAX_LIMIT);
}

/** `offset`: a non-negative integer, default 0. */
export function parseOffset(raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (!/^[0-9]{1,15}$/.test(raw)) throw badRequest(`offset must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/** `after` / `before`: a feature id, as the `next` and `prev` links give it. */
export function parseFeatureKey(raw: string | undefined, name: 'after' | 'before'): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?[0-9]{1,15}$/.test(raw)) throw badRequest(`${name} must be a feature id (an integer), as the next and prev links give it; got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

/** `crs` / `bbox-crs`: one of the offered CRS URIs; CRS84 when absent. */
export function parseCrs(raw: string | undefined, name: 'crs' | 'bbox-crs'): CrsDef {
  if (raw === undefined) return DEFAULT_CRS;
  const crs = findCrs(raw.trim());
  if (!crs) throw badRequest(`${name} must be one of ${SUPPORTED_CRS.map((c) => c.uri).join(', ')}; got "${raw}"`);
  return crs;
}

/**
 * `bbox`: 4 numbers (or 6 with heights, which are ignored) in the axis order of `bbox-crs`;
 * minimum above maximum is a 400. The result is in lon/lat order for geographic CRSs and is
 * clipped to where the CRS is valid (a bbox wholly outside it then matches nothing).
 */
export function parseBboxParam(raw: string, crs: CrsDef): BboxFilter | 'nothing' {
  const parts = raw.split(',');
  const numbers = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if ((parts.length !== 4 && parts.length !== 6) || numbers.some((n) => !Number.isFinite(n))) {
    throw badRequest(`bbox must be 4 (or 6) comma-separated numbers "minX,minY,maxX,maxY" in ${crs.uri}, got "${raw}"`);
  }
  const [a1, a2, b1, b2] = parts.length === 4
    ? (numbers as [number, number, number, number])
    : [numbers[0]!, numbers[1]!, numbers[3]!, numbers[4]!];
  if (a1 > b1 || a2 > b2) throw badRequest(`bbox lower corner must not exceed its upper corner, got "${raw}"`);
  const [vMinA, vMinB, vMaxA, vMaxB] = crs.validArea;
  if (crs.srid === 4326 && (a1 < vMinA || a2 < vMinB || b1 > vMaxA || b2 > vMaxB)) {
    const order = crs.latLon ? 'lat,lon' : 'lon,lat';
    throw badRequest(`bbox must lie within ${crs.validArea.join(',')} (${order} order of ${crs.uri}), got "${raw}"`);
  }
  const clipped = [Math.max(a1, vMinA), Math.max(a2, vMinB), Math.min(b1, vMaxA), Math.min(b2, vMaxB)] as const;
  if (clipped[0] > clipped[2] || clipped[1] > clipped[3]) return 'nothing';
  const [minA, minB, maxA, maxB] = clipped;
  return crs.latLon
    ? { minX: minB, minY: minA, maxX: maxB, maxY: maxA, srid: crs.srid }
    : { minX: minA, minY: minB, maxX: maxA, maxY: maxB, srid: crs.srid };
}

/** An RFC 3339 date or date-time, normalised (date-times to UTC ISO); undefined when not one. */
export function parseTimeBound(raw: string): TimeBound | undefined {
  if (isIsoDate(raw)) return { kind: 'date', value: raw };
  const value = readIsoDateTime(raw);
  return value === undefined ? undefined : { kind: 'datetime', value };
}

/** The first instant a bound covers, in milliseconds (a date starts at 00:00 UTC). */
export function boundStartMs(bound: TimeBound): number {
  return Date.parse(bound.kind === 'date' ? `${bound.value}T00:00:00Z` : bound.value);
}

/** `datetime`: an instant, or an interval `start/end` where either end may be open (`..` or empty). */
export function parseDatetime(raw: string): DatetimeFilter {
  const expected = 'an RFC 3339 date or date-time, or an interval "start/end" with ".." for an open end';
  const parts = raw.split('/');
  if (parts.length > 2) throw badRequest(`datetime must be ${expected}, got "${raw}"`);
  const bounds = parts.map((p) => {
    if (parts.length === 2 && (p === '..' || p === '')) return undefined;
    const bound = parseTimeBound(p);
    if (!bound) throw badRequest(`datetime must be ${expected}, got "${raw}"`);
    return bound;
  });
  if (parts.length === 1) return { start: bounds[0], end: bounds[0] };
  const [start, end] = bounds;
  if (start && end && boundStartMs(start) > boundStartMs(end)) {
    throw badRequest(`datetime interval must not end before it starts, got "${raw}"`);
  }
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/** `properties`: a comma-separated subset of the allowed names (empty: no properties). */
export function parsePropertyList(raw: string, allowed: readonly string[]): string[] {
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const name of names) {
    if (!allowed.includes(name)) throw badRequest(`properties: unknown property "${name}"; known: ${allowed.join(', ')}`);
  }
  return [...new Set(names)];
}

/** Equality filters on the queryable properties present in the query, each value checked against its type. */
export function parsePropertyFilters(query: RawQuery, queryables: readonly PropertyDef[]): PropertyFilter[] {
  const filters: PropertyFilter[] = [];
  for (const property of queryables) {
    const value = single(query, property.name);
    if (value === undefined) continue;
    const type = PROPERTY_TYPES[property.type];
    if (value.length > MAX_FILTER_LENGTH || !type.acceptsFilter(value)) {
      throw badRequest(`${property.name} must be ${type.filterExpected}${value.length > MAX_FILTER_LENGTH ? ` of at most ${MAX_FILTER_LENGTH} characters` : ''}, got "${value.slice(0, 80)}"`);
    }
    filters.push({ property, value });
  }
  return filters;
}

/** `f=json|html`, else the Accept header (HTML only when the client prefers it, as browsers do). */
export function parseFormat(raw: string | undefined, prefers: (...types: string[]) => string | false): OutputFormat {
  if (raw !== undefined) {
    if (raw === 'json' || raw === 'html') return raw;
    throw badRequest(`f must be json or html, got "${raw}"`);
  }
  return prefers('application/json', 'application/geo+json', 'text/html') === 'text/html' ? 'html' : 'json';
}
