// Typed fetchers for the search, eligibility and THD label APIs, and the location a permalink names.

// The answer's shape is the server's own type (type-only imports vanish from the bundle), so the
// panel and the API cannot drift apart.
import type { EligibilityAnswer } from '../../server/eligibility/eligibility-answer.ts';
import type { FibreStatus } from '../../server/eligibility/eligibility-sql.ts';

export type { EligibilityAnswer };
export type AnswerStatus = FibreStatus;

/** What an answer is about: the same four keys as the API's query parameters, plus a business zone. */
export type Target =
  | { kind: 'point'; lon: number; lat: number }
  | { kind: 'address'; id: string }
  | { kind: 'parcel'; id: string }
  | { kind: 'lot'; id: number }
  | { kind: 'zone'; id: number };

export interface SearchResult {
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  bbox?: [number, number, number, number];
  properties: {
    kind: 'address' | 'business_zone' | 'lot' | 'parcel';
    label: string;
    score: number;
    zone_id?: number;
    lot_id?: number;
    parcel_id?: string;
  };
}

export interface ThdLabel {
  zone: { id: number; code: string; name: string };
  lots_total: number;
  lots_covered: number;
  share_by_count: number | null;
  share_by_area: number | null;
  threshold: number;
  label: boolean;
  definition_fr: string;
  definition_en: string;
  data_date: string | null;
}

/** The API's error description when there is one, so the panel can say what went wrong. */
async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { description?: string } | null;
    throw new Error(body?.description ?? `GET ${url} answered ${response.status}`);
  }
  return (await response.json()) as T;
}

/** Suggestions for a typed text, best first. */
export async function searchPlaces(q: string, signal?: AbortSignal): Promise<SearchResult[]> {
  const body = await getJson<{ features: SearchResult[] }>(`/api/geocode?${new URLSearchParams({ q, limit: '8' })}`, signal);
  return body.features;
}

/** The query string naming a target: also the permalink's. */
export function targetQuery(target: Target): URLSearchParams {
  if (target.kind === 'point') return new URLSearchParams({ lon: target.lon.toFixed(6), lat: target.lat.toFixed(6) });
  return new URLSearchParams({ [target.kind]: String(target.id) });
}

/** The eligibility answer for a point, an address, a parcel or a lot. */
export function fetchEligibility(target: Exclude<Target, { kind: 'zone' }>, signal?: AbortSignal): Promise<EligibilityAnswer> {
  return getJson<EligibilityAnswer>(`/api/eligibility?${targetQuery(target)}`, signal);
}

/** A business zone's ZA THD label status. */
export function fetchThdLabel(zoneId: number, signal?: AbortSignal): Promise<ThdLabel> {
  return getJson<ThdLabel>(`/api/zones/${zoneId}/thd`, signal);
}

/** What a search result opens. */
export function targetOfResult(result: SearchResult): Target {
  const p = result.properties;
  if (p.kind === 'lot' && p.lot_id !== undefined) return { kind: 'lot', id: p.lot_id };
  if (p.kind === 'business_zone' && p.zone_id !== undefined) return { kind: 'zone', id: p.zone_id };
  if (p.kind === 'parcel') return { kind: 'parcel', id: p.parcel_id ?? result.id };
  return { kind: 'address', id: result.id };
}
