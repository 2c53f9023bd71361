// Bounded parsers for the query parameters of the search and eligibility endpoints; each throws a 400
// that says what was expected.
import { badRequest } from '../http/errors.ts';
import { rejectUnknownParameters, single, type RawQuery } from '../http/params.ts';

/** What an eligibility request asks about. */
export type EligibilityTarget =
  | { readonly kind: 'point'; readonly lon: number; readonly lat: number }
  | { readonly kind: 'address'; readonly id: string }
  /** Free text ("12 rue de la Gare, Bédée"): answered for the address the search ranks first. */
  | { readonly kind: 'address_text'; readonly text: string }
  | { readonly kind: 'parcel'; readonly id: string }
  | { readonly kind: 'lot'; readonly id: number };

/** BAN ids are `<INSEE>_<street>_<number>[_<suffix>]`: words joined by underscores; any other text is searched for as an address. */
const BAN_ID = /^[0-9A-Za-z]+(?:_[0-9A-Za-z-]+){1,4}$/;
/** Longest address text accepted, as for the search box. */
const MAX_ADDRESS_TEXT = 200;
/** Cadastre ids: INSEE code (Corsica's 2A/2B included), 3-digit prefix, 2-character section, 4-digit number. */
export const PARCEL_ID = /^[0-9][0-9AB][0-9]{3}[0-9]{3}[0-9A-Z]{2}[0-9]{4}$/;

/** A longitude or latitude in degrees within ±`max`. */
export function parseCoordinate(name: 'lon' | 'lat', raw: string, max: number): number {
  const value = /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value) || Math.abs(value) > max) {
    throw badRequest(`${name} must be a number of degrees between -${max} and ${max}, got "${raw.slice(0, 40)}"`);
  }
  return value;
}

/** A 14-character cadastre id (upper-cased). */
export function parseParcelId(raw: string): string {
  const id = raw.trim().toUpperCase();
  if (!PARCEL_ID.test(id)) throw badRequest(`parcel must be a 14-character cadastre id such as 35023000AB0123, got "${raw.slice(0, 40)}"`);
  return id;
}

/** Exactly one of `lon`+`lat`, `address`, `parcel` or `lot`. */
export function parseEligibilityTarget(query: RawQuery): EligibilityTarget {
  rejectUnknownParameters(query, ['lon', 'lat', 'address', 'parcel', 'lot']);
  const lon = single(query, 'lon');
  const lat = single(query, 'lat');
  const address = single(query, 'address');
  const parcel = single(query, 'parcel');
  const lot = single(query, 'lot');
  const given = [lon !== undefined || lat !== undefined, address !== undefined, parcel !== undefined, lot !== undefined]
    .filter(Boolean).length;
  if (given !== 1) {
    throw badRequest('give exactly one location: lon and lat, address (BAN id or text), parcel (cadastre id) or lot (lot id)');
  }
  if (lon !== undefined || lat !== undefined) {
    if (lon === undefined || lat === undefined) throw badRequest('lon and lat go together: give both');
    return { kind: 'point', lon: parseCoordinate('lon', lon, 180), lat: parseCoordinate('lat', lat, 90) };
  }
  if (address !== undefined) {
    if (BAN_ID.test(address)) return { kind: 'address', id: address };
    const text = address.trim();
    if (text.length > MAX_ADDRESS_TEXT || !/[\p{L}\p{N}]/u.test(text)) {
      throw badRequest(`address must be a BAN id such as 35023_0090_00012 or an address of at most ${MAX_ADDRESS_TEXT} characters, got "${address.slice(0, 40)}"`);
    }
    return { kind: 'address_text', text };
  }
  if (parcel !== undefined) return { kind: 'parcel', id: parseParcelId(parcel) };
  return { kind: 'lot', id: parsePositiveId('lot', lot!) };
}

/** A database integer id: 1 to 2^31 − 1. */
export function parsePositiveId(name: string, raw: string): number {
  if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > 2_147_483_647) {
    throw badRequest(`${name} must be a positive integer id, got "${raw.slice(0, 40)}"`);
  }
  return Number(raw);
}
