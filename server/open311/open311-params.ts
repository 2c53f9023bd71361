// Bounded parsers for the query of GET requests (Open311 GeoReport v2), each saying what it expected,
// and the documented extension that lists requests near a point (the duplicate check).
import type { ParsedUrlQuery } from 'node:querystring';
import type { IncidentStatus } from '../../core/incidents/incident-workflow.ts';
import { CLOSED_STATUSES, INCIDENT_STATUSES } from '../../core/incidents/incident-workflow.ts';
import { badRequest } from '../http/errors.ts';
import type { PublicFilter } from '../incidents/incident-store.ts';

/** The spec's defaults: the last 90 days, at most 1,000 requests. */
export const DEFAULT_WINDOW_DAYS = 90;
export const MAX_REQUESTS = 1000;
/** Radius of the "near a point" extension: default and largest, in metres. */
export const DEFAULT_RADIUS_M = 150;
export const MAX_RADIUS_M = 2000;
const MAX_IDS = 200;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function one(query: ParsedUrlQuery, name: string): string | undefined {
  const value = query[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

function date(query: ParsedUrlQuery, name: string): Date | undefined {
  const text = one(query, name);
  if (text === undefined) return undefined;
  const value = new Date(text);
  if (!ISO_DATE.test(text) || Number.isNaN(value.getTime())) throw badRequest(`${name} : date ISO 8601 attendue, p. ex. 2026-05-24T00:00:00+02:00 / ISO 8601 date expected, e.g. 2026-05-24T00:00:00+02:00`);
  return value;
}

function number(query: ParsedUrlQuery, name: string, min: number, max: number): number | undefined {
  const text = one(query, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+(\.\d+)?$/.test(text) || value < min || value > max) throw badRequest(`${name} : nombre entre ${min} et ${max} attendu / number from ${min} to ${max} expected`);
  return value;
}

/** The filter of GET requests. `service_request_id` overrides every other parameter, as the spec says. */
export function parseRequestsQuery(query: ParsedUrlQuery, serviceCodes: readonly string[], now = new Date()): PublicFilter {
  const idsText = one(query, 'service_request_id');
  if (idsText !== undefined) {
    const ids = idsText.split(',').map((s) => s.trim());
    if (ids.length > MAX_IDS || !ids.every((id) => /^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2147483647)) {
      throw badRequest(`service_request_id : jusqu’à ${MAX_IDS} numéros séparés par des virgules / up to ${MAX_IDS} comma-separated numbers`);
    }
    return { ids: ids.map(Number), limit: MAX_REQUESTS };
  }
  const codesText = one(query, 'service_code');
  const serviceCodes_ = codesText?.split(',').map((s) => s.trim());
  if (serviceCodes_ && !serviceCodes_.every((c) => serviceCodes.includes(c))) {
    throw badRequest(`service_code : une ou plusieurs catégories parmi / one or more of ${serviceCodes.join(', ')}`);
  }
  const statusText = one(query, 'status');
  let statuses: IncidentStatus[] | undefined;
  if (statusText !== undefined) {
    const wanted = statusText.split(',').map((s) => s.trim());
    if (!wanted.every((s) => s === 'open' || s === 'closed')) throw badRequest('status : open, closed ou / or open,closed');
    statuses = INCIDENT_STATUSES.filter((s) => wanted.includes(CLOSED_STATUSES.has(s) ? 'closed' : 'open'));
  }
  let start = date(query, 'start_date');
  let end = date(query, 'end_date');
  if (start && end && start > end) throw badRequest('start_date doit précéder end_date / start_date must come before end_date');
  const lat = number(query, 'lat', -90, 90);
  const lon = number(query, 'long', -180, 180);
  if ((lat === undefined) !== (lon === undefined)) throw badRequest('lat et long vont ensemble / lat and long go together');
  const radius = number(query, 'radius', 1, MAX_RADIUS_M);
  const near = lat !== undefined && lon !== undefined ? { lat, lon, radiusM: radius ?? DEFAULT_RADIUS_M } : undefined;
  // The duplicate check near a point wants every open report there, however old; the plain list
  // keeps the spec's default window.
  if (!start && !end && !near) {
    end = now;
    start = new Date(now.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
  } else if (!start && end) {
    start = new Date(end.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
  } else if (start && !end) {
    end = new Date(start.getTime() + DEFAULT_WINDOW_DAYS * 86_400_000);
  }
  return {
    serviceCodes: serviceCodes_,
    statuses,
    start,
    end,
    near,
    limit: MAX_REQUESTS,
  };
}
