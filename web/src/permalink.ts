// The permalink: the answer shown is named in the page's query string (?address=…, ?parcel=…,
// ?lot=…, ?zone=… or ?lon=…&lat=…), so the link reopens the same answer.
import { targetQuery, type Target } from './eligibility-api.ts';

const KEYS = ['address', 'parcel', 'lot', 'zone', 'lon', 'lat'];

/** The target named by a query string, if it names one. */
export function readTarget(search: string): Target | null {
  const params = new URLSearchParams(search);
  const lon = Number(params.get('lon'));
  const lat = Number(params.get('lat'));
  if (params.has('lon') && params.has('lat') && Number.isFinite(lon) && Number.isFinite(lat)) return { kind: 'point', lon, lat };
  const address = params.get('address');
  if (address) return { kind: 'address', id: address };
  const parcel = params.get('parcel');
  if (parcel) return { kind: 'parcel', id: parcel };
  for (const kind of ['lot', 'zone'] as const) {
    const id = Number(params.get(kind));
    if (Number.isInteger(id) && id > 0) return { kind, id };
  }
  return null;
}

/** The page URL naming `target` (null: naming nothing), other parameters kept. */
export function permalinkOf(target: Target | null, base: string = window.location.href): string {
  const url = new URL(base);
  for (const key of KEYS) url.searchParams.delete(key);
  if (target) for (const [key, value] of targetQuery(target)) url.searchParams.set(key, value);
  url.hash = '';
  return url.toString();
}

/** Puts the target in the address bar without adding a history entry per click. */
export function showPermalink(target: Target | null): void {
  window.history.replaceState(window.history.state, '', permalinkOf(target));
}
